import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcMemory } from './proc-stats.js';

/** A server's resident memory at each stage of the bench, read from outside (/proc/<pid>/status). */
export class StreamMemory {
  readonly stages: { name: string; streams: { ws: number; sse: number }; mem: ProcMemory }[] = [];

  constructor(
    readonly name: string,
    private readonly read: () => ProcMemory,
  ) {}

  /** Records the memory after `settleMs` of quiet: no GC is forced, as from outside none can be. */
  async mark(name: string, streams: { ws: number; sse: number }, settleMs = 1500): Promise<void> {
    await sleep(settleMs);
    this.stages.push({ name, streams, mem: this.read() });
  }

  stage(name: string) {
    const s = this.stages.find((x) => x.name === name);
    if (!s) throw new Error(`no memory stage ${name}`);
    return s;
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Per stage, each server's RSS, and for each step the growth per stream it added, floor beside app. */
export function printMemory(floor: StreamMemory, app: StreamMemory, steps: [from: string, to: string, what: string][]): void {
  for (const m of [floor, app]) {
    console.log(`  ${m.name.padEnd(5)} VmRSS: ${m.stages.map((s) => `${s.name} ${mb(s.mem.VmRSS)}`).join(', ')}`);
  }
  for (const [from, to, what] of steps) {
    const line = (m: StreamMemory) => {
      const a = m.stage(from);
      const b = m.stage(to);
      const n = b.streams.ws + b.streams.sse - (a.streams.ws + a.streams.sse);
      return `${kb((b.mem.VmRSS - a.mem.VmRSS) / n)} (anon ${kb((b.mem.RssAnon - a.mem.RssAnon) / n)})`;
    };
    console.log(`  RSS per stream, ${what}: floor ${line(floor)}; app ${line(app)}`);
  }
}
