import type pg from 'pg';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../log/logger.js';

/** After a lost connection, try again this soon, doubling to the cap. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2_000;
/**
 * A query on the session unanswered this long means the database is out of reach (a network
 * cut does not close the socket): the session is dropped, and with it the node's claim to its
 * PLCs, before PostgreSQL's keepalives below (about 5 s) give the locks to another node.
 */
const ANSWER_MS = 3_000;
/** The server probes the session's socket after 2 s of silence, every 1 s, 3 times. */
const SERVER_KEEPALIVES = ['set tcp_keepalives_idle = 2', 'set tcp_keepalives_interval = 1', 'set tcp_keepalives_count = 3'];

export interface NodeSessionOptions {
  /** A new, unconnected client for the cluster's database. */
  newClient(): pg.Client;
  /** LISTENed to on every connection. */
  channels: readonly string[];
  onNotify(channel: string, payload: string): void;
  /** Connected (again): LISTEN is in place; what was missed while away must be read now. */
  onUp(): void;
  /** The connection is gone, and with it every session lock it held. */
  onDown(): void;
  clock: Clock;
  log: Logger;
}

/**
 * The node's own connection to PostgreSQL, apart from the pool: it LISTENs for the cluster's
 * notifications and holds the node's session advisory locks (its PLC leases). Both live exactly
 * as long as the connection, which is the point: a node that dies, or loses the database,
 * loses its locks with it, and PostgreSQL hands them to the next node that asks.
 * It reconnects by itself.
 */
export function createNodeSession(options: NodeSessionOptions) {
  const { clock, log } = options;
  let client: pg.Client | null = null;
  let retryMs = FIRST_RETRY_MS;
  let timer: unknown;
  let stopped = false;

  async function connect(): Promise<void> {
    timer = undefined;
    if (stopped) return;
    const next = options.newClient();
    next.on('error', () => {}); // reported through 'end' below, once
    next.on('notification', (n) => options.onNotify(n.channel, n.payload ?? ''));
    try {
      await next.connect();
      for (const statement of SERVER_KEEPALIVES) await next.query(statement);
      for (const channel of options.channels) await next.query(`listen ${channel}`);
    } catch (err) {
      void next.end().catch(() => {});
      return retry(`cannot connect to the database: ${String(err)}`);
    }
    if (stopped) return void next.end().catch(() => {});
    client = next;
    retryMs = FIRST_RETRY_MS;
    next.once('end', () => {
      if (client !== next) return;
      client = null;
      options.onDown();
      retry('lost its connection to the database');
    });
    options.onUp();
  }

  function retry(why: string): void {
    if (stopped) return;
    log.error(`cluster: the node session ${why}; retrying in ${retryMs} ms`);
    timer = clock.setTimer(clock.now() + retryMs, () => void connect());
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  }

  return {
    /** Resolves once the first attempt is over (connected or retrying). */
    start: () => connect(),
    get connected() {
      return client !== null;
    },
    /** A query on the session's connection; rejects while it is down, and drops a session that does not answer. */
    async query<R extends object>(text: string, values: unknown[] = []): Promise<R[]> {
      const c = client;
      if (c === null) throw new Error('the node session is not connected');
      let timer: unknown;
      const silent = new Promise<never>((_, reject) => {
        timer = clock.setTimer(clock.now() + ANSWER_MS, () => {
          reject(new Error(`the database did not answer within ${ANSWER_MS / 1000} s`));
          dropSocket(c);
        });
      });
      try {
        return (await Promise.race([c.query<R>(text, values), silent])).rows;
      } finally {
        clock.clearTimer(timer);
      }
    },
    /** Closes the connection: its session locks are released by PostgreSQL at once. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clock.clearTimer(timer);
      const last = client;
      client = null;
      await last?.end().catch(() => {});
    },
  };
}

export type NodeSession = ReturnType<typeof createNodeSession>;

/**
 * Closes the session's socket at once: `end()` would wait for a goodbye the database cannot
 * hear. node-postgres has no public way to do this; its connection's stream is the socket.
 */
function dropSocket(c: pg.Client): void {
  (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
