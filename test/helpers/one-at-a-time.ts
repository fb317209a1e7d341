import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** Makes this test file take its turn among the files that share `name` (see oneAtATime). */
export function takeTurns(name: string): void {
  let release: (() => void) | undefined;
  // First registered, so the file's own clean-up runs before the turn passes on.
  beforeAll(async () => {
    release = await oneAtATime(name);
  }, 600_000);
  afterAll(() => release?.());
}

/**
 * Runs the suites that share `name` one at a time across the run's test workers (vitest runs
 * four files at once). The cluster suites start two or three server processes each: together on
 * two cores they starve one another past their guards. The lock is a directory, left behind by
 * a crashed holder only until its process is found gone.
 */
export async function oneAtATime(name: string): Promise<() => void> {
  const dir = join(tmpdir(), `alarm-tests-${name}.lock`);
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch {
      if (!holderAlive(dir)) rmSync(dir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function holderAlive(dir: string): boolean {
  try {
    process.kill(Number(readFileSync(join(dir, 'pid'), 'utf8')), 0);
    return true;
  } catch (err) {
    // no pid file yet (the holder is writing it), or a process we may not signal: alive
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
