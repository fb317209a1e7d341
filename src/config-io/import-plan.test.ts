import { describe, expect, it } from 'vitest';
import { AppError } from '../kernel/errors.js';
import type { Notifier } from '../notify/notifier.js';
import type { Datapoint } from '../plant/datapoint.js';
import type { Plc } from '../plant/plc.js';
import type { Rule } from '../plant/rule.js';
import type { CurrentConfig } from './current-config.js';
import { plantFileOf } from './file-form.js';
import { planImport } from './import-plan.js';
import { reportOf } from './import-report.js';
import { parsePlantFile } from './plant-file.js';

const plc = (id: number, name: string, over: Partial<Plc> = {}): Plc => ({
  id,
  name,
  host: '10.0.0.1',
  port: 502,
  unit_id: 1,
  poll_interval_ms: 1000,
  timeout_ms: 1000,
  max_in_flight: 1,
  enabled: true,
  ...over,
});
const point = (id: number, plc_id: number, label: string, over: Partial<Datapoint> = {}): Datapoint => ({
  id,
  plc_id,
  label,
  description: '',
  area: 'holding',
  address: id,
  type: 'uint16',
  word_order: 'big',
  scale: 1,
  offset: 0,
  unit: '',
  ...over,
});
const rule = (id: number, datapoint_id: number, name: string, over: Partial<Rule> = {}): Rule => ({
  id,
  datapoint_id,
  name,
  severity: 'medium',
  comparison: 'above',
  warning_threshold: null,
  alarm_threshold: 50,
  deadband: 0,
  on_delay_ms: 0,
  off_delay_ms: 0,
  schedule: null,
  enabled: true,
  suppress_when: null,
  escalate_after_s: null,
  ...over,
});
const webhook = (id: number, name: string, secret = 'stored-secret-0123456789'): Notifier => ({
  id,
  name,
  kind: 'webhook',
  url: 'https://hooks.example.com/a',
  secret,
  enabled: true,
  min_severity: 'low',
  events: ['alarm_state'],
  max_per_rule_per_min: 6,
});
const mqtt = (id: number, name: string): Notifier => ({
  id,
  name,
  kind: 'mqtt',
  url: 'mqtt://bob:hunter2@broker.example.com',
  mqtt_topic: 'alarms',
  enabled: true,
  min_severity: 'low',
  events: ['alarm_state'],
  max_per_rule_per_min: 6,
});

/** Line 1 with TT1 and TT2, a rule on each (one suppressed by TT2), Line 2 with PT1, and two notifiers. */
const current = (): CurrentConfig => ({
  plcs: [plc(1, 'Line 1'), plc(2, 'Line 2')],
  datapoints: [point(10, 1, 'TT1'), point(11, 1, 'TT2'), point(20, 2, 'PT1')],
  rules: [
    rule(100, 10, 'Hot', { suppress_when: { datapoint_id: 11, comparison: 'equal', value: 0 } }),
    rule(101, 11, 'Warm'),
    rule(102, 20, 'High pressure'),
  ],
  notifiers: [webhook(1, 'pager'), mqtt(2, 'broker')],
});

const plan = (file: unknown, prune = false, config = current()) =>
  reportOf(planImport(config, parsePlantFile(file), { prune }), { dryRun: true, prune });

/** The file an export of `current()` gives, to edit a copy of. */
const exported = (): any => JSON.parse(JSON.stringify(plantFileOf(current())));

const problemsOf = (file: unknown, prune = false): { path: string; message: string }[] => {
  try {
    plan(file, prune);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_request');
    return (err as AppError).details;
  }
  throw new Error('the plan had no problems');
};

