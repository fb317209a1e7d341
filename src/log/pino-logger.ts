import pino, { type DestinationStream } from 'pino';
import type { Logger, LogFields } from './logger.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Field names that may carry a credential, wherever a caller put them, at the top of a line's
 * fields or one level down: censored before the line is written. Request lines log the path
 * without its query, so `?access_token=` and `?ticket=` never reach a log in the first place.
 */
export const REDACTED = new Set([
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
  'x-alarm-signature',
]);

const CENSOR = '[redacted]';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `fields` itself when nothing in it is secret (the usual line: no copy), else a censored copy. */
export function redact(fields: LogFields): LogFields {
  let out: LogFields | undefined;
  for (const key in fields) {
    const value = fields[key];
    let censored: unknown;
    if (REDACTED.has(key)) censored = CENSOR;
    else if (isRecord(value)) {
      for (const inner in value) {
        if (!REDACTED.has(inner)) continue;
        censored ??= { ...value };
        (censored as Record<string, unknown>)[inner] = CENSOR;
      }
    }
    if (censored === undefined) continue;
    out ??= { ...fields };
    out[key] = censored;
  }
  return out ?? fields;
}

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
      // Not pino's `redact`: it parses its paths again for every line, 8-12 µs a line (4-6x
      // the line itself, Node and Bun); the names are checked here instead.
    },
    options.pretty ? readable(out) : out,
  );
  const at = (level: 'info' | 'warn' | 'error') => (message: string, fields?: LogFields) =>
    fields === undefined ? logger[level](message) : logger[level](redact(fields), message);
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
