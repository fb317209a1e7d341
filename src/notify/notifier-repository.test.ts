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
  loadNotifierCursor,
  saveNotifierCursor,
  updateNotifier,
} from './notifier-repository.js';

// The notifiers repository on both dialects: settings in and out through the schema, the
// secret kept, the cursor saved and never moved back.
const now = '2026-12-05T10:00:00.000Z';
const webhook = v.parse(NotifierInput, { kind: 'webhook', name: 'Pager', url: 'https://hooks.example.com/a', secret: 's'.repeat(20) });
const broker = v.parse(NotifierInput, {
  kind: 'mqtt',
  name: 'Bus',
  url: 'mqtt://u:p@broker:1883',
  mqtt_topic: 'site/alarms',
  enabled: false,
});

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
    expect(await loadNotifierCursor(db(), a.id)).toEqual({ through: 7, replay_from: 5 });
    expect(await findNotifier(db(), 9999)).toBeUndefined();

    const err = await insertNotifier(db(), webhook, { through: 0, replay_from: 0 }, now).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);

    const changed = await updateNotifier(db(), a.id, { ...webhook, min_severity: 'high' }, now);
    expect(changed.min_severity).toBe('high');
    expect(await loadNotifierCursor(db(), a.id)).toEqual({ through: 7, replay_from: 5 }); // unmoved
    await updateNotifier(db(), a.id, webhook, now, { through: 20, replay_from: 20 });
    expect(await loadNotifierCursor(db(), a.id)).toEqual({ through: 20, replay_from: 20 });
  });

  it('saves the cursor forward only, and not for a notifier that is gone', async () => {
    const n = await insertNotifier(db(), { ...webhook, name: 'Cursor' }, { through: 10, replay_from: 10 }, now);
    await saveNotifierCursor(db(), n.id, { through: 12, replay_from: 11 });
    await saveNotifierCursor(db(), n.id, { through: 11, replay_from: 11 }); // a late save of a node that lost it
    expect(await loadNotifierCursor(db(), n.id)).toEqual({ through: 12, replay_from: 11 });
    await deleteNotifier(db(), n.id);
    await saveNotifierCursor(db(), n.id, { through: 13, replay_from: 13 });
    await expect(loadNotifierCursor(db(), n.id)).rejects.toThrow('is gone');
  });
});