describe('planning an import', () => {
  it('an export planned against the configuration it came from changes nothing', () => {
    const report = plan(exported(), true);
    expect(report.changes).toEqual([]);
    expect(report.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 10 });
  });

  it('creates into an empty configuration in order: PLCs, their datapoints, rules, notifiers', () => {
    const file = {
      ...exported(),
      notifiers: [{ name: 'pager', kind: 'webhook', url: 'https://h.example.com/', secret: 'a-secret-of-16-chars' }],
    };
    const report = plan(file, false, { plcs: [], datapoints: [], rules: [], notifiers: [] });
    expect(report.changes.map((c) => [c.action, c.resource, c.name, c.datapoint])).toEqual([
      ['create', 'plc', 'Line 1', undefined],
      ['create', 'datapoint', 'Line 1/TT1', undefined],
      ['create', 'datapoint', 'Line 1/TT2', undefined],
      ['create', 'plc', 'Line 2', undefined],
      ['create', 'datapoint', 'Line 2/PT1', undefined],
      ['create', 'rule', 'Hot', 'Line 1/TT1'],
      ['create', 'rule', 'Warm', 'Line 1/TT2'],
      ['create', 'rule', 'High pressure', 'Line 2/PT1'],
      ['create', 'notifier', 'pager', undefined],
    ]);
  });

  it('reports updates by name with the fields that differ, references as names', () => {
    const file = exported();
    file.plcs[0].poll_interval_ms = 500;
    file.plcs[0].datapoints[1].scale = 0.1;
    file.rules[0].alarm_threshold = 60;
    file.rules[0].suppress_when = { datapoint: 'Line 2/PT1', comparison: 'equal', value: 0 };
    const report = plan(file);
    expect(report.changes).toEqual([
      { action: 'update', resource: 'plc', name: 'Line 1', id: 1, changes: { poll_interval_ms: [1000, 500] } },
      { action: 'update', resource: 'datapoint', name: 'Line 1/TT2', id: 11, changes: { scale: [1, 0.1] } },
      {
        action: 'update',
        resource: 'rule',
        name: 'Hot',
        datapoint: 'Line 1/TT1',
        id: 100,
        changes: {
          alarm_threshold: [50, 60],
          suppress_when: [
            { datapoint: 'Line 1/TT2', comparison: 'equal', value: 0 },
            { datapoint: 'Line 2/PT1', comparison: 'equal', value: 0 },
          ],
        },
      },
    ]);
    expect(report.summary).toEqual({ create: 0, update: 3, delete: 0, unchanged: 7 });
  });

  it.each([
    ['without prune, what the file leaves out is kept', false, [], 6],
    [
      'with prune, it is deleted (a PLC with its datapoints and their rules), deletes first',
      true,
      [
        ['delete', 'rule', 'High pressure'],
        ['delete', 'datapoint', 'Line 2/PT1'],
        ['delete', 'plc', 'Line 2'],
        ['delete', 'notifier', 'broker'],
      ],
      6,
    ],
  ])('%s', (_, prune, deletes, unchanged) => {
    const file = exported();
    file.plcs.pop();
    file.rules.pop();
    file.notifiers.pop();
    const report = plan(file, prune as boolean);
    expect(report.changes.map((c) => [c.action, c.resource, c.name])).toEqual(deletes);
    expect(report.summary.unchanged).toBe(unchanged);
  });

  it('with prune, a datapoint dropped from its PLC goes with its rules; a rule dropped from the file goes alone', () => {
    const file = exported();
    file.plcs[0].datapoints.pop(); // TT2, and with it the rule Warm
    file.rules = file.rules.filter((r: any) => r.name !== 'Warm' && r.name !== 'High pressure');
    file.rules[0].suppress_when = null; // Hot was suppressed by TT2
    expect(plan(file, true).changes.map((c) => [c.action, c.resource, c.name])).toEqual([
      ['delete', 'rule', 'Warm'],
      ['delete', 'rule', 'High pressure'],
      ['delete', 'datapoint', 'Line 1/TT2'],
      ['update', 'rule', 'Hot'],
    ]);
  });

  it('leaves a section the file does not have alone, even with prune; so a PLC without a datapoints list keeps its own', () => {
    const { datapoints: _, ...line1 } = exported().plcs[0];
    const report = plan(
      {
        version: 1,
        plcs: [line1, exported().plcs[1]],
        rules: [{ name: 'New', datapoint: 'Line 1/TT1', alarm_threshold: 1, comparison: 'above' }],
      },
      false,
    );
    expect(report.changes.map((c) => [c.action, c.resource, c.name])).toEqual([['create', 'rule', 'New']]);
    expect(plan({ version: 1 }, true).changes).toEqual([]);
  });

  it('pairs rules of one datapoint and name in order (names are not unique), and creates the extra one', () => {
    const config = current();
    config.rules.push(rule(103, 10, 'Hot', { alarm_threshold: 70 }));
    const file = JSON.parse(JSON.stringify(plantFileOf(config)));
    expect(plan(file, true, config).changes).toEqual([]);
    file.rules.push({ ...file.rules[3], alarm_threshold: 90 });
    file.rules[3].alarm_threshold = 75;
    expect(plan(file, true, config).changes.map((c) => [c.action, c.id, c.changes])).toEqual([
      ['update', 103, { alarm_threshold: [70, 75] }],
      ['create', undefined, undefined],
    ]);
  });

  it('keeps a webhook secret the file leaves out and a broker URL shown masked; a new secret shows only as ***', () => {
    const file = exported();
    expect(file.notifiers[0].secret).toBeUndefined();
    expect(file.notifiers[1].url).toBe('mqtt://bob:***@broker.example.com');
    expect(plan(file).changes).toEqual([]);
    file.notifiers[0].secret = 'another-secret-0123456789';
    file.notifiers[1].url = 'mqtt://bob:swordfish@broker.example.com';
    expect(plan(file).changes.map((c) => c.changes)).toEqual([
      { secret: ['***', '***'] },
      { url: ['mqtt://bob:***@broker.example.com', 'mqtt://bob:***@broker.example.com'] },
    ]);
  });

  it('resolves a reference when a name itself has a "/" in it', () => {
    const config: CurrentConfig = { plcs: [plc(1, 'Hall A/Line 1')], datapoints: [point(10, 1, 'TT1')], rules: [], notifiers: [] };
    const report = plan(
      { version: 1, rules: [{ name: 'Hot', datapoint: 'Hall A/Line 1/TT1', comparison: 'above', alarm_threshold: 5 }] },
      false,
      config,
    );
    expect(report.changes).toEqual([{ action: 'create', resource: 'rule', name: 'Hot', datapoint: 'Hall A/Line 1/TT1' }]);
  });
});

