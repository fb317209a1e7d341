/** The logging slice every part of the server takes; main wires it to the console. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Logs one line per message to stdout/stderr. */
export function consoleLogger(): Logger {
  return {
    info: (message) => console.log(message),
    warn: (message) => console.warn(`warn: ${message}`),
    error: (message) => console.error(`error: ${message}`),
  };
}

/** Keeps messages in memory, for tests that assert what was logged. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warn: (message) => lines.push(`warn: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
  };
}
