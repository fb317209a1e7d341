import { readFile, writeFile } from 'node:fs/promises';
import type { ConfigIoService } from '../config-io/config-io-service.js';
import { CliFailure } from './cli-failure.js';
import { importOutput } from './import-output.js';
import { readStdin } from './read-secret.js';

/** `alarmctl export [FILE]`: the plant file, to FILE or stdout. */
export async function exportCommand(config: ConfigIoService, out: string | undefined): Promise<undefined> {
  const text = `${JSON.stringify(await config.exportFile(), null, 2)}\n`;
  if (out === undefined) process.stdout.write(text);
  else await writeFile(out, text);
}

export interface ImportFlags {
  dryRun: boolean;
  prune: boolean;
  json: boolean;
}

/** `alarmctl import FILE [--dry-run] [--prune] [--json]`; FILE `-` is stdin. */
export async function importCommand(config: ConfigIoService, path: string, flags: ImportFlags, user: string): Promise<undefined> {
  const text =
    path === '-'
      ? await readStdin()
      : await readFile(path, 'utf8').catch((err: unknown) =>
          Promise.reject(new CliFailure(`cannot read ${path}: ${(err as Error).message}`)),
        );
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    throw new CliFailure(`${path} is not JSON: ${(err as Error).message}`);
  }
  const report = await config.importFile(input, { dryRun: flags.dryRun, prune: flags.prune }, user);
  const lines = flags.json ? [JSON.stringify(report, null, 2)] : importOutput(report);
  process.stdout.write(`${lines.join('\n')}\n`);
}
