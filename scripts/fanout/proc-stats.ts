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

/** A thread's scheduler run time so far, ns (/proc/<pid>/task/<tid>/schedstat); throws once it has ended. */
export const threadRunNs = (pid: number, tid: number | string): number =>
  Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);

const TICK_MS = 10; // USER_HZ (getconf CLK_TCK) is 100 on Linux
/** Per process: each thread's run time when last seen (ns), and what threads seen to restart had run. */
const seen = new Map<number, { threads: Map<string, number>; carried: number }>();

/**
 * CPU milliseconds `pid` has used so far, all its threads (worker threads, libuv's pool, V8's
 * and JSC's helpers), and never less than at the last call:
 * - the sum of the threads' scheduler run times (/proc/<pid>/task/<tid>/schedstat, in ns),
 *   finer than a clock tick, where a thread that has ended keeps the time it had when last
 *   seen (Bun's JSC starts and ends JIT, GC and pool threads as it goes: summing only the live
 *   ones made the count go down, by 80 ms in 3 s once);
 * - but at least utime + stime of /proc/<pid>/stat, which counts ended threads in full, in
 *   10 ms ticks: what a thread ran after it was last seen, or a thread never seen, is in that.
 */
export function procCpuMs(pid: number): number {
  let state = seen.get(pid);
  if (!state) seen.set(pid, (state = { threads: new Map(), carried: 0 }));
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = threadRunNs(pid, tid);
      const before = state.threads.get(tid) ?? 0;
      if (ns < before) state.carried += before; // the id went to a new thread
      state.threads.set(tid, ns);
    } catch {
      // the thread ended meanwhile: it keeps what it had when last seen
    }
  }
  let ns = state.carried;
  for (const v of state.threads.values()) ns += v;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
  // after the command: state is field 3, utime 14 and stime 15 (proc(5)), here 0-based from state
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Math.max(ns / 1e6, ticks * TICK_MS);
}

/** The main thread's run time so far, in ms. */
export const mainThreadMs = (pid: number): number => threadRunNs(pid, pid) / 1e6;

/**
 * Each thread's run time so far (ms, /proc/<pid>/task/<tid>/schedstat) by name: its comm with a
 * trailing number dropped (JSC numbers its helpers), the main thread as "main". A thread that
 * has ended is not counted: for comparing windows in which the same threads ran, not for totals.
 */
export function threadCpuMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = Number(tid) === pid ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '');
      const ms = threadRunNs(pid, tid) / 1e6;
      byName.set(name, (byName.get(name) ?? 0) + ms);
    } catch {
      // the thread ended meanwhile
    }
  }
  return byName;
}
