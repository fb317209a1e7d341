import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A full GC before reading RSS makes the per-connection figure about live memory, not garbage.
 * With --expose-gc it is `global.gc`; otherwise the flag is turned on at runtime and a fresh
 * context (which sees the flag) hands out its `gc`.
 */
export function findGc(): { gc: (() => void) | undefined; how: string } {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return { gc: exposed, how: 'global.gc (run with --expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    return { gc: runInNewContext('gc') as () => void, how: 'yes, enabled at runtime via v8.setFlagsFromString' };
  } catch {
    return { gc: undefined, how: 'no (figures include garbage)' };
  }
}

/** Memory after a few GCs with pauses between them, so finalizers and freed buffers settle. */
export async function settledMemory(gc: (() => void) | undefined): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(100);
  }
  return process.memoryUsage();
}
