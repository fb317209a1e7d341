import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type RuntimeName = 'node' | 'bun';

/** The command that runs src/main.ts on a runtime, the way `npm start` / `start:bun` run the build. */
function mainCommand(runtime: RuntimeName): [string, string[]] {
  if (runtime === 'bun') return [process.versions.bun ? process.execPath : 'node_modules/.bin/bun', ['src/main.ts']];
  // PROFILE_MAIN_DIR=dir: a CPU profile of the server, written when it stops (for the benches).
  const profile = process.env['PROFILE_MAIN_DIR'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['PROFILE_MAIN_DIR']}`] : [];
  return [process.versions.bun ? 'node' : process.execPath, [...profile, '--import', 'tsx', 'src/main.ts']];
}

/** Starts the server as its own process (on this runtime unless told) and collects its output lines. */
export function startMain(env: Record<string, string>, runtime: RuntimeName = process.versions.bun ? 'bun' : 'node') {
  const [command, args] = mainCommand(runtime);
  const child = spawn(command, args, {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATABASE: ':memory:', DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  /** Each line's message (the server writes JSON lines: their `msg`), and the lines as written. */
  const lines: string[] = [];
  const raw: string[] = [];
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (written) => {
      raw.push(written);
      const line = messageOf(written);
      lines.push(line);
      for (const w of [...waiters]) {
        const m = line.match(w.re);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
  }
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const found = lines.map((l) => l.match(re)).find(Boolean);
      if (found) return resolve(found);
      waiters.push({ re, resolve });
      child.once('exit', () => reject(new Error(`exited before ${re}: ${lines.join('\n')}`)));
    });
  /** The base URL once the server listens. */
  const url = async () => (await waitFor(/^listening on (http:\/\/127\.0\.0\.1:\d+) \((?:node|bun)\)$/))[1]!;
  return { child, lines, raw, waitFor, url };
}

function messageOf(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : line;
  } catch {
    return line;
  }
}
