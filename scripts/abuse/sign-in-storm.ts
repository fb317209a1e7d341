/**
 * The sign-in storm: `perAttacker` wrong passwords from each attacker address, all at once. Each
 * guess names a different (unknown) user, so the per-username limit (5) never answers for the
 * server: every guess passes the limiter (20 per address) and would cost a full scrypt, which
 * the server must bound. Meanwhile the admin signs in from an address of their own; on a 429 they
 * try again after Retry-After, as the sign-in page would, for at most 10 s.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { wallNow } from '../fanout/wall-clock.js';
import { postFrom } from './post-from.js';
import type { LoadCommand, StormReply } from './protocol.js';

const ADMIN_GIVES_UP_MS = 10_000;

export async function signInStorm(command: Extract<LoadCommand, { cmd: 'storm' }>): Promise<StormReply> {
  const login = `${command.url}/api/auth/login`;
  const started = wallNow();
  const guesses = command.attackers.flatMap((address, a) =>
    Array.from({ length: command.perAttacker }, (_, i) =>
      postFrom(address, login, { username: `intruder-${a + 1}-${i + 1}`, password: 'wrong-password' }),
    ),
  );
  const statuses: Record<string, number> = {};
  let finished = started;
  const storm = Promise.all(
    guesses.map((g) =>
      g.then(({ status }) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        finished = Math.max(finished, wallNow());
      }),
    ),
  );

  await sleep(command.admin.delayMs);
  const { address, username, password } = command.admin;
  const attempts: StormReply['admin']['attempts'] = [];
  const first = wallNow();
  let msToSignedIn = NaN;
  for (;;) {
    const at = wallNow();
    const answer = await postFrom(address, login, { username, password });
    attempts.push({ status: answer.status, ms: wallNow() - at });
    if (answer.status === 200) {
      msToSignedIn = wallNow() - first;
      break;
    }
    const wait = (Number.isFinite(answer.retryAfter) ? answer.retryAfter : 1) * 1000;
    if (answer.status !== 429 || wallNow() + wait - first > ADMIN_GIVES_UP_MS) break;
    await sleep(wait);
  }
  await storm;
  return { started, finished, statuses, admin: { attempts, msToSignedIn } };
}
