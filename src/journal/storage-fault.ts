/**
 * SQLite result codes that say the storage failed, not the write: the same write can succeed
 * later (space freed, the disk back, the lock gone). better-sqlite3 and bun:sqlite put the code on the error
 * (`SqliteError.code`, extended codes such as SQLITE_IOERR_FSYNC included).
 */
const SQLITE_TRANSIENT = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)(_|$)/;

/**
 * PostgreSQL: SQLSTATE classes 08 (connection), 53 (resources: disk full, too many connections),
 * 57P0x (the server shutting down or starting), 58 (I/O), 40001/40P01 (retry the transaction);
 * and the socket errors of a server that went away.
 */
const POSTGRES_TRANSIENT = /^(08|53|58)...$|^57P0[1-3]$|^40001$|^40P01$|^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH)$/;
/** What `pg` throws, without a code, when its connection is gone or the pool cannot get one. */
const POSTGRES_GONE = /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended/i;

/** Whether `err` is a storage fault worth retrying; anything else (a constraint, a bug) would fail again. */
export function isStorageFault(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return SQLITE_TRANSIENT.test(code) || POSTGRES_TRANSIENT.test(code);
  return POSTGRES_GONE.test(err.message);
}
