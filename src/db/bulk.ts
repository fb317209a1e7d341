/**
 * Rows per statement of a bulk write (an import's thousands): one statement per row costs a
 * prepare each, and SQLite binds at most 32766 values per statement (PostgreSQL 65535).
 */
export const BULK_ROWS = 500;

/** `items` in slices of BULK_ROWS. */
export function* slices<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BULK_ROWS) yield items.slice(i, i + BULK_ROWS);
}

/**
 * The rows a multi-row INSERT ... RETURNING stored, in the order of its VALUES. Both databases
 * draw ids in that order, but neither promises RETURNING's order, hence the sort; `same` checks
 * each pair, so a surprise fails the transaction rather than mixes rows up.
 */
export function inValuesOrder<I, R extends { id: number }>(inputs: readonly I[], rows: R[], same: (input: I, row: R) => boolean): R[] {
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  if (sorted.length !== inputs.length || sorted.some((row, i) => !same(inputs[i]!, row))) {
    throw new Error(`a bulk insert returned ${rows.length} rows out of the order of its ${inputs.length}`);
  }
  return sorted;
}
