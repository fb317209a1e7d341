/**
 * The server under test as a child process (`node dist/src/main.js`), and its memory as seen
 * from outside (/proc/<pid>/status) and from inside (process.memoryUsage(), asked over an IPC
 * channel by a small probe loaded with --import before main.js).
 */
import { createInterface } from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the probe answers: process.memoryUsage() plus V8's own malloc figure. */
export interface InnerMemory {
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** v8.getHeapStatistics().malloced_memory: what V8 itself holds through malloc. */
  mallocedMemory: number;
  /** Committed sizes of V8's young generation (new_space, which V8 grows under allocation load) and old_space. */
  newSpace: number;
  oldSpace: number;
}

/** Figures from /proc/<pid>/status, in bytes (Threads is a count). */
export interface ProcStatus {
  VmRSS: number;
  RssAnon: number;
  RssFile: number;
  VmHWM: number;
  Threads: number;
}

// The probe is plain JavaScript written next to the database, so the server needs no build step
// of ours and no TypeScript loader (which would add its own memory). Node runs --import modules in
// worker threads too: the main thread answers `memory` over the IPC channel (unref'd, so it never
// keeps the server alive), each worker (the Modbus poller) writes its own figures to
// worker-<threadId>.json every 5 s, since process.memoryUsage() of the main thread does not count
// a worker's V8 heap. `gc` is honoured only when the child runs with --expose-gc.
const PROBE = `
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
const figures = () => {
  const u = process.memoryUsage();
  const space = (name) => getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_size ?? NaN;
  return { heapTotal: u.heapTotal, heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers,
    mallocedMemory: getHeapStatistics().malloced_memory, newSpace: space('new_space'), oldSpace: space('old_space') };
};
if (isMainThread && process.send) {
  process.on('message', (m) => {
    if (!m || m.cmd !== 'memory') return;
    if (m.gc && typeof globalThis.gc === 'function') globalThis.gc();
    process.send({ id: m.id, ...figures() });
  });
  process.channel?.unref();
} else if (!isMainThread) {
  const file = new URL('./worker-' + threadId + '.json', import.meta.url);
  setInterval(() => writeFileSync(file, JSON.stringify(figures())), 5000).unref();
}
`;

export interface ServerChildOptions {
  /** The repo whose dist/src/main.js runs (built beforehand). */
  serverDir: string;
  /** A fresh folder for the database and the probe. */
  dir: string;
  /** Environment of the server on top of a minimal base (PATH, HOME). */
  env: Record<string, string>;
  /** Extra node flags, e.g. --expose-gc. */
  nodeArgs: string[];
  /** Called with every line the server prints. */
  onLine(line: string): void;
}

export async function startServerChild(options: ServerChildOptions) {
  const probe = join(options.dir, 'memory-probe.mjs');
  writeFileSync(probe, PROBE);
  const database = join(options.dir, 'alarms.sqlite');
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE: database,
    DEMO: '0',
    // All 120 soak clients are the one admin: lift the per-user stream cap above them.
    MAX_STREAMS_PER_USER: '1000',
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, [...options.nodeArgs, '--import', pathToFileURL(probe).href, 'dist/src/main.js'], {
    cwd: options.serverDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the server');

  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? String(signal))));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not print "listening on" within 20 s')), 20_000);
    const onLine = (line: string) => {
      options.onLine(line);
      const m = /listening on http:\/\/[^\s:]+:(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    void exited.then((code) => reject(new Error(`server exited during start-up (${code})`)));
  });

  let nextId = 1;
  const waiting = new Map<number, (m: InnerMemory) => void>();
  child.on('message', (m: InnerMemory & { id: number }) => {
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });

  return {
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    database,
    exited,
    /** /proc/<pid>/status: resident memory, split into anonymous and file-backed, and threads. */
    procStatus(): ProcStatus {
      const text = readFileSync(`/proc/${pid}/status`, 'utf8');
      const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
      const kb = (name: string) => field(name) * 1024;
      return { VmRSS: kb('VmRSS'), RssAnon: kb('RssAnon'), RssFile: kb('RssFile'), VmHWM: kb('VmHWM'), Threads: field('Threads') };
    },
    /** CPU seconds the server has used so far, user + system (/proc/<pid>/stat, 100 ticks a second). */
    cpuSeconds(): number {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime and stime, fields 14 and 15
    },
    /** The server's own view of its memory; `gc` forces a full GC first (needs --expose-gc). */
    inner(gc = false, timeoutMs = 5000): Promise<InnerMemory | undefined> {
      const id = nextId++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve(undefined);
        }, timeoutMs);
        waiting.set(id, (m) => {
          clearTimeout(timer);
          resolve(m);
        });
        child.send({ cmd: 'memory', id, gc });
      });
    },
    /** The worker threads' V8 heaps, summed, as they last wrote them (undefined before the first write). */
    workers(): Pick<InnerMemory, 'heapUsed' | 'heapTotal'> | undefined {
      const files = readdirSync(options.dir).filter((f) => /^worker-\d+\.json$/.test(f));
      if (files.length === 0) return undefined;
      const sum = { heapUsed: 0, heapTotal: 0 };
      for (const f of files) {
        try {
          const m = JSON.parse(readFileSync(join(options.dir, f), 'utf8')) as InnerMemory;
          sum.heapUsed += m.heapUsed;
          sum.heapTotal += m.heapTotal;
        } catch {
          // caught mid-write: the next sample reads it
        }
      }
      return sum;
    },
    /** Bytes of the database file and of its write-ahead log. */
    files(): { db: number; wal: number } {
      const size = (f: string) => {
        try {
          return statSync(f).size;
        } catch {
          return 0;
        }
      };
      return { db: size(database), wal: size(`${database}-wal`) };
    },
    /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. */
    async stop(graceMs = 10_000): Promise<number | string> {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const how = await exited;
      clearTimeout(timer);
      return how;
    },
  };
}

export type ServerChild = Awaited<ReturnType<typeof startServerChild>>;
