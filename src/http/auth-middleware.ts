import { createMiddleware } from 'hono/factory';
import { hasPermission, ROLE_PERMISSIONS, type Permission, type Role } from '../auth/permissions.js';
import type { TokenService } from '../auth/tokens.js';
import type { Db } from '../db/database.js';
import { findUser } from '../db/users.js';
import { AppError } from '../errors.js';

/** The signed-in user of a request. */
export interface AuthUser {
  id: number;
  username: string;
  role: Role;
  permissions: readonly string[];
}

export type AuthEnv = { Variables: { user: AuthUser } };

/**
 * Resolves a verified token to its user as stored now, so a deleted user or a lowered role
 * takes effect at once rather than when the token expires.
 */
export async function userFromToken(db: Db, tokens: TokenService, token: string): Promise<AuthUser | undefined> {
  const claims = await tokens.verify(token);
  if (!claims) return undefined;
  return userById(db, claims.userId);
}

export async function userById(db: Db, id: number): Promise<AuthUser | undefined> {
  const user = await findUser(db, id);
  return user && { ...user, permissions: ROLE_PERMISSIONS[user.role] };
}

/** Requires `Authorization: Bearer <jwt>`. REST never accepts the session cookie. */
export function requireAuth(db: Db, tokens: TokenService) {
  return createMiddleware<AuthEnv>(async function authenticate(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const user = match ? await userFromToken(db, tokens, match[1]!) : undefined;
    if (!user) {
      const message = match ? 'Invalid or expired token' : 'Missing bearer token';
      throw new AppError('unauthenticated', message, [], { 'www-authenticate': 'Bearer' });
    }
    c.set('user', user);
    await next();
  });
}

/** Requires a permission of the signed-in user. */
export function requirePermission(permission: Permission) {
  return createMiddleware<AuthEnv>(async function authorize(c, next) {
    if (!hasPermission(c.get('user').permissions, permission)) {
      throw new AppError('forbidden', `Requires permission ${permission}`);
    }
    await next();
  });
}
