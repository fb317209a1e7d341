import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../kernel/manual-clock.js';
import { startWebhookReceiver } from '../../test/helpers/webhook-receiver.js';
import { memoryLogger } from '../log/logger.js';
import { GIVE_UP_AFTER_MS } from './backoff.js';
import { createDelivery, type Delivery, type DeliveryOptions } from './delivery.js';
import type { CursorStore } from './delivery-cursor.js';
import type { DeliveryStatus } from './delivery-status.js';
import { DeliveryFailure } from './delivery-error.js';
import type { Outgoing, RuleInfo } from './outgoing.js';
import type { Sink } from './sink.js';
import { memoryCursor, memoryJournal } from './test-journal.js';
import { createWebhookSink } from './webhook.js';

const T0 = Date.parse('2026-03-02T08:00:00.000Z'); // a minute boundary

/** A sink that records what it took; `failNext` scripts failures, 'hang' waits until aborted. */
function recordingSink() {
  const sent: Outgoing[] = [];
  const attempts: string[] = [];
  const script: (DeliveryFailure | 'hang')[] = [];
  let failWhen: ((m: Outgoing) => DeliveryFailure | null) | null = null;
  const sink: Sink & { sent: Outgoing[]; attempts: string[]; keys(): string[] } = {
    sent,
    attempts,
    keys: () => sent.map((m) => m.key),
    async send(message, signal) {
      attempts.push(message.key);
      const next = script.shift() ?? failWhen?.(message);
      if (next === 'hang') {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DeliveryFailure('aborted', 'stopped'))));
      } else if (next) throw next;
      sent.push(message);
    },
    close: async () => {},
  };
  return Object.assign(sink, {
    failNext: (...outcomes: (DeliveryFailure | 'hang')[]) => void script.push(...outcomes),
    /** Fails every attempt the function returns a failure for. */
    failWhen: (f: (m: Outgoing) => DeliveryFailure | null) => void (failWhen = f),
  });
}

const http500 = () => new DeliveryFailure('http_status', 'HTTP 500');

const rules = new Map<number, RuleInfo>([
  [1, { name: 'Rule 1', severity: 'high', plc_id: 7, state: 'ALARM' }],
  [2, { name: 'Rule 2', severity: 'low', plc_id: 7, state: 'OK' }],
]);

const notifier = {
  id: 1,
  name: 'test',
  events: ['alarm_state', 'alarm_ack', 'alarm_escalated'] as DeliveryOptions['notifier']['events'],
  min_severity: 'low' as const,
  max_per_rule_per_min: 6,
};

