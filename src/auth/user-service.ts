import type * as v from 'valibot';
import { accountChanges, auditEvent } from './user-events.js';
import { onUniqueViolation } from '../db/constraint.js';
import type { Db } from '../db/database.js';
import { bumpTokenVersion, countUsers, deleteUser, findUser, insertUser, listUsers, updateUser } from './user-repository.js';
import { conflict, notFound } from '../kernel/errors.js';
import type { Journal } from '../journal/journal.js';
import { passwordHasher, type PasswordHasher } from './password.js';
import type { User, UserCreate, UserPatch } from './user.js';

const taken = (username: string) => () => conflict(`username "${username}" is taken`);

/** Told after a user's account changed (role, password, sign-out) or went away, so open streams follow. */
export type AccountChanged = (userId: number) => void;

/**
 * User administration, sign-ins and sign-outs, each journaled as an `audit` event naming who
 * acted (`by`, a username) and whom it concerns (SPEC 13); an edit in its own transaction.
 * The last admin can be neither deleted nor demoted, or nobody could manage users.
 */
export function userService(
  db: Db,
  journal: Journal,
  accountChanged: AccountChanged = () => {},
  passwords: PasswordHasher = passwordHasher(),
) {
  async function guardLastAdmin(trx: Db, user: User) {
    if (user.role === 'admin' && (await countUsers(trx, 'admin')) <= 1) {
      throw conflict('the last admin cannot be deleted or demoted');
    }
  }

  return {
    list: () => listUsers(db),

    async get(id: number): Promise<User> {
      return (await findUser(db, id)) ?? Promise.reject(notFound('user'));
    },

    async create(input: v.InferOutput<typeof UserCreate>, by: string): Promise<User> {
      // Hashed before the journal's turn: scrypt must not hold up every other write.
      const passwordHash = await passwords.hash(input.password);
      return journal.record(async (trx, ts) => {
        const user = await onUniqueViolation(insertUser(trx, { ...input, passwordHash }, ts), taken(input.username));
        return { result: user, events: [auditEvent('user_created', by, user.username, { user_id: user.id, role: user.role })] };
      });
    },

    /** A new password also revokes the user's tokens; a new role re-scopes their streams. */
    async update(id: number, patch: v.InferOutput<typeof UserPatch>, by: string): Promise<User> {
      const passwordHash = patch.password === undefined ? undefined : await passwords.hash(patch.password);
      const updated = await journal.record(async (trx, ts) => {
        const current = await findUser(trx, id);
        if (!current) throw notFound('user');
        if (patch.role !== undefined && patch.role !== 'admin') await guardLastAdmin(trx, current);
        const user = await onUniqueViolation(
          updateUser(trx, id, { username: patch.username, role: patch.role, passwordHash }, ts),
          taken(patch.username ?? ''),
        );
        if (!user) throw notFound('user');
        const changes = accountChanges(current, user, passwordHash !== undefined);
        return { result: user, events: [auditEvent('user_updated', by, current.username, { user_id: id, changes })] };
      });
      accountChanged(id);
      return updated;
    },

    async remove(id: number, by: string): Promise<void> {
      await journal.record(async (trx) => {
        const user = await findUser(trx, id);
        if (!user) throw notFound('user');
        await guardLastAdmin(trx, user);
        await deleteUser(trx, id);
        return { result: undefined, events: [auditEvent('user_deleted', by, user.username, { user_id: id, role: user.role })] };
      });
      accountChanged(id);
    },

    /**
     * Signs a user out on every device: their tokens and tickets stop working at once. Revoking
     * comes first and does not wait for the journal: a failing disk must not keep a session alive.
     */
    async signOut(user: Pick<User, 'id' | 'username'>): Promise<void> {
      await bumpTokenVersion(db, user.id);
      accountChanged(user.id);
      await journal.appendOrHold([auditEvent('signed_out', user.username, user.username, { user_id: user.id })]);
    },

    /** Journals a sign-in once committed, or held by a failing journal: a sign-in waits for no disk. */
    async signedIn(account: Pick<User, 'id' | 'username'>, address: string): Promise<void> {
      await journal.appendOrHold([auditEvent('signed_in', account.username, account.username, { user_id: account.id, address })]);
    },

    /**
     * Journals a failed sign-in, as `signedIn` does; nobody known acted. `account` is null when
     * no account has the name given, which is not kept: it may be a password typed as the name.
     */
    async signInFailed(account: Pick<User, 'id' | 'username'> | null, address: string): Promise<void> {
      await journal.appendOrHold([
        auditEvent('sign_in_failed', null, account?.username ?? null, { user_id: account?.id ?? null, address }),
      ]);
    },
  };
}

export type UserService = ReturnType<typeof userService>;
