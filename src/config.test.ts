import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the SPEC defaults to an empty environment', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      database: 'db/alarms.sqlite',
      jwtSecret: undefined,
      adminUser: 'admin',
      adminPassword: undefined,
      demo: true,
      heartbeatMs: 30_000,
      tokenTtlS: 3600,
      allowedOrigins: [],
      maxStreamsPerUser: 20,
      maxConnections: 10_000,
      trendDays: 30,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({ PORT: '9000', DEMO: '0', ALLOWED_ORIGINS: 'https://a.example, https://b.example', HEARTBEAT_MS: '5000' });
    expect(c).toMatchObject({ port: 9000, demo: false, allowedOrigins: ['https://a.example', 'https://b.example'], heartbeatMs: 5000 });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['JWT_SECRET', 'too-short'],
    ['DEMO', 'yes'],
    ['TOKEN_TTL_S', '-5'],
    ['ALLOWED_ORIGINS', 'not a url'],
    ['ADMIN_PASSWORD', 'short'],
    ['TREND_DAYS', '0'],
  ])('stops with a message naming %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });
});
