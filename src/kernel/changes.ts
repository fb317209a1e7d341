/**
 * What an update changed, as config events record it (SPEC 13): `{"<field>": [before, after]}`
 * for the fields whose values differ; the row's own timestamps are not a change.
 */
export function changesOf(before: object, after: object): Record<string, [unknown, unknown]> {
  const was = before as Record<string, unknown>;
  const is = after as Record<string, unknown>;
  const changes: Record<string, [unknown, unknown]> = {};
  for (const key of Object.keys(is)) {
    if (key === 'updated_at' || key === 'created_at') continue;
    if (JSON.stringify(was[key]) !== JSON.stringify(is[key])) changes[key] = [was[key] ?? null, is[key]];
  }
  return changes;
}
