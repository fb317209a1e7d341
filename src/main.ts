import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { consoleLogger } from './log/logger.js';

// Composition root: environment -> app -> signals.
const log = consoleLogger();

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  log.error(err.message);
  process.exit(1);
}

const app = createApp(config, { log });

// A stray rejection in some handler must not take the plant's alarms down with it.
process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${String(reason)}`));

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
  process.exit(1);
}
