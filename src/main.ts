import './server/thread-pool.js'; // first: sizes libuv's pool before anything uses it
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { pinoLogger } from './log/pino-logger.js';
import { currentRuntime } from './runtime/current.js';

// Composition root: environment -> runtime -> app -> signals.
let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message); // no logger yet: LOG_LEVEL is part of what was wrong
  process.exit(1);
}
// JSON lines for a supervisor or a log shipper; readable lines when someone watches a terminal.
const log = pinoLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true });
const runtime = await currentRuntime();

const app = createApp(config, { runtime, log });

// A stray rejection in some handler must not take the plant's alarms down with it.
process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${String(reason)}`));

// Nor a stray throw (in some socket callback, say): the engine and the journal contain their own
// faults, so the rest keeps serving. But more than 10 within a minute means the process is broken:
// exit(1) and let the supervisor restart it, rather than limp on.
const MAX_UNCAUGHT_PER_MINUTE = 10;
const uncaught: number[] = [];
process.on('uncaughtException', (err) => {
  const now = Date.now();
  log.error(`uncaught exception: ${err.stack ?? String(err)}`);
  uncaught.push(now);
  while (uncaught[0]! <= now - 60_000) uncaught.shift();
  if (uncaught.length > MAX_UNCAUGHT_PER_MINUTE) {
    log.error(`more than ${MAX_UNCAUGHT_PER_MINUTE} uncaught exceptions within a minute: exiting`);
    process.exit(1);
  }
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error(`stop failed: ${String(err)}`);
        process.exit(1);
      },
    );
  });
}

try {
  await app.start();
} catch (err) {
  log.error(`start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  // A fault of ours rather than of the environment: where it happened is the useful part.
  if (err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError) log.error(err.stack ?? '');
  process.exit(1);
}