/** Resolves once the loop's status satisfies `pred` (checked now and on every change). */
function until(d: Delivery, pred: (s: DeliveryStatus) => boolean, what = 'status'): Promise<DeliveryStatus> {
  if (pred(d.status())) return Promise.resolve(d.status());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}; status ${JSON.stringify(d.status())}`));
    }, 5_000);
    const off = d.onStatus((s) => {
      if (!pred(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

const idleWith = (d: Delivery, delivered: number) =>
  until(d, (s) => s.state === 'idle' && s.delivered === delivered, `idle with ${delivered} delivered`);

describe('delivery loop', () => {
  const running: Delivery[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
  });

  function setup(overrides: Partial<DeliveryOptions> = {}, cursor: CursorStore = memoryCursor()) {
    const clock = manualClock(T0);
    const journal = memoryJournal(clock.now);
    const sink = recordingSink();
    const log = memoryLogger();
    const options: DeliveryOptions = {
      notifier,
      sink,
      readAfter: journal.readAfter,
      cursor,
      clock,
      log,
      random: () => 0.5,
      rules: (id) => rules.get(id),
      ...overrides,
    };
    const start = async (more: Partial<DeliveryOptions> = {}) => {
      const d = createDelivery({ ...options, ...more });
      running.push(d);
      await d.start();
      return d;
    };
    return { clock, journal, sink, log, cursor, start };
  }

  it('delivers the wanted events in id order and saves the cursor behind them, all of it once idle', async () => {
    const cursor = memoryCursor();
    const { journal, sink, start } = setup({ notifier: { ...notifier, min_severity: 'medium' } }, cursor);
    journal.append({ rule_id: 1 }); // 1
    journal.append({ topic: 'config', type: 'rule_updated' }); // 2: not an alarm event
    journal.append({ rule_id: 2, severity: 'low' }); // 3: below min_severity
    journal.append({ rule_id: 1, type: 'alarm_ack' }); // 4: the rule's severity, high
    journal.append({ rule_id: 1, type: 'alarm_shelved' }); // 5: not in events
    journal.append({ rule_id: 1, state: 'OK' }); // 6
    const d = await start();
    const s = await idleWith(d, 3);
    expect(sink.keys()).toEqual(['1', '4', '6']);
    expect(sink.sent.map((m) => m.plc_id)).toEqual([7, 7, 7]);
    // the first at once, the rest held back (at most one save per 250 ms) until the loop idles
    expect(cursor.saved.map((p) => p.cursor.through)).toEqual([1, 6]);
    expect(s).toMatchObject({ delivered: 3, pending: 0, failed_attempts: 0, last_error: null, last_delivered_id: 6, cursor: 6 });
    expect(s.last_delivered_at).toBe(new Date(T0).toISOString());
  });

  it('reads new events when woken, and not before', async () => {
    const { journal, sink, start } = setup();
    const d = await start();
    await idleWith(d, 0);
    const reads = journal.reads();
    journal.append();
    journal.append();
    await Promise.resolve();
    expect(journal.reads()).toBe(reads);
    d.wake();
    await idleWith(d, 2);
    expect(sink.keys()).toEqual(['1', '2']);
  });

  it('retries a failed event with backoff and never skips ahead of it', async () => {
    const { clock, journal, sink, start } = setup();
    sink.failNext(http500(), new DeliveryFailure('timeout', 'no answer within 5 s'));
    journal.append();
    journal.append();
    const d = await start();
    let s = await until(d, (x) => x.state === 'backing_off');
    expect(s).toMatchObject({ failed_attempts: 1, last_error: 'HTTP 500', pending: 2, retrying: { key: '1', failures: 1 } });
    expect(s.retrying!.next_attempt_at).toBe(new Date(T0 + 750).toISOString()); // 1 s step, jittered to 0.75
    clock.advance(749);
    expect(sink.attempts).toEqual(['1']);
    clock.advance(1);
    s = await until(d, (x) => x.failed_attempts === 2 && x.state === 'backing_off');
    expect(s.retrying).toEqual({ key: '1', failures: 2, next_attempt_at: new Date(T0 + 750 + 1_500).toISOString() });
    clock.advance(1_500);
    s = await idleWith(d, 2);
    expect(sink.attempts).toEqual(['1', '1', '1', '2']);
    expect(sink.keys()).toEqual(['1', '2']);
    expect(s).toMatchObject({ failed_attempts: 2, last_error: 'no answer within 5 s', retrying: null });
  });

  it('gives up on an event 24 h after it was journaled, says so, and moves on', async () => {
    const { clock, journal, sink, log, start } = setup();
    sink.failWhen((m) => (m.key === '1' ? http500() : null));
    journal.append();
    journal.append();
    const d = await start();
    for (let s = d.status(); s.abandoned === 0; ) {
      s = await until(d, (x) => x.state === 'backing_off' || x.abandoned > 0);
      if (s.retrying) clock.set(Date.parse(s.retrying.next_attempt_at));
    }
    const s = await idleWith(d, 1);
    expect(s).toMatchObject({ abandoned: 1, last_abandoned_id: 1, last_delivered_id: 2, last_error: 'HTTP 500', cursor: 2 });
    expect(sink.keys()).toEqual(['2']);
    expect(s.failed_attempts).toBeGreaterThan(300);
    expect(clock.now()).toBe(T0 + GIVE_UP_AFTER_MS);
    expect(log.lines.some((l) => l.startsWith('error: notifier 1 (test): gave up on 1'))).toBe(true);
  });

  it('resumes from the saved cursor after a restart without sending again what was delivered', async () => {
    const cursor = memoryCursor();
    const first = setup({}, cursor);
    for (let i = 0; i < 3; i++) first.journal.append();
    const d1 = await first.start();
    await idleWith(d1, 3);
    await d1.stop();
    first.journal.append();
    first.journal.append();
    const sink2 = recordingSink();
    const d2 = await first.start({ sink: sink2 });
    await idleWith(d2, 5); // 3 before the restart, counted on
    expect(first.sink.keys()).toEqual(['1', '2', '3']);
    expect(sink2.keys()).toEqual(['4', '5']);
  });

  it('goes on from the saved counters after a restart: delivered, failures and the last error', async () => {
    const cursor = memoryCursor();
    const first = setup({}, cursor);
    for (let i = 0; i < 3; i++) first.journal.append();
    first.sink.failNext(http500());
    const d1 = await first.start();
    await until(d1, (s) => s.state === 'backing_off');
    first.clock.advance(750);
    const before = await idleWith(d1, 3);
    await d1.stop();
    expect(before).toMatchObject({ failed_attempts: 1, last_error: 'HTTP 500', last_delivered_id: 3 });

    const sink2 = recordingSink();
    const d2 = await first.start({ sink: sink2 });
    const { state: _s, pending: _p, cursor: _c, ...counters } = before;
    expect(d2.status()).toMatchObject(counters); // from the start, before it reads anything
    expect(await until(d2, (s) => s.state === 'idle')).toMatchObject({ ...counters, cursor: 3 });
    sink2.failNext(new DeliveryFailure('timeout', 'no answer within 5 s'));
    first.journal.append();
    d2.wake();
    await until(d2, (s) => s.state === 'backing_off');
    first.clock.advance(750);
    const s = await idleWith(d2, 4);
    expect(s).toMatchObject({ failed_attempts: 2, last_error: 'no answer within 5 s', last_delivered_id: 4, abandoned: 0 });
    expect(cursor.saved.at(-1)).toMatchObject({ cursor: { through: 4 }, counters: { delivered: 4, failed_attempts: 2 } });
  });

  it('saves each failed attempt while it backs off, before the message is delivered', async () => {
    const cursor = memoryCursor();
    const { clock, journal, sink, start } = setup({}, cursor);
    journal.append();
    sink.failNext(http500(), new DeliveryFailure('timeout', 'no answer within 5 s'));
    const d = await start();
    await until(d, (s) => s.failed_attempts === 1 && s.state === 'backing_off');
    const [first] = await cursor.landed(1);
    expect(first).toMatchObject({ cursor: { through: 0 }, counters: { delivered: 0, failed_attempts: 1, last_error: 'HTTP 500' } });
    clock.advance(750);
    await until(d, (s) => s.failed_attempts === 2 && s.state === 'backing_off');
    const second = (await cursor.landed(2))[1];
    expect(second).toMatchObject({ cursor: { through: 0 }, counters: { failed_attempts: 2, last_error: 'no answer within 5 s' } });
    expect(d.status().state).toBe('backing_off');
  });

  it('sends an event whose delivery was cut short again after a restart (at least once)', async () => {
    const cursor = memoryCursor();
    const first = setup({}, cursor);
    for (let i = 0; i < 3; i++) first.journal.append();
    first.sink.failNext(http500(), 'hang');
    const d1 = await first.start();
    await until(d1, (s) => s.state === 'backing_off');
    first.clock.advance(750);
    await until(d1, (s) => s.state === 'sending');
    expect(first.sink.attempts).toEqual(['1', '1']);
    await d1.stop(); // "killed" while event 1 is in flight
    expect(d1.status().state).toBe('stopped');
    const sink2 = recordingSink();
    const d2 = await first.start({ sink: sink2 });
    await idleWith(d2, 3);
    expect(first.sink.keys()).toEqual([]);
    expect(sink2.keys()).toEqual(['1', '2', '3']);
  });

  it('stops when told to while it writes its last save before idling', async () => {
    const saves = memoryCursor();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let saving!: () => void;
    const saveBegan = new Promise<void>((resolve) => (saving = resolve));
    const cursor: CursorStore = {
      load: saves.load,
      async save(progress) {
        saving();
        await held;
        await saves.save(progress);
      },
    };
    const { journal, start } = setup({}, cursor);
    let readPast!: () => void;
    const readPastIt = new Promise<void>((resolve) => (readPast = resolve));
    const d = await start({
      readAfter: async (afterId, limit) => {
        if (afterId >= 1) readPast();
        return journal.readAfter(afterId, limit);
      },
    });
    journal.append({ rule_id: 1, state: 'ALARM' });
    d.wake();
    await saveBegan; // delivered, and the save behind it is being written
    await readPastIt; // nothing more to read: the loop flushes before it idles
    await new Promise((resolve) => setImmediate(resolve)); // it waits for the save now, not for a wake
    const stopped = d.stop();
    release();
    await stopped; // before, the loop went on to idle and waited for a wake that never came
    expect(d.status().state).toBe('stopped');
    expect(saves.saved.at(-1)).toMatchObject({ cursor: { through: 1 }, counters: { delivered: 1 } });
  });

  it('does not let a hung notifier hold up another', async () => {
    const { journal, start } = setup();
    const slow = recordingSink();
    slow.failNext('hang');
    const fast = recordingSink();
    journal.append();
    journal.append();
    const a = await start({ sink: slow });
    const b = await start({ sink: fast, cursor: memoryCursor() });
    await idleWith(b, 2);
    expect(fast.keys()).toEqual(['1', '2']);
    expect(a.status()).toMatchObject({ state: 'sending', delivered: 0 });
  });

  it('gets over a journal read that fails', async () => {
    const { clock, journal, sink, start } = setup();
    let failing = true;
    journal.append();
    const d = await start({
      readAfter: (after, limit) => (failing ? Promise.reject(new Error('SQLITE_BUSY')) : journal.readAfter(after, limit)),
    });
    await until(d, (s) => s.last_error === 'delivery loop: SQLITE_BUSY');
    failing = false;
    clock.advance(1_000);
    await idleWith(d, 1);
    expect(sink.keys()).toEqual(['1']);
  });
});

describe('delivery loop storm guard', () => {
  const running: Delivery[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
  });

  function setup(cursor = memoryCursor()) {
    const clock = manualClock(T0);
    const journal = memoryJournal(clock.now);
    const start = async (sink: Sink) => {
      const d = createDelivery({
        notifier: { ...notifier, max_per_rule_per_min: 2 },
        sink,
        readAfter: journal.readAfter,
        cursor,
        clock,
        log: memoryLogger(),
        random: () => 0.5,
        rules: (id) => rules.get(id),
      });
      running.push(d);
      await d.start();
      return d;
    };
    return { clock, journal, cursor, start };
  }

  /** A chattering rule: alternating ALARM/OK of rule 1, one a second from T0 + 1 s. */
  const chatter = (journal: ReturnType<typeof memoryJournal>, from: number, count: number) => {
    for (let i = 0; i < count; i++) journal.append({ rule_id: 1, state: i % 2 ? 'OK' : 'ALARM', ts: T0 + (from + i) * 1000 });
  };

  it('holds a chattering rule beyond the limit and sends one digest once the minute is over', async () => {
    const { clock, journal, cursor, start } = setup();
    const sink = recordingSink();
    chatter(journal, 1, 5); // ids 1..5
    journal.append({ rule_id: 2, severity: 'low', ts: T0 + 6_000 }); // 6: another rule, not held
    const d = await start(sink);
    let s = await idleWith(d, 3);
    expect(sink.keys()).toEqual(['1', '2', '6']);
    expect(s.pending).toBe(1); // the digest due
    clock.set(T0 + 60_000 + 1_999);
    expect(sink.sent).toHaveLength(3);
    clock.advance(1); // the minute's end plus the 2 s grace
    s = await idleWith(d, 4);
    const digest = sink.sent[3]!;
    expect(digest.key).toBe('digest-3-5');
    expect(JSON.parse(digest.json)).toEqual({
      topic: 'alarms',
      type: 'alarm_digest',
      ts: '2026-03-02T08:01:00.000Z',
      rule_id: 1,
      rule_name: 'Rule 1',
      count: 3,
      first_id: 3,
      last_id: 5,
      state: 'ALARM',
    });
    expect(s.pending).toBe(0);
    expect(cursor.saved.at(-1)).toMatchObject({ cursor: { through: 6, replay_from: 6 }, counters: { delivered: 4 } });
  });

  it('sends the digest before the first event of a later minute', async () => {
    const { journal, start } = setup();
    const sink = recordingSink();
    chatter(journal, 1, 4); // 1..4
    journal.append({ rule_id: 1, ts: T0 + 61_000 }); // 5
    const d = await start(sink);
    await idleWith(d, 4);
    expect(sink.keys()).toEqual(['1', '2', 'digest-3-4', '5']);
  });

  it('makes the same decisions after a restart in the middle of a minute', async () => {
    const cursor = memoryCursor();
    const { clock, journal, start } = setup(cursor);
    const first = recordingSink();
    chatter(journal, 1, 4); // 1, 2 sent; 3, 4 held
    const d1 = await start(first);
    await idleWith(d1, 2);
    await d1.stop();
    expect((await cursor.load()).cursor).toEqual({ through: 4, replay_from: 0 });
    const second = recordingSink();
    const d2 = await start(second);
    chatter(journal, 10, 1); // 5: the same minute: still over the limit
    d2.wake();
    await until(d2, (s) => s.state === 'idle' && s.cursor === 5);
    expect(second.sent).toEqual([]);
    clock.set(T0 + 62_000);
    await idleWith(d2, 3); // 2 before the restart
    expect(second.keys()).toEqual(['digest-3-5']);
    expect(JSON.parse(second.sent[0]!.json)).toMatchObject({ count: 3, first_id: 3, last_id: 5 });
  });
});

describe('delivery loop to a real webhook', () => {
  it('retries a 500 with backoff, then delivers in order', async () => {
    const receiver = await startWebhookReceiver();
    const clock = manualClock(T0);
    const journal = memoryJournal(clock.now);
    receiver.reply({ status: 500, body: 'busy' });
    const d = createDelivery({
      notifier,
      sink: createWebhookSink({ url: receiver.url, secret: 'x'.repeat(16) }),
      readAfter: journal.readAfter,
      cursor: memoryCursor(),
      clock,
      log: memoryLogger(),
      random: () => 0.5,
    });
    try {
      journal.append();
      journal.append();
      await d.start();
      const s = await until(d, (x) => x.state === 'backing_off');
      expect(s.last_error).toBe('HTTP 500: busy');
      clock.advance(750);
      await idleWith(d, 2);
      const requests = await receiver.received(3);
      expect(requests.map((r) => r.headers['x-alarm-event-id'])).toEqual(['1', '1', '2']);
    } finally {
      await d.stop();
      await receiver.close();
    }
  });
});
