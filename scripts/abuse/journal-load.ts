/**
 * What the bench writes into the journal directly (app.journal.append, as test/replay.test.ts
 * does): the backlog the replays read, and the steady alarm transitions whose delivery the probe
 * times.
 */
import type { App } from '../../src/app.js';
import type { NewEvent } from '../../src/journal/events.js';
import { wallNow } from '../fanout/wall-clock.js';

/** The rule id of the bench's transitions: no real rule has it, so the watched rule's history stays its own. */
export const BENCH_RULE_ID = 900_001;

const TARGET_EVENT_BYTES = 400;

/** A config event whose JSON, as clients get it, is about 400 bytes. */
function configEvent(n: number, note: string): NewEvent {
  return { topic: 'config', type: 'plc_updated', payload: { plc: { id: n, name: `Line ${n}`, host: '192.0.2.10', port: 502, note } } };
}

/** Appends `count` config events in batches of `batch`, one transaction each; returns the size of one as sent. */
export async function fillConfigEvents(app: App, count: number, batch: number): Promise<number> {
  const sample = (note: string) =>
    JSON.stringify({
      id: 123_456,
      topic: 'config',
      type: 'plc_updated',
      ts: new Date().toISOString(),
      ...configEvent(123_456, note).payload,
    });
  const note = 'n'.repeat(Math.max(0, TARGET_EVENT_BYTES - sample('').length));
  for (let done = 0; done < count; done += batch) {
    const size = Math.min(batch, count - done);
    await app.journal.append(Array.from({ length: size }, (_, i) => configEvent(done + i + 1, note)));
  }
  return Buffer.byteLength(sample(note));
}

/** The config events now in the journal: how many, and the last id (what a full replay must reach). */
export async function configRange(app: App): Promise<{ count: number; lastId: number }> {
  const row = await app.db
    .selectFrom('events')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('id').as('lastId')])
    .where('topic', '=', 'config')
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), lastId: Number(row.lastId) };
}

/**
 * Alarm transitions at `perSecond`, each appended alone. `sent_at` is when the bench called
 * journal.append: the probe's latency from it includes the commit and the fan-out. But the
 * timer that appends runs on the server's own loop, so while that loop is stalled nothing is
 * appended and the stall is invisible from `sent_at`. So each event also carries `due_at`, its
 * place on a fixed 50 ms schedule: a late timer appends every event that fell due meanwhile,
 * and receipt - due_at is the delay an event arriving from outside (a poll result) would see.
 */
export function startTransitions(app: App, perSecond: number) {
  const periodMs = 1000 / perSecond;
  const sent: { dueAt: number; sentAt: number }[] = [];
  const first = wallNow();
  let next = 0;
  let high = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    while (first + next * periodMs <= wallNow()) {
      const dueAt = first + next++ * periodMs;
      high = !high;
      const sentAt = wallNow();
      sent.push({ dueAt, sentAt });
      const payload = {
        rule_id: BENCH_RULE_ID,
        rule_name: 'Bench transitions',
        state: high ? 'ALARM' : 'OK',
        previous_state: high ? 'OK' : 'ALARM',
        severity: 'high',
        value: high ? 99 : 10,
        reason: 'value',
        sent_at: sentAt,
        due_at: dueAt,
      };
      void app.journal.append([{ topic: 'alarms', type: 'alarm_state', rule_id: BENCH_RULE_ID, payload }]);
    }
    timer = setTimeout(tick, Math.max(0, first + next * periodMs - wallNow()));
  };
  tick();
  return {
    /** Each transition's due and send time, to count them per phase. */
    sent,
    stop: () => clearTimeout(timer),
  };
}
