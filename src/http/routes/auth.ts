import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { LoginLimiter } from '../../auth/login-limiter.js';
import { DUMMY_HASH, verifyPassword } from '../../auth/password.js';
import { ROLE_PERMISSIONS } from '../../auth/permissions.js';
import type { TicketStore } from '../../auth/tickets.js';
import type { TokenService } from '../../auth/tokens.js';
import { LoginBody } from '../../auth/user.js';
import type { Db } from '../../db/database.js';
import { findCredentials } from '../../db/users.js';
import { AppError } from '../../errors.js';
import { requireAuth, type AuthEnv } from '../auth-middleware.js';
import { clientAddress } from '../client-address.js';
import { jsonBody } from '../validate.js';

interface AuthDeps {
  db: Db;
  tokens: TokenService;
  tickets: TicketStore;
  limiter: LoginLimiter;
}

/** Sign-in, stream tickets and the current user (SPEC 2). */
export function authRoutes({ db, tokens, tickets, limiter }: AuthDeps) {
  const authenticated = requireAuth(db, tokens);

  return new Hono<AuthEnv>()
    .post('/login', async (c) => {
      const { username, password } = await jsonBody(c, LoginBody);
      const address = clientAddress(c);
      // Checked before hashing, so a flood of guesses costs the server nothing.
      const retryAfter = limiter.retryAfterS(username, address);
      if (retryAfter > 0) {
        throw new AppError('rate_limited', 'Too many failed sign-ins; try again later', [], {
          'retry-after': String(retryAfter),
        });
      }
      const found = await findCredentials(db, username);
      // Unknown users cost the same scrypt as known ones, so timing does not reveal names.
      const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH);
      if (!found || !ok) {
        limiter.failed(username, address);
        throw new AppError('unauthenticated', 'Wrong username or password');
      }
      limiter.succeeded(username);
      const { user } = found;
      const permissions = ROLE_PERMISSIONS[user.role];
      const token = await tokens.issue(user.id, permissions);
      setCookie(c, 'session', token, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        maxAge: tokens.ttlS,
        secure: new URL(c.req.url).protocol === 'https:',
      });
      return c.json({
        access_token: token,
        token_type: 'Bearer',
        expires_in: tokens.ttlS,
        user: { id: user.id, username: user.username, role: user.role, permissions },
      });
    })
    .post('/logout', (c) => {
      deleteCookie(c, 'session', { path: '/' });
      return c.body(null, 204);
    })
    .post('/ticket', authenticated, (c) => c.json({ ticket: tickets.issue(c.get('user').id), expires_in: tickets.ttlS }))
    .get('/me', authenticated, (c) => c.json(c.get('user')));
}
