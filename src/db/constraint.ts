/** True for SQLite's error on a UNIQUE constraint (better-sqlite3 and bun:sqlite name it alike). */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Turns a UNIQUE violation into the error `make` builds, and rethrows anything else. */
export async function onUniqueViolation<T>(work: Promise<T>, make: () => Error): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw isUniqueViolation(err) ? make() : err;
  }
}
