import { randomBytes } from 'node:crypto';
import { isUniqueViolation } from '../db/constraint.js';
import type { Db } from '../db/database.js';
import { countUsers, insertUser } from './user-repository.js';
import type { Logger } from '../log/logger.js';
import type { PasswordHasher } from './password.js';

/**
 * Creates the first admin when the database has no user. Without ADMIN_PASSWORD a password is
 * generated and printed this once: it is stored only as a hash.
 */
export async function bootstrapAdmin(db: Db, passwords: PasswordHasher, username: string, password: string | undefined, log: Logger) {
  if ((await countUsers(db)) > 0) return;
  const chosen = password ?? randomBytes(15).toString('base64url');
  const passwordHash = await passwords.hash(chosen);
  try {
    await insertUser(db, { username, passwordHash, role: 'admin' }, new Date().toISOString());
  } catch (err) {
    // Nodes of a cluster starting together: another one created the admin a moment ago.
    if (isUniqueViolation(err)) return;
    throw err;
  }
  if (password === undefined) {
    log.info(`created admin user "${username}" with password: ${chosen}`);
    log.info('this password is printed once; change it with PATCH /api/users/{id}');
  } else {
    log.info(`created admin user "${username}" with the password from ADMIN_PASSWORD`);
  }
}
