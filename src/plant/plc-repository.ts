import type { Selectable } from 'kysely';
import type { Plc, PlcInput } from './plc.js';
import type { Db } from '../db/database.js';
import type { PlcsTable } from '../db/schema.js';

const toPlc = (r: Selectable<PlcsTable>): Plc => ({
  id: r.id,
  name: r.name,
  host: r.host,
  port: r.port,
  unit_id: r.unit_id,
  poll_interval_ms: r.poll_interval_ms,
  timeout_ms: r.timeout_ms,
  max_in_flight: r.max_in_flight,
  enabled: r.enabled === 1,
});

const toRow = (p: PlcInput) => ({ ...p, enabled: p.enabled ? 1 : 0 });

export async function listPlcs(db: Db): Promise<Plc[]> {
  return (await db.selectFrom('plcs').selectAll().orderBy('id').execute()).map(toPlc);
}

export async function findPlc(db: Db, id: number): Promise<Plc | undefined> {
  const row = await db.selectFrom('plcs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toPlc(row);
}

export async function insertPlc(db: Db, p: PlcInput, now: string): Promise<Plc> {
  const row = await db
    .insertInto('plcs')
    .values({ ...toRow(p), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPlc(row);
}

export async function updatePlc(db: Db, id: number, p: PlcInput, now: string): Promise<Plc> {
  const row = await db
    .updateTable('plcs')
    .set({ ...toRow(p), updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPlc(row);
}

export async function deletePlc(db: Db, id: number): Promise<void> {
  await db.deleteFrom('plcs').where('id', '=', id).execute();
}
