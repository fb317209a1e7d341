/**
 * Prints the alarm stream in a terminal: every alarm_state and alarm_ack, and connection state
 * changes. Ctrl-C closes it.
 *
 *   BASE_URL=http://127.0.0.1:8080 USERNAME=admin PASSWORD=... npx tsx scripts/tail-alarms.ts
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type * as ClientModule from '../public/client/alarm-client.js';

const baseUrl = process.env['BASE_URL'] ?? 'http://127.0.0.1:8080';
const username = process.env['USERNAME'] ?? 'admin';
const password = process.env['PASSWORD'] ?? '';

// The client is plain JS that tsc does not copy (no allowJs): find it whether this runs from
// scripts/ (tsx) or from dist/scripts/ (npm run build).
const candidates = ['../public/client/alarm-client.js', '../../public/client/alarm-client.js'].map((p) => new URL(p, import.meta.url));
const clientUrl = candidates.find((u) => existsSync(fileURLToPath(u)));
if (!clientUrl) throw new Error('public/client/alarm-client.js not found');
const { AlarmClient } = (await import(clientUrl.href)) as typeof ClientModule;

let token: string | undefined;

/** Signs in once, and again whenever the server has refused the token (expired). */
async function getToken({ refresh }: { refresh: boolean }): Promise<string> {
  if (token && !refresh) return token;
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { access_token?: string; error?: { code: string; message: string } };
  if (!res.ok || !body.access_token) throw new Error(`sign-in as ${username} failed: ${body.error?.message ?? res.status}`);
  token = body.access_token;
  return token;
}

const time = (ts?: string) => (ts ?? new Date().toISOString()).slice(11, 23);
const client = new AlarmClient({ baseUrl, getToken, WebSocket, topics: ['alarms'] });

client.on('state', (s) => console.log(`${time()} [${s.newState}${s.transport ? ` over ${s.transport}` : ''}] ${s.reason}`));
client.on('snapshot', (s) => {
  console.log(`${time()} ${s.active.length} active alarm(s) at event ${s.last_event_id}`);
  for (const a of s.active)
    console.log(`  ${a.state.padEnd(7)} ${a.severity.padEnd(8)} ${a.rule_name} = ${a.value}${a.acked ? '' : ' (unacked)'}`);
});
client.on('alarm_state', (e) =>
  console.log(
    `${time(e.ts)} #${e.id} ${e.state.padEnd(7)} ${e.severity.padEnd(8)} ${e.rule_name} = ${e.value} (was ${e.previous_state}, ${e.reason})`,
  ),
);
client.on('alarm_ack', (e) =>
  console.log(`${time(e.ts)} #${e.id} ACK     rule ${e.rule_id} by ${e.user}${e.comment ? `: ${e.comment}` : ''}`),
);
client.on('error', (err) => console.error(`${time()} error ${err.code}: ${err.message}`));
client.on('state', (s) => {
  if (s.newState === 'disconnected' && s.reason !== 'close()') process.exitCode = 1;
});

process.once('SIGINT', () => client.close());
process.once('SIGTERM', () => client.close());
client.connect();
