import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinoLogger, redact } from '../src/log/pino-logger.js';
import { startMain } from './helpers/server-process.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

// Structured logs (pino): JSON lines, one per request and per stream, secrets never written; and
// the latency histograms /metrics shows.
function captured() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('the pino logger', () => {
  it('writes JSON lines and censors credentials wherever a caller put them', async () => {
    const { lines, destination } = captured();
    const log = pinoLogger({ destination });
    log.info('user created', {
      user: 'ann',
      password: 'hunter2-hunter2',
      body: { password: 'p', secret: 's', token: 't' },
      headers: { authorization: 'Bearer abc', 'x-alarm-signature': 'sha256=abc', accept: 'text/plain' },
      list: ['password'],
    });
    log.error('plain');
    await new Promise((resolve) => setImmediate(resolve));
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({
      level: 30,
      msg: 'user created',
      user: 'ann',
      password: '[redacted]',
      body: { password: '[redacted]', secret: '[redacted]', token: '[redacted]' },
    });
    expect(first.headers).toEqual({ authorization: '[redacted]', 'x-alarm-signature': '[redacted]', accept: 'text/plain' });
    expect(first.list).toEqual(['password']); // values are not names
    expect(lines.join('\n')).not.toMatch(/hunter2|Bearer abc/);
    expect(second).toMatchObject({ level: 50, msg: 'plain' });
    expect(typeof first.time).toBe('string');
  });

  it('leaves a line with nothing secret as it is, and censors a copy otherwise', () => {
    const plain = { method: 'GET', status: 200, user: { name: 'ann' } };
    expect(redact(plain)).toBe(plain);
    const secret = { user: 'ann', body: { token: 't', keep: 1 } };
    expect(redact(secret)).toEqual({ user: 'ann', body: { token: '[redacted]', keep: 1 } });
    expect(secret.body.token).toBe('t'); // the caller's object is untouched
  });

  it('writes readable lines for a terminal, still censored', async () => {
    const { lines, destination } = captured();
    pinoLogger({ destination, pretty: true }).warn('slow', { ms: 12, secret: 'x' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN slow ms=12 secret=\[redacted\]$/);
  });
});

describe('request and stream lines, and the histograms', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await t.login();
  });
  afterAll(() => t.stop());

  it('logs one line per request with its route, status, duration, user and request id', async () => {
    const res = await t.call('GET', '/api/plcs', { token, headers: { 'x-request-id': 'trace-42' } });
    expect(res.headers.get('x-request-id')).toBe('trace-42');
    const line = t.log.lines.find((l) => l.startsWith('info: GET /api/plcs 200'))!;
    const fields = JSON.parse(line.slice(line.indexOf('{')));
    expect(fields).toMatchObject({ req_id: 'trace-42', method: 'GET', route: '/api/plcs', path: '/api/plcs', status: 200, user: 'admin' });
    expect(fields.ms).toBeGreaterThanOrEqual(0);

    const anonymous = await t.call('GET', '/api/plcs', { headers: { 'x-request-id': 'not a valid id!' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/); // made up for it
  });

  it('never logs a query string: stream tickets and tokens travel there', async () => {
    await t.call('GET', '/sse?ticket=the-ticket-itself&access_token=the-token-itself');
    const joined = t.log.lines.join('\n');
    expect(joined).toContain('GET /sse 401');
    expect(joined).not.toMatch(/the-ticket-itself|the-token-itself/);
  });

  it('logs a stream opening and closing', async () => {
    const res = await fetch(`${t.app.url}/sse`, { headers: { authorization: `Bearer ${token}` } });
    const reader = res.body!.getReader();
    await reader.read(); // the welcome
    await reader.cancel();
    await t.app.journal.idle();
    const opened = t.log.lines.find((l) => l.startsWith('info: stream open'))!;
    expect(JSON.parse(opened.slice(opened.indexOf('{')))).toMatchObject({ transport: 'sse', user: 'admin' });
    await expect.poll(() => t.log.lines.some((l) => l.startsWith('info: stream close')), { interval: 20 }).toBe(true);
  });

  it('shows request and delivery latency histograms in /metrics', async () => {
    const text = await (await t.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } })).text();
    expect(text).toContain('# TYPE alarm_server_request_duration_seconds histogram');
    expect(text).toMatch(/alarm_server_request_duration_seconds_count [1-9]\d*/);
    expect(text).toContain('# TYPE alarm_server_event_delivery_seconds histogram');
  });
});

describe('the server process', () => {
  it('writes JSON lines when stdout is not a terminal', async () => {
    const main = startMain({ LOG_LEVEL: 'info' });
    try {
      await main.url();
      const listening = main.raw.map((l) => JSON.parse(l)).find((l) => String(l.msg).startsWith('listening on'));
      expect(listening).toMatchObject({ level: 30 });
    } finally {
      main.child.kill();
    }
  });

  it('refuses an unknown LOG_LEVEL, naming it', async () => {
    const main = startMain({ LOG_LEVEL: 'loud' });
    const code = await new Promise((resolve) => main.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(main.lines.join('\n')).toMatch(/LOG_LEVEL: must be one of fatal, error, warn, info/);
  });
});
