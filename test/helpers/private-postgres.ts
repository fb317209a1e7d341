import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/** Runs a PostgreSQL tool as the `postgres` user when we are root (initdb refuses root). */
function pgTool(tool: string, args: string[]) {
  const [command, argv] =
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', `${BIN}/${tool}`, ...args]] : [`${BIN}/${tool}`, args];
  return run(command as string, argv as string[]);
}

/**
 * A PostgreSQL server of a test's own (the machine's binaries, a fresh data directory, a free
 * port, trust auth), so the test may stop and restart it without touching the one the rest of
 * the suite shares. Durability is off (fsync): a test's data need not survive a power cut.
 */
export async function privatePostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'alarm-pg-'));
  if (process.getuid?.() === 0) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), 0);
  const data = join(dir, 'data');
  const port = await freePort();
  await pgTool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  // The server's log goes to a file: on our pipes it would keep pg_ctl's output open forever.
  const start = () => pgTool('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']).then(() => {});
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** A fast shutdown: every session is ended, as when the server restarts for an upgrade. */
    stop: () => pgTool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).then(() => {}),
    start,
    async destroy() {
      await pgTool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
