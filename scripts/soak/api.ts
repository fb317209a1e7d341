/** REST helpers for the soak: sign-in, the plant it polls, and the once-a-second traffic. */
import { randomUUID } from 'node:crypto';

export interface Api {
  token: string;
  call(method: string, path: string, body?: object, headers?: Record<string, string>): Promise<{ status: number; json: unknown }>;
}

export async function signIn(baseUrl: string, username: string, password: string): Promise<Api> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const token = ((await res.json()) as { access_token: string }).access_token;
  return {
    token,
    async call(method, path, body, headers = {}) {
      const r = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/json' }), ...headers },
        ...(body && { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, json: text ? (JSON.parse(text) as unknown) : null };
    },
  };
}

/** A PLC on the simulator, `count` uint16 datapoints at holding 0.. and a rule on each (ALARM at >= 50). */
export async function createPlant(api: Api, sim: { host: string; port: number }, count: number, pollMs: number): Promise<void> {
  const post = async (path: string, body: object): Promise<number> => {
    const r = await api.call('POST', path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return (r.json as { id: number }).id;
  };
  const plc = await post('/api/plcs', { name: 'Soak PLC', host: sim.host, port: sim.port, poll_interval_ms: pollMs, timeout_ms: 1000 });
  for (let i = 0; i < count; i++) {
    const point = await post('/api/datapoints', { plc_id: plc, label: `LT-${i}`, area: 'holding', address: i, type: 'uint16' });
    await post('/api/rules', { datapoint_id: point, name: `LT-${i} high`, comparison: 'above', alarm_threshold: 50 });
  }
}

/** Tallies of the once-a-second REST traffic, by request and status. */
export type RestCounts = Record<string, number>;

/**
 * One GET /api/alarms/active and one PUT /api/items/<uuid> (the same timer item, relabelled,
 * with If-Match of the version it is at) per tick. Errors are counted, never thrown.
 */
export function restTraffic(api: Api) {
  const counts: RestCounts = {};
  const itemId = randomUUID();
  let version = 0;
  let n = 0;
  const count = (what: string) => (counts[what] = (counts[what] ?? 0) + 1);

  async function tick(): Promise<void> {
    try {
      const active = await api.call('GET', '/api/alarms/active');
      count(`GET active ${active.status}`);
      const body = { kind: 'timer', label: `soak timer ${n++}`, timer: { duration_s: 600, started_at: null } };
      const put = await api.call('PUT', `/api/items/${itemId}`, body, version ? { 'if-match': String(version) } : {});
      count(`PUT item ${put.status}`);
      if (put.status === 200 || put.status === 201) version = (put.json as { version: number }).version;
    } catch (err) {
      count(`error ${(err as Error).message}`);
    }
  }
  return { tick, counts: () => ({ ...counts }) };
}
