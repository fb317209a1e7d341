/**
 * AlarmClient: the connection state machine, credentials, resume and reconnect, over the two
 * transports. Transport policy: each attempt tries WebSocket, then at once SSE if the WebSocket
 * could not reach its `welcome`. Once SSE worked where WebSocket had failed (a proxy that refuses
 * upgrades), the client stays on SSE and probes WebSocket first only on every 5th reconnect; a
 * WebSocket that reaches `welcome` makes it the first choice again. A server that is simply down
 * fails both, so it does not push the client onto SSE.
 */
import { AlarmClientError, ERROR_CODES, httpError } from './alarm-client-error.js';
import { backoffDelay } from './backoff.js';
import { closeAction } from './close-codes.js';
import { openSse } from './sse-transport.js';
import { openWebSocket } from './websocket-transport.js';

const noop = () => {};

/** The only transitions `setState` allows. */
const TRANSITIONS = Object.freeze({
  disconnected: ['connecting'],
  connecting: ['connected', 'disconnected'],
  connected: ['connecting', 'disconnected'],
});

const ALL_TOPICS = ['alarms', 'audit', 'config', 'system', 'items', 'values'];
const WS_PROBE_EVERY = 5; // after falling back to SSE, retry WebSocket on every 5th reconnect
const HEARTBEAT_SLACK = 2.5; // watchdog: silence for 2.5 heartbeats drops the transport
const REQUEST_TIMEOUT_MS = 10_000;
const IN_BROWSER = typeof window !== 'undefined' && typeof document !== 'undefined';

/**
 * A live stream of the alarm server's events. `connect()` starts it; it stays up, reconnecting
 * and resuming, until `close()` or a failure retrying cannot fix (a missing permission,
 * credentials refused three times in a row).
 */
export class AlarmClient {
  #o;
  #listeners = new Map();
  #state = 'disconnected';
  #current = null; // { kind, conn, welcomed, lastActivity }
  #lastEventId;
  #topics; // the topics asked for; undefined: all the user may read
  #ruleIds; // a Set, or undefined: every rule
  #pending = []; // subscribe/unsubscribe promises awaiting `subscribed`/`unsubscribed` or a welcome
  #run = 0; // bumped on each attempt and on close(): stale async work checks it and gives up
  #queue = []; // transports left to try in this attempt
  #attempt = 0;
  #unauthorized = 0;
  #refresh = false;
  #preferSse = false;
  #wsFailedThisAttempt = false;
  #sseReconnects = 0;
  #timer; // reconnect delay or connect timeout
  #watchdog;

