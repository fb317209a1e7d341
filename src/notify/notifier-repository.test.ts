import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from '../../test/helpers/postgres.js';
import { NotifierInput } from './notifier.js';
import { nodeSqlite } from '../runtime/node.js';
import { isUniqueViolation } from '../db/constraint.js';
import { migrateToLatest, openDatabase, type Db } from '../db/database.js';
import {
  deleteNotifier,
  findNotifier,
  insertNotifier,
  listNotifiers,
  loadNotifierProgress,
  saveNotifierProgress,
  storedCounters,
  updateNotifier,
} from './notifier-repository.js';
import type { DeliveryCursor } from './delivery-cursor.js';
import { NOTHING_YET, type DeliveryCounters } from './delivery-status.js';

// The notifiers repository on both dialects: settings in and out through the schema, the
// secret kept, the cursor and status counters saved together and never moved back.
const now = '2026-12-05T10:00:00.000Z';
const webhook = v.parse(NotifierInput, { kind: 'webhook', name: 'Pager', url: 'https://hooks.example.com/a', secret: 's'.repeat(20) });
const broker = v.parse(NotifierInput, {
  kind: 'mqtt',
  name: 'Bus',
  url: 'mqtt://u:p@broker:1883',
  mqtt_topic: 'site/alarms',
  enabled: false,
});

const counters = (c: Partial<DeliveryCounters>): DeliveryCounters => ({ ...NOTHING_YET, ...c });
const cursorOf = async (db: Db, id: number) => (await loadNotifierProgress(db, id)).cursor;
const progress = (cursor: DeliveryCursor, c: Partial<DeliveryCounters> = {}) => ({ cursor, counters: counters(c) });

let pg: Awaited<ReturnType<typeof freshPostgres>>;
const dbs: Record<string, Db> = {};

beforeAll(async () => {
  pg = await freshPostgres();
  dbs.sqlite = openDatabase(':memory:', nodeSqlite);
  dbs.postgres = openDatabase(pg.url, nodeSqlite);
  for (const db of Object.values(dbs)) await migrateToLatest(db);
});
afterAll(async () => {
  for (const db of Object.values(dbs)) await db.destroy();
  await pg?.drop();
});

