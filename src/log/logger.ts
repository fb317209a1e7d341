/** Structured details of a log line: `{route, status, ms}`, never secrets (pino redacts the known ones anyway). */
export type LogFields = Record<string, unknown>;

/** The logging slice every part of the server takes; main wires it to pino (src/log/pino-logger.ts). */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Keeps messages in memory, for tests that assert what was logged; fields follow as JSON. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const line = (level: string) => (message: string, fields?: LogFields) =>
    void lines.push(`${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  return { lines, info: line('info'), warn: line('warn'), error: line('error') };
}

/** The same logger with `fields` on every line (a cluster node's name, say). */
export function withFields(log: Logger, fields: () => LogFields | undefined): Logger {
  const add = (extra?: LogFields) => {
    const base = fields();
    return base === undefined ? extra : { ...base, ...extra };
  };
  return {
    info: (message, extra) => log.info(message, add(extra)),
    warn: (message, extra) => log.warn(message, add(extra)),
    error: (message, extra) => log.error(message, add(extra)),
  };
}
