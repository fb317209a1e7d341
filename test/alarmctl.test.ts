import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPostgres } from './helpers/postgres.js';
import { startTestApp, testRuntime, type Json } from './helpers/test-app.js';

// alarmctl as a shell runs it: a child process on a SQLite file (README, "Config as files").
// Under Bun the CLI runs on Bun too (bun:sqlite), as the server would.
const dir = mkdtempSync(join(tmpdir(), 'alarmctl-'));
const database = join(dir, 'alarms.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runtimeArgs = process.versions.bun ? [] : ['--import', 'tsx'];
// Each test runs the CLI 4-8 times, a process each (1.1-1.5 s on a quiet machine, under tsx);
// under CI's load one took over 60 s.
const CLI_TEST_MS = 120_000;

function alarmctl(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
  const { ALARMCTL_PASSWORD: _, DATABASE: __, ...env } = process.env;
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [...runtimeArgs, 'src/cli/alarmctl.ts', ...args],
      { env: { ...env, DATABASE: database, ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
    child.stdin!.end(options.stdin ?? '');
  });
}

const plantFile = (): Json => ({
  version: 1,
  plcs: [
    {
      name: 'Line 1',
      host: '127.0.0.1',
      datapoints: [
        { label: 'TT1', area: 'holding', address: 0, type: 'uint16' },
        { label: 'RUN', area: 'coil', address: 0, type: 'bool' },
      ],
    },
  ],
  rules: [
    {
      name: 'Oven hot',
      datapoint: 'Line 1/TT1',
      severity: 'high',
      comparison: 'above',
      alarm_threshold: 100,
      suppress_when: { datapoint: 'Line 1/RUN', comparison: 'equal', value: 0 },
    },
    { name: 'Oven cold', datapoint: 'Line 1/TT1', comparison: 'below', alarm_threshold: 10 },
  ],
  notifiers: [
    { name: 'broker', kind: 'mqtt', url: 'mqtt://127.0.0.1:1883' },
    { name: 'pager', kind: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'webhook-secret-0123456789' },
  ],
});
const plantPath = join(dir, 'plant.json');
writeFileSync(plantPath, JSON.stringify(plantFile()));

describe('alarmctl user', () => {
  it('adds a user (password from the environment), sets a new one (from stdin), lists them', { timeout: CLI_TEST_MS }, async () => {
    const added = await alarmctl(['user', 'add', 'alice', '--role', 'operator'], { env: { ALARMCTL_PASSWORD: 'first-password-1' } });
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining('created operator "alice"') });
    expect((await alarmctl(['user', 'add', 'bob'], { env: { ALARMCTL_PASSWORD: 'first-password-1' } })).code).toBe(2);
    expect(
      (await alarmctl(['user', 'add', 'ALICE', '--role', 'viewer'], { env: { ALARMCTL_PASSWORD: 'first-password-1' } })).stderr,
    ).toContain('taken');
    expect((await alarmctl(['user', 'passwd', 'alice'], { stdin: 'second-password-2\n' })).code).toBe(0);
    expect((await alarmctl(['user', 'passwd', 'nobody'], { stdin: 'second-password-2\n' })).code).toBe(1);
    expect((await alarmctl(['user', 'passwd', 'alice'], { stdin: 'short\n' })).stderr).toContain('password');
    const listed = JSON.parse((await alarmctl(['user', 'list', '--json'])).stdout);
    expect(listed).toEqual([{ id: 1, username: 'alice', role: 'operator' }]);
  });
});

