import type { UserService } from '../auth/user-service.js';
import { UserCreate, UserPatch } from '../auth/user.js';
import type { Db } from '../db/database.js';
import { findCredentials } from '../auth/user-repository.js';
import { parseWith } from '../http/middleware/validate.js';
import { CliFailure } from './cli-failure.js';

/** `alarmctl user add NAME --role ROLE`: journaled as `user_created` (SPEC 13) by `by`. */
export async function userAdd(
  users: UserService,
  username: string,
  role: string | undefined,
  password: string,
  by: string,
): Promise<string> {
  if (role === undefined) throw new CliFailure('user add needs --role (admin, operator, viewer or user)', 2);
  const user = await users.create(parseWith(UserCreate, { username, password, role }, 'user'), by);
  return `created ${user.role} "${user.username}" (id ${user.id})`;
}

/** `alarmctl user passwd NAME`: a new password, which also signs the user out everywhere. */
export async function userPasswd(db: Db, users: UserService, username: string, password: string, by: string): Promise<string> {
  const found = await findCredentials(db, username);
  if (!found) throw new CliFailure(`no user "${username}"`);
  const patch = parseWith(UserPatch, { password }, 'password');
  await users.update(found.user.id, patch, by);
  return `new password for "${found.user.username}"; their sessions are signed out`;
}

/** `alarmctl user list [--json]`. */
export async function userList(users: UserService, json: boolean): Promise<string> {
  const all = await users.list();
  if (json) return JSON.stringify(all, null, 2);
  const width = Math.max(8, ...all.map((u) => u.username.length));
  return [
    `${'id'.padStart(5)}  ${'username'.padEnd(width)}  role`,
    ...all.map((u) => `${String(u.id).padStart(5)}  ${u.username.padEnd(width)}  ${u.role}`),
  ].join('\n');
}
