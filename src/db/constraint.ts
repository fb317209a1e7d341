/**
 * True for an error on a UNIQUE constraint: SQLite's code (better-sqlite3 and bun:sqlite name it
 * alike) or PostgreSQL's SQLSTATE 23505 (unique_violation), as node-postgres reports it.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/** Turns a UNIQUE violation into the error `make` builds, and rethrows anything else. */
export async function onUniqueViolation<T>(work: Promise<T>, make: () => Error): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw isUniqueViolation(err) ? make() : err;
  }
}
