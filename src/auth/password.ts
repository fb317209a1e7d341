import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

// OWASP's scrypt settings list N=2^17,r=8,p=1 and, as equally strong, N=2^15,r=8,p=3: the same
// work in a quarter of the memory (32 MiB per hash instead of 128), which matters with
// several sign-ins at once on a small edge box.
export const SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // 128 * N * r bytes per lane; Node's default maxmem (32 MiB) is exactly one lane and fails.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes and checks passwords with scrypt; scrypt runs on libuv's pool, not the event loop. */
export interface PasswordHasher {
  /** A new hash, `scrypt$N$r$p$salt$hash`, with this hasher's parameters. */
  hash(password: string): Promise<string>;
  /** Checks a password against a stored hash, with the parameters the hash was made with. */
  verify(password: string, stored: string): Promise<boolean>;
  /** True when a stored hash was made with other parameters: rehash it at the next sign-in. */
  needsRehash(stored: string): boolean;
  /** A hash no password matches, checked for unknown users so that timing does not reveal them. */
  readonly dummy: string;
}

/**
 * The server's hasher. `params` other than SCRYPT_PARAMS are for the in-process test app only,
 * whose hundreds of sign-ins would otherwise spend most of the suite's time in scrypt.
 */
export function passwordHasher(params: ScryptParams = SCRYPT_PARAMS): PasswordHasher {
  const prefix = `scrypt$${params.N}$${params.r}$${params.p}$`;
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await derive(password, salt, params);
      return `${prefix}${salt.toString('base64url')}$${key.toString('base64url')}`;
    },
    verify: verifyPassword,
    needsRehash: (stored) => !stored.startsWith(prefix),
    dummy: `${prefix}AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(43)}`,
  };
}

async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
