import type { Selectable } from 'kysely';
import type { Datapoint, DatapointInput } from './datapoint.js';
import { inValuesOrder, slices } from '../db/bulk.js';
import type { Db } from '../db/database.js';
import type { DatapointsTable } from '../db/schema.js';

const toDatapoint = (r: Selectable<DatapointsTable>): Datapoint => ({
  id: r.id,
  plc_id: r.plc_id,
  label: r.label,
  description: r.description,
  area: r.area as Datapoint['area'],
  address: r.address,
  type: r.type as Datapoint['type'],
  word_order: r.word_order as Datapoint['word_order'],
  scale: r.scale,
  offset: r.offset,
  unit: r.unit,
});

export async function listDatapoints(db: Db, filter: { plcId?: number | undefined } = {}): Promise<Datapoint[]> {
  let query = db.selectFrom('datapoints').selectAll().orderBy('id');
  if (filter.plcId !== undefined) query = query.where('plc_id', '=', filter.plcId);
  return (await query.execute()).map(toDatapoint);
}

export async function findDatapoint(db: Db, id: number): Promise<Datapoint | undefined> {
  const row = await db.selectFrom('datapoints').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toDatapoint(row);
}

export async function insertDatapoint(db: Db, d: DatapointInput, now: string): Promise<Datapoint> {
  const row = await db
    .insertInto('datapoints')
    .values({ ...d, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDatapoint(row);
}

export async function updateDatapoint(db: Db, id: number, d: DatapointInput, now: string): Promise<Datapoint> {
  const row = await db
    .updateTable('datapoints')
    .set({ ...d, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDatapoint(row);
}

export async function deleteDatapoint(db: Db, id: number): Promise<void> {
  await db.deleteFrom('datapoints').where('id', '=', id).execute();
}

/** Many datapoints in a few statements (an import), returned in input order. */
export async function insertDatapoints(db: Db, inputs: readonly DatapointInput[], now: string): Promise<Datapoint[]> {
  const stored: Datapoint[] = [];
  for (const slice of slices(inputs)) {
    const rows = await db
      .insertInto('datapoints')
      .values(slice.map((d) => ({ ...d, created_at: now, updated_at: now })))
      .returningAll()
      .execute();
    for (const row of inValuesOrder(slice, rows, (d, r) => d.plc_id === r.plc_id && d.label === r.label)) stored.push(toDatapoint(row));
  }
  return stored;
}

export async function deleteDatapoints(db: Db, ids: readonly number[]): Promise<void> {
  for (const slice of slices(ids)) await db.deleteFrom('datapoints').where('id', 'in', slice).execute();
}