describe('alarmctl import and export', () => {
  it('a dry run and a bad file change nothing; the import applies it; the export gives it back', { timeout: CLI_TEST_MS }, async () => {
    const dry = await alarmctl(['import', plantPath, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('create rule "Oven hot" on Line 1/TT1');
    expect(dry.stdout).toContain('dry run: 7 to create, 0 to update, 0 to delete, 0 unchanged; nothing applied');
    expect(JSON.parse((await alarmctl(['export'])).stdout).plcs).toEqual([]);

    const badPath = join(dir, 'bad.json');
    writeFileSync(
      badPath,
      JSON.stringify({
        ...plantFile(),
        rules: [...plantFile().rules, { name: 'Lost', datapoint: 'Line 1/TT9', comparison: 'above', alarm_threshold: 1 }],
      }),
    );
    const bad = await alarmctl(['import', badPath]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('rules.2.datapoint: no datapoint "Line 1/TT9"');
    expect(JSON.parse((await alarmctl(['export'])).stdout).plcs).toEqual([]);

    const applied = await alarmctl(['import', plantPath]);
    expect(applied).toMatchObject({ code: 0, stdout: expect.stringContaining('imported: 7 created, 0 updated, 0 deleted, 0 unchanged') });

    const exportPath = join(dir, 'export.json');
    expect((await alarmctl(['export', exportPath])).code).toBe(0);
    const exported = JSON.parse(readFileSync(exportPath, 'utf8'));
    expect(JSON.parse((await alarmctl(['export'])).stdout)).toEqual(exported);
    expect(exported.rules).toEqual([
      expect.objectContaining({
        name: 'Oven hot',
        datapoint: 'Line 1/TT1',
        suppress_when: { datapoint: 'Line 1/RUN', comparison: 'equal', value: 0 },
      }),
      expect.objectContaining({ name: 'Oven cold', datapoint: 'Line 1/TT1' }),
    ]);
    expect(exported.notifiers[1]).toEqual(expect.not.objectContaining({ secret: expect.anything() }));
    const again = JSON.parse((await alarmctl(['import', exportPath, '--json'])).stdout);
    expect(again.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 7 }); // the stored secret is kept
  });
});

describe('alarmctl beside a running server', () => {
  it('refuses to write while a server has the SQLite file; reads and backs up meanwhile', { timeout: CLI_TEST_MS }, async () => {
    const server = await startTestApp({ DATABASE: database });
    try {
      const operator = await server.login('alice', 'second-password-2');
      expect((await server.call('GET', '/api/rules', { token: operator })).json).toHaveLength(2);

      const refused = await alarmctl(['import', plantPath]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('in use');
      expect(
        (await alarmctl(['user', 'add', 'carol', '--role', 'viewer'], { env: { ALARMCTL_PASSWORD: 'third-password-3' } })).stderr,
      ).toContain('in use');

      expect(JSON.parse((await alarmctl(['export'])).stdout).rules).toHaveLength(2);
      const backupPath = join(dir, 'backup.sqlite');
      expect(await alarmctl(['backup', backupPath])).toMatchObject({ code: 0, stdout: expect.stringContaining('backed up') });
      const copy = (await testRuntime()).openSqlite(backupPath);
      const count = (table: string) => (copy.handle.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
      expect([count('plcs'), count('datapoints'), count('rules'), count('notifiers'), count('users')]).toEqual([1, 2, 2, 2, 1]);
      (copy.kysely as unknown as { close(): void }).close();
    } finally {
      await server.stop();
    }
    expect((await alarmctl(['import', plantPath, '--dry-run'])).code).toBe(0);
  });
});

describe('alarmctl on PostgreSQL', () => {
  it("imports and exports there as on SQLite; backup is pg_dump's job", { timeout: CLI_TEST_MS }, async () => {
    const scratch = await freshPostgres();
    try {
      const env = { DATABASE: scratch.url };
      expect((await alarmctl(['import', plantPath], { env })).code).toBe(0);
      // The same file into SQLite (the tests above) and into PostgreSQL exports the same.
      expect(JSON.parse((await alarmctl(['export'], { env })).stdout)).toEqual(JSON.parse((await alarmctl(['export'])).stdout));
      const backup = await alarmctl(['backup', join(dir, 'pg.sqlite')], { env });
      expect(backup.code).toBe(2);
      expect(backup.stderr).toContain('pg_dump');
    } finally {
      await scratch.drop();
    }
  });
});