describe('a bad file is refused as a whole, each problem with its path', () => {
  const ruleOn = (datapoint: string, over: Record<string, unknown> = {}) => ({
    name: 'R',
    datapoint,
    comparison: 'above',
    alarm_threshold: 5,
    ...over,
  });
  it.each<[string, () => unknown, boolean, { path: string; message: RegExp }[]]>([
    [
      'a wrong type',
      () => ({ ...exported(), rules: [ruleOn('Line 1/TT1', { severity: 'urgent' })] }),
      false,
      [{ path: 'rules.0.severity', message: /low/ }],
    ],
    [
      'an unknown field',
      () => ({ version: 1, plcs: [{ name: 'X', host: 'h', id: 4 }] }),
      false,
      [{ path: 'plcs.0.id', message: /never/i }],
    ],
    ['another version', () => ({ version: 2 }), false, [{ path: 'version', message: /1/ }]],
    [
      'a PLC twice',
      () => ({
        version: 1,
        plcs: [
          { name: 'X', host: 'h' },
          { name: 'X', host: 'h' },
        ],
      }),
      false,
      [{ path: 'plcs.1.name', message: /twice/ }],
    ],
    [
      'a label twice on a PLC, and a coil that is not a bool',
      () => ({
        version: 1,
        plcs: [
          {
            name: 'X',
            host: 'h',
            datapoints: [
              { label: 'A', area: 'coil', address: 0, type: 'uint16' },
              { label: 'A', area: 'holding', address: 1, type: 'bool' },
            ],
          },
        ],
      }),
      false,
      [
        { path: 'plcs.0.datapoints.0.type', message: /bool/ },
        { path: 'plcs.0.datapoints.1.label', message: /twice/ },
      ],
    ],
    [
      'a rule on a datapoint nobody has',
      () => ({ version: 1, rules: [ruleOn('Line 1/TT9')] }),
      false,
      [{ path: 'rules.0.datapoint', message: /no datapoint "Line 1\/TT9"/ }],
    ],
    [
      'a rule on a datapoint the import prunes',
      () => {
        const file = exported();
        file.plcs.pop();
        return { ...file, rules: [ruleOn('Line 2/PT1')] };
      },
      true,
      [{ path: 'rules.0.datapoint', message: /no datapoint/ }],
    ],
    [
      'a rule suppressed by its own datapoint',
      () => ({ version: 1, rules: [ruleOn('Line 1/TT1', { suppress_when: { datapoint: 'Line 1/TT1', comparison: 'equal', value: 1 } })] }),
      false,
      [{ path: 'rules.0.suppress_when.datapoint', message: /own datapoint/ }],
    ],
    [
      'a warning above the alarm',
      () => ({ version: 1, rules: [ruleOn('Line 1/TT1', { warning_threshold: 9 })] }),
      false,
      [{ path: 'rules.0.warning_threshold', message: /exceed/ }],
    ],
    [
      'a new webhook without a secret',
      () => ({ version: 1, notifiers: [{ name: 'new', kind: 'webhook', url: 'https://x.example.com/' }] }),
      false,
      [{ path: 'notifiers.0.secret', message: /required/ }],
    ],
    [
      'a notifier twice',
      () => ({ version: 1, notifiers: [exported().notifiers[1], exported().notifiers[1]] }),
      false,
      [{ path: 'notifiers.1.name', message: /twice/ }],
    ],
  ])('%s', (_, file, prune, expected) => {
    const problems = problemsOf(file(), prune);
    expect(problems.map((p) => p.path)).toEqual(expected.map((e) => e.path));
    problems.forEach((p, i) => expect(p.message).toMatch(expected[i]!.message));
  });

  it('an ambiguous reference is refused rather than guessed', () => {
    const config: CurrentConfig = {
      plcs: [plc(1, 'A'), plc(2, 'A/B')],
      datapoints: [point(10, 1, 'B/C'), point(11, 2, 'C')],
      rules: [],
      notifiers: [],
    };
    expect(() => plan({ version: 1, rules: [ruleOn('A/B/C')] }, false, config)).toThrow(AppError);
  });
});
