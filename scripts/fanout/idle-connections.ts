import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcMemory } from './proc-stats.js';
import type { CloseReply, Command, ConnectReply } from './protocol.js';
import { int, ms } from './stats.js';

type Request = <T>(command: Command) => Promise<T>;

/** A server to hold idle connections: where its clients connect and how to read its memory. */
export interface IdleServer {
  name: string;
  wsUrl: string;
  /** With a token, a connection counts once it got its `snapshot`; without, once open. */
  token?: string;
  memory(): ProcMemory;
  /** How many connections the server itself says it holds. */
  held(): Promise<number>;
}

export interface IdleFigures {
  /** Connections opened in each round. */
  opened: [number, number];
  /** RSS per connection, bytes: round 1 from before it, round 2 from after round 1 closed, round 2 from before round 1. */
  round1: number;
  round2: number;
  round2FromBase: number;
  /** RSS still held after round 1 closed, per connection of it. */
  retained: number;
}

/**
 * Idle connections: `count` WebSockets to each server (one after the other, all held at once),
 * RSS from /proc/<pid>/status before, with them, after closing them all, and with `count` new
 * ones. The first round includes one-time growth (heap, JIT code, tables sized up); the second
 * shows what a connection costs once that is paid, as far as RSS can tell: pages freed by the
 * first round and not returned to the kernel are reused, so it can understate.
 */
export async function idleConnections(
  request: Request,
  servers: IdleServer[],
  count: number,
  settleMs: number,
): Promise<Map<string, IdleFigures>> {
  const read = async () => {
    await sleep(settleMs);
    return servers.map((s) => s.memory());
  };
  const open = async () => {
    const opened: number[] = [];
    for (const s of servers) {
      const r = await request<ConnectReply>({
        cmd: 'connect-ws',
        group: `idle ${s.name}`,
        url: s.wsUrl,
        count,
        ...(s.token && { token: s.token }),
        concurrency: 200,
      });
      const errors = Object.entries(r.errors)
        .map(([why, n]) => `${n}x ${why}`)
        .join(', ');
      console.log(
        `  opened ${int(r.opened)} idle WebSockets to the ${s.name} in ${ms(r.ms, 0)}${r.failed ? `; ${r.failed} FAILED: ${errors}` : ''}`,
      );
      opened.push(r.opened);
    }
    return opened;
  };
  const closeAll = async () => {
    const c = await request<CloseReply>({ cmd: 'close-all', timeoutMs: 20_000 });
    console.log(`  closed ${int(c.closed)} in ${ms(c.ms, 0)} (${c.leftOver} left open)`);
  };

  const held = async (when: string) => {
    const counts = await Promise.all(servers.map(async (s) => `${s.name} ${int(await s.held())}`));
    console.log(`  ${when}, the servers hold: ${counts.join(', ')}`);
  };
  const base = await read();
  const opened1 = await open();
  const with1 = await read();
  await held('round 1');
  await closeAll();
  const closed1 = await read();
  await held('all closed');
  const opened2 = await open();
  const with2 = await read();
  await held('round 2');
  await closeAll();

  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const out = new Map<string, IdleFigures>();
  servers.forEach((s, i) => {
    const [b, w1, c1, w2] = [base[i]!, with1[i]!, closed1[i]!, with2[i]!];
    const [n1, n2] = [Math.max(opened1[i]!, 1), Math.max(opened2[i]!, 1)];
    const per = (to: ProcMemory, from: ProcMemory, n: number) =>
      `${kb((to.VmRSS - from.VmRSS) / n)} (anon ${kb((to.RssAnon - from.RssAnon) / n)})`;
    console.log(`  ${s.name} VmRSS: before ${mb(b.VmRSS)}, round 1 ${mb(w1.VmRSS)}, all closed ${mb(c1.VmRSS)}, round 2 ${mb(w2.VmRSS)}`);
    console.log(
      `  ${s.name} RSS per idle connection: round 1 ${per(w1, b, n1)}; round 2 ${per(w2, c1, n2)} from all closed, ` +
        `${per(w2, b, n2)} from before round 1; still held after round 1 closed: ${per(c1, b, n1)}`,
    );
    out.set(s.name, {
      opened: [opened1[i]!, opened2[i]!],
      round1: (w1.VmRSS - b.VmRSS) / n1,
      round2: (w2.VmRSS - c1.VmRSS) / n2,
      round2FromBase: (w2.VmRSS - b.VmRSS) / n2,
      retained: (c1.VmRSS - b.VmRSS) / n1,
    });
  });
  console.log(
    '  (RSS read from outside, no GC forced: on Node what the closes freed, and their own garbage, mostly stay resident, ' +
      'so round 2 "from all closed" can be ~0 or below; "from before round 1" is the peak per connection)',
  );
  return out;
}
