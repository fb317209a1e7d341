import * as v from 'valibot';
import { LOG_LEVELS, type LogLevel } from './log/pino-logger.js';

/** Reads an integer from an environment string, with bounds. */
const intFromEnv = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const flagFromEnv = v.pipe(
  v.picklist(['0', '1', 'true', 'false'], 'must be 0 or 1'),
  v.transform((s) => s === '1' || s === 'true'),
);

const originList = v.pipe(
  v.string(),
  v.transform((s) =>
    s
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  ),
  v.array(v.pipe(v.string(), v.url('must be an origin such as https://scada.example.com'))),
);

/** The environment as SPEC section 1 names it; every variable is optional. */
const EnvSchema = v.object({
  HOST: v.optional(v.pipe(v.string(), v.minLength(1)), '127.0.0.1'),
  PORT: v.optional(intFromEnv(0, 65535), '8080'),
  DATABASE: v.optional(v.pipe(v.string(), v.minLength(1)), 'db/alarms.sqlite'),
  JWT_SECRET: v.optional(
    v.pipe(
      v.string(),
      v.check((s) => new TextEncoder().encode(s).length >= 32, 'must be at least 32 bytes'),
    ),
  ),
  ADMIN_USER: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64)), 'admin'),
  ADMIN_PASSWORD: v.optional(v.pipe(v.string(), v.minLength(8, 'must be at least 8 characters'))),
  DEMO: v.optional(flagFromEnv, '1'),
  HEARTBEAT_MS: v.optional(intFromEnv(1000, 3_600_000), '30000'),
  TOKEN_TTL_S: v.optional(intFromEnv(60, 30 * 86_400), '3600'),
  ALLOWED_ORIGINS: v.optional(originList, ''),
  MAX_STREAMS_PER_USER: v.optional(intFromEnv(1, 100_000), '20'),
  MAX_CONNECTIONS: v.optional(intFromEnv(1, 1_000_000), '10000'),
  NODE_NAME: v.optional(v.pipe(v.string(), v.trim(), v.regex(/^[\w.:@-]{1,48}$/, 'must be 1-48 letters, digits or . : @ _ -'))),
  TREND_DAYS: v.optional(intFromEnv(1, 3650), '30'),
  LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), 'info'),
});

export interface Config {
  host: string;
  port: number;
  database: string;
  jwtSecret: string | undefined;
  adminUser: string;
  adminPassword: string | undefined;
  demo: boolean;
  heartbeatMs: number;
  tokenTtlS: number;
  allowedOrigins: string[];
  maxStreamsPerUser: number;
  maxConnections: number;
  /** A cluster node's name (SPEC 12); `<hostname>:<port>` when not set. */
  nodeName: string | undefined;
  /** How many days of per-minute trends are kept (SPEC 13). */
  trendDays: number;
  /** pino's level: info by default; debug and trace add nothing today, error and silent quiet it. */
  logLevel: LogLevel;
}

/** Thrown when the environment is unusable; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once at start-up. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable (`PORT=`) means "not set", as shells and compose files write it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = v.safeParse(EnvSchema, present);
  if (!result.success) {
    const lines = result.issues.map((issue) => `${String(issue.path?.[0]?.key ?? '?')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${lines.join('; ')}`);
  }
  const e = result.output;
  return {
    host: e.HOST,
    port: e.PORT,
    database: e.DATABASE,
    jwtSecret: e.JWT_SECRET,
    adminUser: e.ADMIN_USER,
    adminPassword: e.ADMIN_PASSWORD,
    demo: e.DEMO,
    heartbeatMs: e.HEARTBEAT_MS,
    tokenTtlS: e.TOKEN_TTL_S,
    allowedOrigins: e.ALLOWED_ORIGINS,
    maxStreamsPerUser: e.MAX_STREAMS_PER_USER,
    maxConnections: e.MAX_CONNECTIONS,
    nodeName: e.NODE_NAME,
    trendDays: e.TREND_DAYS,
    logLevel: e.LOG_LEVEL,
  };
}
