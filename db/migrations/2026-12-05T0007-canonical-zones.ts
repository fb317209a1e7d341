import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Time-zone names are stored in their canonical spelling (SPEC 10): the validators now turn
// `europe/berlin` into `Europe/Berlin`, and this rewrites what was stored before, in rule
// schedules and in personal alarms (both JSON text with a `timezone` field). Item versions
// stay as they are: the zone is the same, only its spelling changes. A zone this runtime does
// not know, or JSON that does not parse, is left alone.
export async function up(db: Kysely<any>): Promise<void> {
  const rules = await db.selectFrom('rules').select(['id', 'schedule']).where('schedule', 'is not', null).execute();
  for (const row of rules) {
    const schedule = withCanonicalZone(row.schedule as string);
    if (schedule !== null) await db.updateTable('rules').set({ schedule }).where('id', '=', row.id).execute();
  }
  const items = await db.selectFrom('items').select(['id', 'alarm']).where('alarm', 'is not', null).execute();
  for (const row of items) {
    const alarm = withCanonicalZone(row.alarm as string);
    if (alarm !== null) await db.updateTable('items').set({ alarm }).where('id', '=', row.id).execute();
  }
}

// The original spellings are not kept, and the canonical ones are valid input: nothing to undo.
export async function down(): Promise<void> {}

/** The JSON text with its `timezone` spelled canonically, or null when nothing changes. */
function withCanonicalZone(json: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const spec = value as { timezone?: unknown };
  if (typeof spec.timezone !== 'string') return null;
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: spec.timezone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (canonical === spec.timezone) return null;
  return JSON.stringify({ ...spec, timezone: canonical });
}
