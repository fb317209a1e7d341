import { SignJWT, jwtVerify } from 'jose';
import type { Clock } from '../kernel/clock.js';

/** What a verified access token says. */
export interface TokenClaims {
  userId: number;
  perms: string[];
  exp: number;
  /** The user's token version when it was issued; a bumped version revokes the token. */
  ver: number;
}

// Verified tokens kept, so that a client's every request and stream does not check the same
// signature again; only tokens that passed are kept (an attacker cannot fill it), at most this many.
const VERIFIED_KEPT = 1024;
const CLOCK_TOLERANCE_S = 5;

/** Issues and verifies HS256 access tokens; the algorithm is pinned both ways. */
export function createTokenService(secret: string, ttlS: number, clock: Clock) {
  const key = new TextEncoder().encode(secret);
  // Insertion order is age: the oldest goes first when full.
  const verified = new Map<string, Readonly<TokenClaims>>();

  async function issue(userId: number, perms: readonly string[], tokenVersion: number): Promise<string> {
    const iat = Math.floor(clock.now() / 1000);
    return new SignJWT({ perms: [...perms], ver: tokenVersion })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(userId))
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlS)
      .sign(key);
  }

  /**
   * Resolves to the claims, or undefined for any token that is not ours and current. Whether
   * its user still holds that token version is the caller's check, every time.
   */
  async function verify(token: string): Promise<Readonly<TokenClaims> | undefined> {
    const known = verified.get(token);
    if (known) {
      if (clock.now() / 1000 < known.exp + CLOCK_TOLERANCE_S) return known;
      verified.delete(token);
      return undefined;
    }
    const claims = await check(token);
    if (claims) {
      if (verified.size >= VERIFIED_KEPT) verified.delete(verified.keys().next().value!);
      verified.set(token, claims);
    }
    return claims;
  }

  async function check(token: string): Promise<Readonly<TokenClaims> | undefined> {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(clock.now()),
      });
      const userId = Number(payload.sub);
      const perms = payload['perms'];
      // Tokens from before token versions existed carry none: version 0, as the column's default.
      const ver = payload['ver'] ?? 0;
      if (!Number.isSafeInteger(userId) || !Array.isArray(perms) || !Number.isSafeInteger(ver)) return undefined;
      return Object.freeze({
        userId,
        perms: perms.filter((p): p is string => typeof p === 'string'),
        exp: payload.exp!,
        ver: ver as number,
      });
    } catch {
      return undefined;
    }
  }

  return { issue, verify, ttlS };
}

export type TokenService = ReturnType<typeof createTokenService>;