  constructor(options = {}) {
    const baseUrl = options.baseUrl ?? (IN_BROWSER ? globalThis.location.origin : undefined);
    if (!baseUrl) throw new TypeError('AlarmClient: baseUrl is required outside a browser');
    if (!options.getToken && !options.getTicket) throw new TypeError('AlarmClient: give getToken or getTicket');
    new URL(baseUrl); // throws now, not later inside a reconnect
    const fetchImpl = options.fetch ?? globalThis.fetch;
    this.#o = {
      base: String(baseUrl).replace(/\/+$/, ''),
      getToken: options.getToken,
      getTicket: options.getTicket,
      tickets: options.getTicket ? true : (options.useTickets ?? IN_BROWSER),
      WebSocket: options.WebSocket ?? globalThis.WebSocket,
      fetch: (...args) => fetchImpl.apply(globalThis, args), // browsers: fetch needs its `this`
      transports: options.transports ?? ['websocket', 'sse'],
      minDelay: options.minReconnectDelay ?? 500,
      maxDelay: options.maxReconnectDelay ?? 20_000,
      connectTimeout: options.connectTimeout ?? 5000,
      maxUnauthorized: options.maxUnauthorized ?? 3,
      random: options.random ?? Math.random,
      // Called unbound: browsers' setTimeout needs globalThis as `this`.
      setTimeout: options.timers?.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms)),
      clearTimeout: options.timers?.clearTimeout ?? ((handle) => globalThis.clearTimeout(handle)),
      now: options.timers?.now ?? Date.now,
      path: options.alarmsOnly ? '/alarms' : '',
    };
    this.#lastEventId = options.lastEventId;
    this.#topics = options.topics ? [...options.topics] : undefined;
  }

  get state() {
    return this.#state;
  }

  /** The transport in use or being tried; null when there is none. */
  get transport() {
    return this.#current?.kind ?? null;
  }

  /** The id of the last journaled event delivered (or of the last snapshot). */
  get lastEventId() {
    return this.#lastEventId;
  }

  /** The topics asked for (after a welcome: the ones the server granted). */
  get topics() {
    return this.#topics ? [...this.#topics] : undefined;
  }

  on(name, fn) {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(fn);
    return () => this.off(name, fn);
  }

  off(name, fn) {
    this.#listeners.get(name)?.delete(fn);
  }

  connect() {
    if (this.#state !== 'disconnected') return;
    this.#attempt = 0;
    this.#unauthorized = 0;
    this.#setState('connecting', 'connect()');
    this.#startAttempt();
  }

  /** Ends the stream; nothing reconnects until `connect()` is called again. */
  close() {
    this.#halt('close()');
  }

  /** Adds topics (and, for `alarms`, limits it to some rules); resolves with the topics now streamed. */
  subscribe(topics, ruleIds) {
    if (this.#topics) this.#topics = [...new Set([...this.#topics, ...topics])];
    if (ruleIds) this.#ruleIds = new Set(ruleIds);
    return this.#changeTopics({ type: 'subscribe', topics: [...topics], ...(ruleIds && { rule_ids: [...ruleIds] }) });
  }

  unsubscribe(topics) {
    this.#topics = (this.#topics ?? ALL_TOPICS).filter((t) => !topics.includes(t));
    return this.#changeTopics({ type: 'unsubscribe', topics: [...topics] });
  }

  /**
   * Acknowledges an alarm: a WebSocket message when connected over WebSocket (a refusal comes
   * back as an `error` event; success as the `alarm_ack` event), otherwise
   * `POST /api/alarms/{id}/ack`, which rejects with an AlarmClientError carrying the SPEC code.
   */
  async ack(ruleId, comment) {
    const c = this.#current;
    const message = { type: 'ack', rule_id: ruleId, ...(comment !== undefined && { comment }) };
    if (c?.welcomed && c.kind === 'websocket' && c.conn.send(message)) return;
    if (!this.#o.getToken) throw new AlarmClientError(ERROR_CODES.unauthenticated, 'ack outside a WebSocket needs getToken');
    const token = await this.#o.getToken({ refresh: false });
    const res = await this.#o.fetch(`${this.#o.base}/api/alarms/${encodeURIComponent(ruleId)}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(comment === undefined ? {} : { comment }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok) throw await httpError(res);
  }

  // --- state -----------------------------------------------------------------------------------

  /** The one place the state changes. */
  #setState(newState, reason) {
    const oldState = this.#state;
    if (oldState === newState) return;
    if (!TRANSITIONS[oldState].includes(newState)) throw new Error(`AlarmClient: ${oldState} -> ${newState}`);
    this.#state = newState;
    this.#emit('state', { oldState, newState, transport: this.transport, reason });
  }

  #halt(reason, error) {
    this.#run++;
    this.#queue = [];
    this.#o.clearTimeout(this.#timer);
    this.#o.clearTimeout(this.#watchdog);
    const c = this.#current;
    this.#current = null;
    c?.conn?.close();
    const pending = this.#pending.splice(0);
    const closed = error ?? new AlarmClientError(ERROR_CODES.closed, `stream ended: ${reason}`);
    for (const p of pending) p.reject(closed);
    this.#setState('disconnected', reason);
    if (error) this.#emit('error', error);
  }

  // --- opening ---------------------------------------------------------------------------------

  /**
   * Which transports this attempt tries, in order. WebSocket first; once a WebSocket failed and
   * SSE then worked (a proxy that refuses upgrades), SSE first, with a WebSocket probe on every
   * 5th reconnect; a WebSocket that reaches welcome makes WebSocket first again.
   */
  #transportOrder() {
    const usable = this.#o.transports.filter((k) => k !== 'websocket' || this.#o.WebSocket);
    if (!this.#preferSse || usable[0] !== 'websocket' || !usable.includes('sse')) return usable;
    return ++this.#sseReconnects % WS_PROBE_EVERY === 0 ? usable : ['sse'];
  }

  #startAttempt() {
    this.#run++;
    this.#queue = this.#transportOrder();
    this.#wsFailedThisAttempt = false;
    if (this.#queue.length === 0) {
      return this.#halt('no transport', new TypeError('AlarmClient: no usable transport (pass a WebSocket constructor or allow sse)'));
    }
    void this.#openNext();
  }

  async #openNext() {
    const kind = this.#queue.shift();
    const run = this.#run;
    let auth;
    try {
      auth = await this.#credentials();
    } catch (err) {
      if (run !== this.#run) return;
      const error =
        err instanceof AlarmClientError
          ? err
          : new AlarmClientError(ERROR_CODES.credentialsFailed, `credentials: ${err?.message ?? err}`, { cause: err });
      if (error.status !== 401) this.#emit('error', error);
      return this.#recover({ status: error.status, reason: error.message }, { kind, welcomed: false }, false);
    }
    if (run !== this.#run) return;

    const c = { kind, conn: null, welcomed: false, lastActivity: this.#o.now() };
    const hooks = {
      open: () => {
        if (kind === 'websocket' && auth.token) c.conn.send(this.#authMessage(auth.token));
      },
      text: (text) => this.#onText(c, text),
      activity: () => (c.lastActivity = this.#o.now()),
      ended: (info) => this.#ended(c, info),
    };
    this.#current = c;
    // Armed first: a transport may end before its open function even returns.
    this.#o.clearTimeout(this.#timer);
    this.#timer = this.#o.setTimeout(() => this.#ended(c, { reason: 'no welcome in time' }), this.#o.connectTimeout);
    c.conn =
      kind === 'websocket'
        ? openWebSocket(this.#o.WebSocket, this.#url(kind, auth), hooks)
        : openSse(this.#o.fetch, this.#url(kind, auth), this.#sseHeaders(auth), hooks);
  }

  /**
   * Credentials for one open, fetched anew each time (the token may have been refreshed; a
   * ticket is good once). A browser with a token swaps it for a ticket: it can put no header on
   * a WebSocket, and an SSE request without custom headers needs no CORS preflight.
   */
  async #credentials() {
    const refresh = this.#refresh;
    this.#refresh = false;
    if (this.#o.getTicket) return { ticket: await this.#o.getTicket({ refresh }) };
    const token = await this.#o.getToken({ refresh });
    if (!this.#o.tickets) return { token };
    const res = await this.#o.fetch(`${this.#o.base}/api/auth/ticket`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok) throw await httpError(res);
    return { ticket: (await res.json()).ticket };
  }

  #authMessage(token) {
    return {
      type: 'auth',
      access_token: token,
      ...(this.#lastEventId !== undefined && { last_event_id: this.#lastEventId }),
      ...(this.#topics && { topics: this.#topics }),
    };
  }

  /** WebSocket with a token: only the path (the rest goes in the auth message); else the query. */
  #url(kind, auth) {
    const url = new URL(`${this.#o.base}/${kind === 'websocket' ? 'ws' : 'sse'}${this.#o.path}`);
    if (kind === 'websocket') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (kind === 'websocket' && auth.token) return url.href;
    if (auth.ticket) url.searchParams.set('ticket', auth.ticket);
    if (this.#topics) url.searchParams.set('topics', this.#topics.join(','));
    if (auth.ticket && this.#lastEventId !== undefined) url.searchParams.set('last_event_id', String(this.#lastEventId));
    return url.href;
  }

  #sseHeaders(auth) {
    if (!auth.token) return {};
    return {
      authorization: `Bearer ${auth.token}`,
      ...(this.#lastEventId !== undefined && { 'last-event-id': String(this.#lastEventId) }),
    };
  }

  // --- receiving -------------------------------------------------------------------------------

  #onText(c, text) {
    if (c !== this.#current) return;
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return this.#emit('error', new AlarmClientError(ERROR_CODES.badFrame, 'a message that is not JSON'));
    }
    switch (m.type) {
      case 'welcome':
        return this.#welcomed(c, m);
      case 'snapshot':
        // After sync_required the journal may even have restarted lower: the snapshot is the truth.
        this.#lastEventId = m.last_event_id;
        return this.#emit('snapshot', m);
      case 'sync_required':
        return this.#emit('sync_required', m);
      case 'subscribed':
      case 'unsubscribed':
        this.#topics = m.topics;
        return this.#pending.shift()?.resolve(m.topics);
      case 'heartbeat':
      case 'pong':
        return;
      case 'values':
        return this.#emit('values', m);
      case 'error':
        return this.#emit('error', new AlarmClientError(m.code, m.message));
      default:
        if (typeof m.id !== 'number') return this.#emit(m.type, m); // a message type newer than this client
        if (this.#lastEventId !== undefined && m.id <= this.#lastEventId) return; // already delivered
        this.#lastEventId = m.id;
        // SSE cannot carry rule_ids to the server, so the rule filter is applied here too.
        if (this.#ruleIds && m.topic === 'alarms' && typeof m.rule_id === 'number' && !this.#ruleIds.has(m.rule_id)) return;
        this.#emit('event', m);
        if (c === this.#current) this.#emit(m.type, m);
    }
  }

  #welcomed(c, m) {
    this.#o.clearTimeout(this.#timer);
    c.welcomed = true;
    this.#attempt = 0;
    this.#unauthorized = 0;
    if (c.kind === 'websocket') this.#preferSse = false;
    else if (this.#wsFailedThisAttempt && !this.#preferSse) {
      this.#preferSse = true;
      this.#sseReconnects = 0;
    }
    this.#topics = m.topics;
    for (const p of this.#pending.splice(0)) p.resolve(m.topics);
    if (this.#ruleIds && c.kind === 'websocket') {
      this.#pending.push({ resolve: noop, reject: noop });
      c.conn.send({ type: 'subscribe', topics: m.topics, rule_ids: [...this.#ruleIds] });
    }
    this.#watch(c, HEARTBEAT_SLACK * m.heartbeat_ms);
    this.#setState('connected', `welcome over ${c.kind}`);
    if (c === this.#current) this.#emit('welcome', m);
  }

  /** Drops a transport that has been silent for `limitMs`; one timer, re-armed for the rest. */
  #watch(c, limitMs) {
    const check = () => {
      const idle = this.#o.now() - c.lastActivity;
      if (idle >= limitMs) return this.#ended(c, { reason: 'heartbeat timeout' }, true);
      this.#watchdog = this.#o.setTimeout(check, limitMs - idle);
    };
    this.#o.clearTimeout(this.#watchdog);
    this.#watchdog = this.#o.setTimeout(check, limitMs);
  }

  // --- losing and reconnecting -----------------------------------------------------------------

  #ended(c, info, dead = false) {
    if (c !== this.#current) return;
    this.#current = null;
    this.#o.clearTimeout(this.#timer);
    this.#o.clearTimeout(this.#watchdog);
    c.conn?.close(dead || !c.welcomed);
    this.#recover(info, c, true);
  }

  /** After a transport or its credentials failed: fall back, re-authenticate, retry later, or give up. */
  #recover(info, c, mayFallBack) {
    const action = closeAction(info);
    const closeCode = info.code;
    if (action === 'stop') {
      return this.#halt(
        info.reason,
        new AlarmClientError(ERROR_CODES.forbidden, `forbidden: ${info.reason}`, { status: info.status, closeCode }),
      );
    }
    if (action === 'reauth') {
      if (++this.#unauthorized >= this.#o.maxUnauthorized) {
        const message = `credentials refused ${this.#unauthorized} times in a row: ${info.reason}`;
        return this.#halt(info.reason, new AlarmClientError(ERROR_CODES.unauthenticated, message, { status: info.status, closeCode }));
      }
      this.#refresh = true;
    } else if (mayFallBack && !c.welcomed && this.#queue.length > 0) {
      if (c.kind === 'websocket') this.#wsFailedThisAttempt = true;
      return void this.#openNext(); // the next transport, at once
    }
    this.#setState('connecting', info.reason);
    const delay = backoffDelay(this.#attempt++, this.#o.minDelay, this.#o.maxDelay, this.#o.random);
    this.#o.clearTimeout(this.#timer);
    this.#timer = this.#o.setTimeout(() => this.#startAttempt(), delay);
  }

  /** Over WebSocket a message; over SSE (or while away) the next open carries the new topics. */
  #changeTopics(message) {
    return new Promise((resolve, reject) => {
      if (this.#state === 'disconnected') return resolve(this.topics);
      this.#pending.push({ resolve, reject });
      const c = this.#current;
      if (!c?.welcomed) return; // resolved by the coming welcome
      if (c.kind === 'websocket' && c.conn.send(message)) return;
      // SSE has no upstream: reopen at once, resuming, with ?topics= (no backoff: nothing failed).
      this.#current = null;
      this.#o.clearTimeout(this.#watchdog);
      c.conn.close();
      this.#setState('connecting', 'topics changed');
      this.#run++;
      this.#queue = [c.kind];
      void this.#openNext();
    });
  }

  /** Calls listeners; one that throws never breaks the stream (it is reported as an `error`). */
  #emit(name, payload) {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(payload);
      } catch (err) {
        if (name === 'error') console.error('AlarmClient: an error listener threw', err);
        else
          this.#emit(
            'error',
            new AlarmClientError(ERROR_CODES.listenerFailed, `a '${name}' listener threw: ${err?.message ?? err}`, { cause: err }),
          );
      }
    }
  }
}
