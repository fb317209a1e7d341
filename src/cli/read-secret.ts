import { CliFailure } from './cli-failure.js';

/** Everything on stdin, as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One line typed at the terminal, not echoed. */
function askHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (finish: () => void) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      finish();
    };
    function onData(chunk: string) {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
        if (ch === '\u0003' || ch === '\u0004') return done(() => reject(new CliFailure('cancelled')));
        typed = ch === '\u007f' || ch === '\b' ? typed.slice(0, -1) : typed + ch;
      }
    }
    input.on('data', onData);
  });
}

/**
 * A password: ALARMCTL_PASSWORD if set (scripts), else asked twice at a terminal, else the
 * first line of stdin (`echo "$PW" | alarmctl user passwd NAME`).
 */
export async function readPassword(env: Record<string, string | undefined>): Promise<string> {
  const fromEnv = env['ALARMCTL_PASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) return (await readStdin()).split(/\r?\n/)[0] ?? '';
  const first = await askHidden('password: ');
  if ((await askHidden('again: ')) !== first) throw new CliFailure('the passwords differ');
  return first;
}
