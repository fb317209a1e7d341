import type { Selectable } from 'kysely';
import type { Role } from '../auth/permissions.js';
import type { User } from '../auth/user.js';
import type { Db } from './database.js';
import type { UsersTable } from './schema.js';

const toUser = (r: Selectable<UsersTable>): User => ({ id: r.id, username: r.username, role: r.role as Role });

export async function listUsers(db: Db): Promise<User[]> {
  return (await db.selectFrom('users').selectAll().orderBy('id').execute()).map(toUser);
}

export async function findUser(db: Db, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

/** The user and their password hash, for sign-in only. */
export async function findCredentials(db: Db, username: string) {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row && { user: toUser(row), passwordHash: row.password_hash };
}

export async function countUsers(db: Db, role?: Role): Promise<number> {
  let query = db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n'));
  if (role) query = query.where('role', '=', role);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

export async function insertUser(
  db: Db,
  u: { username: string; passwordHash: string; role: Role },
  now: string,
): Promise<User> {
  const row = await db
    .insertInto('users')
    .values({ username: u.username, password_hash: u.passwordHash, role: u.role, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function updateUser(
  db: Db,
  id: number,
  u: { username?: string | undefined; passwordHash?: string | undefined; role?: Role | undefined },
  now: string,
): Promise<User | undefined> {
  const row = await db
    .updateTable('users')
    .set({
      ...(u.username !== undefined && { username: u.username }),
      ...(u.passwordHash !== undefined && { password_hash: u.passwordHash }),
      ...(u.role !== undefined && { role: u.role }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && toUser(row);
}

export async function deleteUser(db: Db, id: number): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute();
}
