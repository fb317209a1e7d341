import type { Simulator } from '../../src/modbus/simulator.js';
import type { Msg, WsClient } from './stream-clients.js';

export type Json = any;
type Call = (method: string, path: string, opts?: { token?: string; body?: unknown }) => Promise<{ status: number; json: Json }>;

/** One PLC on the simulator (polled every 50 ms), a float32 temperature at holding 0, and a rule above 80 / 100. */
export async function simulatedRule(call: Call, token: string, sim: Simulator, severity = 'high') {
  const post = async (path: string, body: unknown) => {
    const res = await call('POST', path, { token, body });
    if (res.status !== 201) throw new Error(`${path}: ${JSON.stringify(res.json)}`);
    return res.json;
  };
  sim.setFloat32('holding', 0, 20);
  const plc = await post('/api/plcs', { name: 'Sim', host: sim.host, port: sim.port, poll_interval_ms: 50, timeout_ms: 1000 }); // the default: 300 ms timed out under CI's load (a spurious UNKNOWN)
  const point = await post('/api/datapoints', { plc_id: plc.id, label: 'TT1', area: 'holding', address: 0, type: 'float32', unit: '°C' });
  const rule = await post('/api/rules', {
    datapoint_id: point.id,
    name: 'Oven hot',
    severity,
    comparison: 'above',
    warning_threshold: 80,
    alarm_threshold: 100,
  });
  return { plc, point, rule };
}

/** The value that puts the rule of simulatedRule in each state. */
export const VALUE_FOR = { OK: 20, WARNING: 90, ALARM: 105 } as const;

/**
 * Moves the simulated value so the rule goes through `states`, one after the other, each awaited
 * on the stream (the engine sees every step). Returns the `alarm_state` events, in order.
 */
export async function driveStates(sim: Simulator, stream: WsClient, states: (keyof typeof VALUE_FOR)[], timeoutMs = 5_000): Promise<Msg[]> {
  const seen: Msg[] = [];
  let after = Math.max(0, ...stream.inbox.all.filter((m) => typeof m.id === 'number').map((m) => m.id as number));
  for (const state of states) {
    sim.setFloat32('holding', 0, VALUE_FOR[state]);
    const e = await stream.inbox.next(
      (m) => m.type === 'alarm_state' && m.state === state && m.id > after,
      `${state} after ${after}`,
      timeoutMs,
    );
    after = e.id;
    seen.push(e);
  }
  return seen;
}
