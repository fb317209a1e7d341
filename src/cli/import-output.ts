import type { ImportReport, ReportedChange } from '../config-io/import-report.js';

function lineOf(c: ReportedChange): string {
  const what = c.resource === 'rule' ? `rule "${c.name}" on ${c.datapoint}` : `${c.resource} "${c.name}"`;
  if (c.action !== 'update') return `${c.action} ${what}`;
  const fields = Object.entries(c.changes ?? {}).map(
    ([field, [before, after]]) => `${field} ${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
  );
  return `update ${what}: ${fields.join(', ')}`;
}

/** An import's report as lines for a terminal: one per change, then the counts. */
export function importOutput(report: ImportReport): string[] {
  const { create, update, delete: deleted, unchanged } = report.summary;
  const last = report.dry_run
    ? `dry run: ${create} to create, ${update} to update, ${deleted} to delete, ${unchanged} unchanged; nothing applied`
    : `imported: ${create} created, ${update} updated, ${deleted} deleted, ${unchanged} unchanged`;
  return [...report.changes.map(lineOf), last];
}