describe.each(['sqlite', 'postgres'])('notifiers on %s', (dialect) => {
  const db = () => dbs[dialect]!;

  it('stores the settings with the secret and reads them back as the schema has them', async () => {
    const a = await insertNotifier(db(), webhook, { through: 7, replay_from: 5 }, now);
    const b = await insertNotifier(db(), broker, { through: 7, replay_from: 7 }, now);
    expect(a).toEqual({ id: expect.any(Number), ...webhook });
    expect(await findNotifier(db(), b.id)).toEqual({ id: b.id, ...broker });
    expect((await listNotifiers(db())).map((n) => n.name)).toEqual(['Pager', 'Bus']);
    expect(await cursorOf(db(), a.id)).toEqual({ through: 7, replay_from: 5 });
    expect(await findNotifier(db(), 9999)).toBeUndefined();

    const err = await insertNotifier(db(), webhook, { through: 0, replay_from: 0 }, now).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);

    const changed = await updateNotifier(db(), a.id, { ...webhook, min_severity: 'high' }, now);
    expect(changed.min_severity).toBe('high');
    expect(await cursorOf(db(), a.id)).toEqual({ through: 7, replay_from: 5 }); // unmoved
    await updateNotifier(db(), a.id, webhook, now, { through: 20, replay_from: 20 });
    expect(await cursorOf(db(), a.id)).toEqual({ through: 20, replay_from: 20 });
  });

  it('saves the cursor forward only, and not for a notifier that is gone', async () => {
    const n = await insertNotifier(db(), { ...webhook, name: 'Cursor' }, { through: 10, replay_from: 10 }, now);
    await saveNotifierProgress(db(), n.id, progress({ through: 12, replay_from: 11 }));
    await saveNotifierProgress(db(), n.id, progress({ through: 11, replay_from: 11 })); // a late save of a node that lost it
    expect(await cursorOf(db(), n.id)).toEqual({ through: 12, replay_from: 11 });
    await deleteNotifier(db(), n.id);
    await saveNotifierProgress(db(), n.id, progress({ through: 13, replay_from: 13 }));
    await expect(loadNotifierProgress(db(), n.id)).rejects.toThrow('is gone');
  });

  it('keeps the status counters with the cursor: zero when created, kept when enabled again, read with the notifier', async () => {
    const n = await insertNotifier(db(), { ...webhook, name: 'Counted' }, { through: 3, replay_from: 3 }, now);
    expect(storedCounters(n)).toEqual(NOTHING_YET);
    expect(await loadNotifierProgress(db(), n.id)).toEqual(progress({ through: 3, replay_from: 3 }));

    const done = counters({
      delivered: 5,
      failed_attempts: 2,
      abandoned: 1,
      last_error: 'HTTP 500: busy',
      last_error_at: '2026-12-05T10:01:00.000Z',
      last_delivered_at: '2026-12-05T10:02:00.000Z',
      last_delivered_id: 9,
      last_abandoned_id: 4,
    });
    await saveNotifierProgress(db(), n.id, { cursor: { through: 9, replay_from: 6 }, counters: done });
    expect(await loadNotifierProgress(db(), n.id)).toEqual({ cursor: { through: 9, replay_from: 6 }, counters: done });
    expect(storedCounters((await findNotifier(db(), n.id))!)).toEqual(done);
    expect(storedCounters((await listNotifiers(db())).find((x) => x.id === n.id)!)).toEqual(done);

    // Off, then on again from the journal's head: the cursor moves, the counters stay.
    await updateNotifier(db(), n.id, { ...webhook, name: 'Counted', enabled: false }, now);
    const again = await updateNotifier(db(), n.id, { ...webhook, name: 'Counted' }, now, { through: 30, replay_from: 30 });
    expect(storedCounters(again)).toEqual(done);
    expect(await loadNotifierProgress(db(), n.id)).toEqual({ cursor: { through: 30, replay_from: 30 }, counters: done });
    expect(storedCounters({ ...again })).toEqual(NOTHING_YET); // not a notifier read from the row
  });

  it('never lets a late save move the counters back, at an older cursor or at the same one', async () => {
    const n = await insertNotifier(db(), { ...webhook, name: 'Late' }, { through: 10, replay_from: 10 }, now);
    const load = () => loadNotifierProgress(db(), n.id);
    // The next holder delivered 11 and 12, and failed twice at 13 since.
    const newer = progress({ through: 12, replay_from: 10 }, { delivered: 7, failed_attempts: 2, last_error: 'HTTP 503' });
    await saveNotifierProgress(db(), n.id, newer);

    // A node that lost the lease saves late: an older cursor, even with more counted, is not taken...
    await saveNotifierProgress(db(), n.id, progress({ through: 11, replay_from: 10 }, { delivered: 9, failed_attempts: 5 }));
    expect(await load()).toEqual(newer);
    // ...nor the same cursor with fewer deliveries, failures or abandoned, or an older replay_from.
    await saveNotifierProgress(db(), n.id, progress({ through: 12, replay_from: 10 }, { delivered: 6, failed_attempts: 2 }));
    await saveNotifierProgress(db(), n.id, progress({ through: 12, replay_from: 10 }, { delivered: 7, failed_attempts: 1 }));
    await saveNotifierProgress(db(), n.id, progress({ through: 12, replay_from: 9 }, { delivered: 7, failed_attempts: 2 }));
    expect(await load()).toEqual(newer);

    // The holder's own saves at the same cursor: one more failure, then a digest sent and the minute closed.
    const failedAgain = progress({ through: 12, replay_from: 10 }, { delivered: 7, failed_attempts: 3, last_error: 'HTTP 502' });
    await saveNotifierProgress(db(), n.id, failedAgain);
    expect(await load()).toEqual(failedAgain);
    const digestSent = progress({ through: 12, replay_from: 12 }, { delivered: 8, failed_attempts: 3, last_error: 'HTTP 502' });
    await saveNotifierProgress(db(), n.id, digestSent);
    expect(await load()).toEqual(digestSent);

    // A later cursor is always taken, whatever it counts: the cursor is never held back by the counters.
    const later = progress({ through: 14, replay_from: 14 }, { delivered: 1 });
    await saveNotifierProgress(db(), n.id, later);
    expect(await load()).toEqual(later);
  });
});
