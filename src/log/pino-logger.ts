import pino, { type DestinationStream } from 'pino';
import type { Logger, LogFields } from './logger.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Fields that may carry a credential, wherever a caller put them: censored before the line is
 * written. Request lines log the path without its query, so `?access_token=` and `?ticket=`
 * never reach a log in the first place.
 */
export const REDACTED = [
  'password',
  'new_password',
  'current_password',
  'token',
  'access_token',
  'refresh_token',
  'ticket',
  'secret',
  'authorization',
  'cookie',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.ticket',
  '*.secret',
  '*.authorization',
  '*.cookie',
  'headers["x-alarm-signature"]',
];

export interface PinoLoggerOptions {
  level?: LogLevel;
  /** One readable line per message instead of JSON (for a terminal). */
  pretty?: boolean;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/** JSON lines (pino) by default; readable lines when a person is watching a terminal. */
export function pinoLogger(options: PinoLoggerOptions = {}): Logger {
  const out = options.destination ?? pino.destination({ dest: 1, sync: false });
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: undefined, // no pid/hostname on every line: a supervisor knows both
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    options.pretty ? readable(out) : out,
  );
  const at = (level: 'info' | 'warn' | 'error') => (message: string, fields?: LogFields) =>
    fields === undefined ? logger[level](message) : logger[level](fields, message);
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Turns pino's JSON lines into `HH:MM:SS.mmm LEVEL message key=value` (already redacted). */
function readable(out: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      const { level, time, msg, ...fields } = JSON.parse(line) as { level: number; time: string; msg: string } & LogFields;
      const extra = Object.entries(fields)
        .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join('');
      const name = LEVEL_NAMES[level] ?? String(level);
      out.write(`${String(time).slice(11, 23)} ${name === 'info' ? '' : `${name.toUpperCase()} `}${msg}${extra}\n`);
    },
  };
}
