import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { LoginAttempt, LoginLimiter } from '../../auth/login-limiter.js';
import type { PasswordHasher } from '../../auth/password.js';
import type { PasswordGate } from '../../auth/password-gate.js';
import * as v from 'valibot';
import { ROLE_PERMISSIONS, ROLES } from '../../auth/permissions.js';
import type { TicketStore } from '../../auth/tickets.js';
import type { TokenService } from '../../auth/tokens.js';
import type { UserService } from '../../auth/user-service.js';
import { LoginBody } from '../../auth/user.js';
import type { Db } from '../../db/database.js';
import { findCredentials, rehashPassword } from '../../auth/user-repository.js';
import { AppError } from '../../kernel/errors.js';
import type { Logger } from '../../log/logger.js';
import type { HttpRuntime } from '../../runtime/runtime.js';
import { publicUser, requireAuth, sessionFromToken, type AuthEnv } from '../middleware/auth.js';
import { requestScheme } from '../middleware/request-scheme.js';
import { routeDoc } from '../openapi/route-doc.js';
import { jsonBody } from '../middleware/validate.js';

const SignedInUser = v.strictObject({ id: v.number(), username: v.string(), role: v.picklist(ROLES), permissions: v.array(v.string()) });
const LoginAnswer = v.strictObject({
  access_token: v.string(),
  token_type: v.literal('Bearer'),
  expires_in: v.number(),
  user: SignedInUser,
});
const TicketAnswer = v.strictObject({ ticket: v.string(), expires_in: v.number() });

interface AuthDeps {
  db: Db;
  log: Logger;
  tokens: TokenService;
  tickets: TicketStore;
  limiter: LoginLimiter;
  passwordGate: PasswordGate;
  passwords: PasswordHasher;
  users: UserService;
  runtime: HttpRuntime;
}

/** Sign-in, sign-out, stream tickets and the current user (SPEC 2 and 10). */
export function authRoutes({ db, log, tokens, tickets, limiter, passwordGate, passwords, users, runtime }: AuthDeps) {
  const authenticated = requireAuth(db, tokens);

  /**
   * Looks the user up and checks the password in its turn, so a sign-in the full queue turns
   * away costs no query; it was never a try. Unknown users cost the same scrypt as known ones,
   * so timing does not reveal names. The account, if any, and whether the password is right.
   */
  async function check(username: string, password: string, address: string, attempt: LoginAttempt) {
    try {
      return await passwordGate.run(address, async () => {
        const found = await findCredentials(db, username.trim().normalize('NFKC'));
        const ok = await passwords.verify(password, found?.passwordHash ?? passwords.dummy);
        return { found, ok: ok && found !== undefined };
      });
    } catch (err) {
      await attempt.withdrawn();
      throw err;
    }
  }

  /**
   * Stores the password under today's scrypt parameters, once per user after an upgrade, in
   * the gate like any other hash. A full gate or a failure leaves it for the next sign-in.
   */
  async function upgradeHash(userId: number, address: string, password: string) {
    try {
      await rehashPassword(db, userId, await passwordGate.run(address, () => passwords.hash(password)));
    } catch (err) {
      if (!(err instanceof AppError)) log.warn(`password rehash of user ${userId} failed: ${String(err)}`);
    }
  }

  return new Hono<AuthEnv>()
    .post(
      '/login',
      routeDoc({
        tag: 'auth',
        summary: 'Sign in',
        description: 'Also sets the `session` cookie that streams accept. 429 with `retry-after` past the sign-in limits (SPEC 10).',
        body: LoginBody,
        responses: { 200: LoginAnswer },
      }),
      async (c) => {
        const { username, password } = await jsonBody(c, LoginBody);
        const address = runtime.clientAddress(c);
        // Counted before hashing: parallel guesses get no more tries than sequential ones.
        const attempt = await limiter.attempt(username, address);
        const { found, ok } = await check(username, password, address, attempt);
        if (!found || !ok) {
          // Only tries the limiter counted reach the journal. Unknown names too, so the write
          // costs the same either way (timing must not tell names); the name typed is never kept.
          await users.signInFailed(found?.user ?? null, address);
          throw new AppError('unauthenticated', 'Wrong username or password');
        }
        await attempt.succeeded();
        const { user } = found;
        if (passwords.needsRehash(found.passwordHash)) await upgradeHash(user.id, address, password);
        await users.signedIn(user, address);
        const permissions = ROLE_PERMISSIONS[user.role];
        const token = await tokens.issue(user.id, permissions, found.tokenVersion);
        setCookie(c, 'session', token, {
          httpOnly: true,
          sameSite: 'Strict',
          path: '/',
          maxAge: tokens.ttlS,
          secure: requestScheme(c) === 'https',
        });
        return c.json({
          access_token: token,
          token_type: 'Bearer',
          expires_in: tokens.ttlS,
          user: { id: user.id, username: user.username, role: user.role, permissions },
        });
      },
    )
    .post(
      '/logout',
      routeDoc({
        tag: 'auth',
        summary: 'Sign out everywhere: every token and ticket of the user stops working',
        description: "The user is the bearer token's, or the `session` cookie's; without either it only clears the cookie.",
        responses: { 204: null },
      }),
      async (c) => {
        // Signs the user out everywhere: every token and ticket issued to them stops working.
        // The cookie is taken here as on streams, so a page whose token is gone can still sign out.
        const session = await sessionOf(c);
        if (session) await users.signOut(session.user);
        deleteCookie(c, 'session', { path: '/' });
        return c.body(null, 204);
      },
    )
    .post(
      '/ticket',
      routeDoc({ tag: 'auth', summary: 'A one-time ticket to open a stream with', signedIn: true, responses: { 200: TicketAnswer } }),
      authenticated,
      async (c) => {
        const { user, expiresAt } = c.get('session');
        const ticket = await tickets.issue({ userId: user.id, tokenVersion: user.tokenVersion, sessionExpiresAt: expiresAt });
        return c.json({ ticket, expires_in: tickets.ttlS });
      },
    )
    .get(
      '/me',
      routeDoc({ tag: 'auth', summary: 'The signed-in user', signedIn: true, responses: { 200: SignedInUser } }),
      authenticated,
      (c) => c.json(publicUser(c.get('user'))),
    );

  function sessionOf(c: Context) {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? getCookie(c, 'session');
    return token ? sessionFromToken(db, tokens, token) : Promise.resolve(undefined);
  }
}
