import { createMiddleware } from 'hono/factory';
import { hasPermission, ROLE_PERMISSIONS, type Permission, type Role } from '../../auth/permissions.js';
import type { TokenService } from '../../auth/tokens.js';
import type { Db } from '../../db/database.js';
import { findAccount } from '../../auth/user-repository.js';
import { AppError } from '../../kernel/errors.js';
import { documenting, permissionSpec } from '../openapi/route-doc.js';

/** The signed-in user of a request. */
export interface AuthUser {
  id: number;
  username: string;
  role: Role;
  permissions: readonly string[];
  /** Tokens and tickets of another version are revoked (SPEC 10). */
  tokenVersion: number;
}

/** A verified token: its user as stored now, and when the token expires. */
export interface AuthSession {
  user: AuthUser;
  expiresAt: number;
}

export type AuthEnv = { Variables: { user: AuthUser; session: AuthSession } };

/**
 * Resolves a verified token to its user as stored now, so a deletion, a new password, a
 * sign-out or a lowered role takes effect at once rather than when the token expires.
 */
export async function sessionFromToken(db: Db, tokens: TokenService, token: string): Promise<AuthSession | undefined> {
  const claims = await tokens.verify(token);
  if (!claims) return undefined;
  const user = await userById(db, claims.userId);
  return user?.tokenVersion === claims.ver ? { user, expiresAt: claims.exp * 1000 } : undefined;
}

/** The user as stored now, with the permissions of their current role. */
export async function userById(db: Db, id: number): Promise<AuthUser | undefined> {
  const account = await findAccount(db, id);
  return account && { ...account.user, permissions: ROLE_PERMISSIONS[account.user.role], tokenVersion: account.tokenVersion };
}

/** The signed-in user as `GET /api/auth/me` and login show it. */
export const publicUser = (u: AuthUser) => ({ id: u.id, username: u.username, role: u.role, permissions: u.permissions });

/** Requires `Authorization: Bearer <jwt>`. REST never accepts the session cookie. */
export function requireAuth(db: Db, tokens: TokenService) {
  return createMiddleware<AuthEnv>(async function authenticate(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const session = match ? await sessionFromToken(db, tokens, match[1]!) : undefined;
    if (!session) {
      const message = match ? 'Invalid or expired token' : 'Missing bearer token';
      throw new AppError('unauthenticated', message, [], { 'www-authenticate': 'Bearer' });
    }
    c.set('user', session.user);
    c.set('session', session);
    await next();
  });
}

/** Requires a permission of the signed-in user; the API reference shows it on the route. */
export function requirePermission(permission: Permission) {
  const authorize = createMiddleware<AuthEnv>(async function authorize(c, next) {
    if (!hasPermission(c.get('user').permissions, permission)) {
      throw new AppError('forbidden', `Requires permission ${permission}`);
    }
    await next();
  });
  return documenting(authorize, permissionSpec(permission));
}
