import { readdirSync, readFileSync } from 'node:fs';

/** A process's memory as the kernel counts it (/proc/<pid>/status), in bytes. */
export interface ProcMemory {
  VmRSS: number;
  RssAnon: number;
  RssFile: number;
}

/** Resident memory of `pid`, read from outside: what the process holds, whatever its runtime. */
export function procMemory(pid: number): ProcMemory {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { VmRSS: kb('VmRSS'), RssAnon: kb('RssAnon'), RssFile: kb('RssFile') };
}

/**
 * CPU milliseconds `pid` has used so far, all its threads (worker threads, libuv's pool, V8's
 * helpers): the sum of their scheduler run times (/proc/<pid>/task/<tid>/schedstat, in ns),
 * finer than the 10 ms ticks of /proc/<pid>/stat. Threads that have ended are not counted.
 */
export function procCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}
