/**
 * SQLite result codes that say the storage failed, not the write: the same write can succeed
 * later (space freed, the disk back, the lock gone). better-sqlite3 and bun:sqlite put the code on the error
 * (`SqliteError.code`, extended codes such as SQLITE_IOERR_FSYNC included).
 */
const TRANSIENT = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)(_|$)/;

/** Whether `err` is a storage fault worth retrying; anything else (a constraint, a bug) would fail again. */
export function isStorageFault(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && TRANSIENT.test(code);
}
