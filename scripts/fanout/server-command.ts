import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Runtime = 'node' | 'bun';

/**
 * The command that runs the app the way `npm start` does, from the repo root, after
 * `npm run build`: for node, the last step of package.json's `start` script
 * (`node --max-semi-space-size=2 dist/src/main.js`) with this node; `nodeFlags` replaces its
 * flags (the bench's SERVER_NODE_FLAGS). For bun, `node_modules/.bin/bun src/main.ts`.
 */
export function serverCommand(repo: string, runtime: Runtime, nodeFlags?: string[]): { file: string; args: string[] } {
  if (runtime === 'bun') return { file: join(repo, 'node_modules/.bin/bun'), args: ['src/main.ts'] };
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts['start'] ?? '').split('&&').at(-1)!.trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json's start script does not end with a node command: ${pkg.scripts['start']}`);
  const script = words.at(-1)!;
  return { file: process.execPath, args: [...(nodeFlags ?? words.slice(1, -1)), script] };
}

/** `npm run build` in `dir`; tsc emits even when it reports type errors, which are shown. */
export function buildApp(dir: string): void {
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: 'pipe' });
  } catch (err) {
    const out = String((err as { stdout?: Buffer }).stdout ?? '')
      .split('\n')
      .filter(Boolean);
    console.log(`npm run build in ${dir} reported ${out.length} lines of errors (first: ${out[0] ?? '?'}); running what it emitted`);
  }
}
