import { sql, type Selectable } from 'kysely';
import type { Role } from './permissions.js';
import type { User } from './user.js';
import { dialectOf, preparedOnce, type Db } from '../db/database.js';
import type { UsersTable } from '../db/schema.js';

const toUser = (r: Pick<Selectable<UsersTable>, 'id' | 'username' | 'role'>): User => ({
  id: r.id,
  username: r.username,
  role: r.role as Role,
});

export async function listUsers(db: Db): Promise<User[]> {
  return (await db.selectFrom('users').selectAll().orderBy('id').execute()).map(toUser);
}

/** A user by id; a plain query, so it also runs inside a transaction (user administration's). */
export async function findUser(db: Db, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('users').select(['id', 'username', 'role']).where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

/** The user and the version their tokens must carry to be valid (migration 0006). */
export async function findAccount(db: Db, id: number): Promise<{ user: User; tokenVersion: number } | undefined> {
  const row =
    dialectOf(db) === 'postgres'
      ? await db.selectFrom('users').select(['id', 'username', 'role', 'token_version']).where('id', '=', id).executeTakeFirst()
      : (accountStatement(db).get(id) as Pick<Selectable<UsersTable>, 'id' | 'username' | 'role' | 'token_version'> | undefined);
  return row && { user: toUser(row), tokenVersion: row.token_version };
}

// SQLite: every REST request and every stream asks, so prepared once. PostgreSQL's round trip
// to the server outweighs building the query, and its pool has no connection to prepare on.
const accountStatement = preparedOnce('select id, username, role, token_version from users where id = ?');

/** Invalidates every token and ticket issued to the user so far. */
export async function bumpTokenVersion(db: Db, id: number): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ token_version: eb('token_version', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** The user, their password hash and token version, for sign-in only. */
export async function findCredentials(db: Db, username: string) {
  // PostgreSQL refuses a NUL in text (22021) where SQLite finds nothing; no username has one.
  if (username.includes('\0')) return undefined;
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row && { user: toUser(row), passwordHash: row.password_hash, tokenVersion: row.token_version };
}

/** Stores a new hash of the same password (parameters raised since it was made). */
export async function rehashPassword(db: Db, id: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

export async function countUsers(db: Db, role?: Role): Promise<number> {
  let query = db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n'));
  if (role) query = query.where('role', '=', role);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

export async function insertUser(db: Db, u: { username: string; passwordHash: string; role: Role }, now: string): Promise<User> {
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
      // A new password ends every session signed in with the old one.
      ...(u.passwordHash !== undefined && { password_hash: u.passwordHash, token_version: sql<number>`token_version + 1` }),
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
