/**
 * Milliseconds on the system's monotonic clock (CLOCK_MONOTONIC, via process.hrtime), the same
 * clock in every process on the machine: a time taken in the simulator can be compared with
 * one taken in the client process. `performance.timeOrigin + performance.now()` (wall-clock.ts)
 * pairs two clocks once at each process's start, and on a loaded machine that pairing was seen
 * to be off by several ms (a floor's first client "before" the read).
 */
export const monoNow = (): number => Number(process.hrtime.bigint()) / 1e6;
