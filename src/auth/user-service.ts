import * as v from 'valibot';
import { onUniqueViolation } from '../db/constraint.js';
import type { Db } from '../db/database.js';
import { bumpTokenVersion, countUsers, deleteUser, findUser, insertUser, listUsers, updateUser } from '../db/users.js';
import { conflict, notFound } from '../errors.js';
import { hashPassword } from './password.js';
import type { User, UserCreate, UserPatch } from './user.js';

const taken = (username: string) => () => conflict(`username "${username}" is taken`);

/** Told after a user's account changed (role, password, sign-out) or went away, so open streams follow. */
export type AccountChanged = (userId: number) => void;

/** User administration; the last admin can be neither deleted nor demoted, or nobody could manage users. */
export function userService(db: Db, accountChanged: AccountChanged = () => {}) {
  async function guardLastAdmin(user: User) {
    if (user.role === 'admin' && (await countUsers(db, 'admin')) <= 1) {
      throw conflict('the last admin cannot be deleted or demoted');
    }
  }

  return {
    list: () => listUsers(db),

    async get(id: number): Promise<User> {
      return (await findUser(db, id)) ?? Promise.reject(notFound('user'));
    },

    async create(input: v.InferOutput<typeof UserCreate>): Promise<User> {
      const passwordHash = await hashPassword(input.password);
      const now = new Date().toISOString();
      return onUniqueViolation(insertUser(db, { ...input, passwordHash }, now), taken(input.username));
    },

    /** A new password also revokes the user's tokens; a new role re-scopes their streams. */
    async update(id: number, patch: v.InferOutput<typeof UserPatch>): Promise<User> {
      const current = await findUser(db, id);
      if (!current) throw notFound('user');
      if (patch.role !== undefined && patch.role !== 'admin') await guardLastAdmin(current);
      const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
      const now = new Date().toISOString();
      const updated = await onUniqueViolation(
        updateUser(db, id, { username: patch.username, role: patch.role, passwordHash }, now),
        taken(patch.username ?? ''),
      );
      if (!updated) throw notFound('user');
      accountChanged(id);
      return updated;
    },

    async remove(id: number): Promise<void> {
      const user = await findUser(db, id);
      if (!user) throw notFound('user');
      await guardLastAdmin(user);
      await deleteUser(db, id);
      accountChanged(id);
    },

    /** Signs a user out on every device: their tokens and tickets stop working at once. */
    async signOut(id: number): Promise<void> {
      await bumpTokenVersion(db, id);
      accountChanged(id);
    },
  };
}

export type UserService = ReturnType<typeof userService>;
