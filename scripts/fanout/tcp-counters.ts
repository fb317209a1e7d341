import { readFileSync } from 'node:fs';

/**
 * The kernel's count of delayed ACKs (Linux, system-wide; NaN elsewhere). Loopback's MSS is
 * 64 KiB, so writes of a few KB are often ACKed only by the 40 ms delayed-ACK timer; on the
 * machine this was written on, the runs with many more delayed ACKs than usual were the slow
 * ones, with CPU left idle. Printed per run to tell such TCP stalls from server cost.
 */
export function delayedAcks(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = lines[i]!.split(/\s+/);
      const column = names.indexOf('DelayedACKs');
      if (column > 0) return Number(lines[i + 1]!.split(/\s+/)[column]);
    }
  } catch {
    // not Linux
  }
  return NaN;
}
