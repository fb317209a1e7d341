/** Types of alarm-client.js, the streaming client of the plant alarm server (SPEC 5-7). */

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';
export type TransportName = 'websocket' | 'sse';
export type Topic = 'alarms' | 'audit' | 'config' | 'system' | 'items' | 'values';
export type AlarmState = 'OK' | 'WARNING' | 'ALARM' | 'UNKNOWN';
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** WebSocket close codes of SPEC 6 that the client acts on. */
export declare const CLOSE_CODES: Readonly<{
  normal: 1000;
  goingAway: 1001;
  abnormal: 1006;
  policyViolation: 1008;
  tooBig: 1009;
  internal: 1011;
  slowConsumer: 4008;
  unauthenticated: 4401;
  forbidden: 4403;
  tooManyStreams: 4429;
}>;

/** Codes of the errors the client raises itself. */
export declare const ERROR_CODES: Readonly<{
  unauthenticated: 'unauthenticated';
  forbidden: 'forbidden';
  credentialsFailed: 'credentials_failed';
  badFrame: 'bad_frame';
  listenerFailed: 'listener_failed';
  closed: 'closed';
}>;

export type ClientErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** What the client does after a transport ends with a close code or an HTTP status. */
export declare function closeAction(ended: { code?: number | undefined; status?: number | undefined }): 'reauth' | 'stop' | 'reconnect';

/** A failure: the client's own codes, or the server's (SPEC 2 codes, `bad_message`). */
export declare class AlarmClientError extends Error {
  constructor(code: string, message: string, extra?: { status?: number; closeCode?: number; cause?: unknown });
  readonly code: ClientErrorCode | (string & {});
  /** The HTTP status, for failures of an HTTP request (SSE open, ticket, ack). */
  readonly status?: number;
  /** The WebSocket close code that ended the stream, when one did. */
  readonly closeCode?: number;
}

/** The delay before reconnect attempt `attempt` (0 first): exponential, full jitter, within [minMs, maxMs]. */
export declare function backoffDelay(attempt: number, minMs?: number, maxMs?: number, random?: () => number): number;

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** An incremental text/event-stream parser. */
export declare function createSseParser(handlers: {
  onEvent(event: SseEvent): void;
  onComment?(text: string): void;
  onRetry?(ms: number): void;
}): { push(chunk: string): void; end(): void };

// --- messages ----------------------------------------------------------------------------------

export interface Welcome {
  type: 'welcome';
  user: { id: number; username: string };
  topics: Topic[];
  heartbeat_ms: number;
}

/** An alarm as the active list and snapshots show it (SPEC 4). */
export interface ActiveAlarm {
  rule_id: number;
  rule_name: string;
  datapoint_id: number;
  datapoint_label: string | null;
  datapoint_description: string | null;
  plc_id: number | null;
  state: AlarmState;
  severity: Severity;
  value: number | null;
  since: string | null;
  acked: boolean;
  shelved_until: string | null;
}

export interface Snapshot {
  type: 'snapshot';
  last_event_id: number;
  active: ActiveAlarm[];
}

export interface SyncRequired {
  type: 'sync_required';
  reason: string;
}

/** Every journaled event: a strictly increasing id, kept across restarts. */
export interface JournalEvent {
  id: number;
  type: string;
  topic: Exclude<Topic, 'values'>;
  ts: string;
  [field: string]: unknown;
}

export interface AlarmStateEvent extends JournalEvent {
  type: 'alarm_state';
  topic: 'alarms';
  rule_id: number;
  rule_name: string;
  datapoint_id: number;
  datapoint_label: string | null;
  plc_id: number | null;
  state: AlarmState;
  previous_state: AlarmState;
  severity: Severity;
  comparison: 'above' | 'below' | 'equal' | 'not_equal';
  value: number | null;
  warning_threshold: number | null;
  alarm_threshold: number | null;
  acked: boolean;
  shelved: boolean;
  reason: 'value' | 'quality' | 'schedule' | 'disabled' | 'rule_changed' | 'deleted' | 'error';
  message: string;
}

export interface AlarmAckEvent extends JournalEvent {
  type: 'alarm_ack';
  topic: 'alarms';
  rule_id: number;
  user: string | null;
  comment: string | null;
}

export interface AlarmShelvedEvent extends JournalEvent {
  type: 'alarm_shelved';
  topic: 'alarms';
  rule_id: number;
  user: string | null;
  comment: string | null;
  shelved_until: string | null;
}

export interface AlarmUnshelvedEvent extends JournalEvent {
  type: 'alarm_unshelved';
  topic: 'alarms';
  rule_id: number;
  user: string | null;
  comment: string | null;
  reason: string;
}

export interface PlcStatusEvent extends JournalEvent {
  type: 'plc_status';
  topic: 'system';
  plc_id: number;
  connected: boolean;
  error: string | null;
}

export interface LiveValue {
  datapoint_id: number;
  value: number | null;
  quality: 'good' | 'bad';
  ts: string;
}

/** Live values: not journaled, no id, at most 4 a second. */
export interface ValuesMessage {
  type: 'values';
  topic: 'values';
  values: LiveValue[];
}

export interface StateChange {
  oldState: ConnectionState;
  newState: ConnectionState;
  /** The transport now in use (`connected`); null while reconnecting and when disconnected. */
  transport: TransportName | null;
  /** Why, e.g. `welcome over sse`, `server stopping`, `heartbeat timeout`, `close()`. */
  reason: string;
}

/** Every event `on()` knows by name, with its payload. Other journaled types: `on('plc_created', ...)`. */
export interface AlarmClientEvents {
  state: StateChange;
  welcome: Welcome;
  snapshot: Snapshot;
  sync_required: SyncRequired;
  /** Every journaled event, once, in id order. */
  event: JournalEvent;
  values: ValuesMessage;
  error: AlarmClientError;
  alarm_state: AlarmStateEvent;
  alarm_ack: AlarmAckEvent;
  alarm_shelved: AlarmShelvedEvent;
  alarm_unshelved: AlarmUnshelvedEvent;
  plc_status: PlcStatusEvent;
}

// --- the client --------------------------------------------------------------------------------

/** The slice of the WebSocket API the client uses (browsers, Node 22, or `ws`). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: any) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drop a dead link without waiting for its close frame. */
  terminate?(): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface AlarmClientOptions {
  /** Where the server is, e.g. `http://127.0.0.1:8080`; in a browser, the page's origin by default. */
  baseUrl?: string;
  /**
   * A bearer token, asked for before every open; `refresh` is true after the server refused
   * the last one (4401 or 401), so return a new one then. In a browser it is swapped for a
   * one-time ticket per open (see `useTickets`).
   */
  getToken?: (info: { refresh: boolean }) => Promise<string> | string;
  /** A one-time ticket (`POST /api/auth/ticket`) per open, instead of getToken. */
  getTicket?: (info: { refresh: boolean }) => Promise<string> | string;
  /** Swap the token for a ticket on every open; default: true in a browser, false elsewhere. */
  useTickets?: boolean;
  /** Topics to stream; default all the user may read. */
  topics?: Topic[];
  /** Start after this event id (replay what came after); default: start from a snapshot. */
  lastEventId?: number;
  /** Which transports, in order; default ['websocket', 'sse']. ['sse'] forces SSE. */
  transports?: TransportName[];
  /** Stream from /ws/alarms and /sse/alarms, which require alarms:read (4403/403 otherwise). */
  alarmsOnly?: boolean;
  /** Backoff bounds in ms; default 500 and 20000. */
  minReconnectDelay?: number;
  maxReconnectDelay?: number;
  /** How long an open may take to reach its welcome before the next transport is tried; default 5000 ms. */
  connectTimeout?: number;
  /** Give up after this many refused credentials in a row; default 3. */
  maxUnauthorized?: number;
  /** A WebSocket constructor; default `globalThis.WebSocket`. Node 20: `import WebSocket from 'ws'`. */
  WebSocket?: WebSocketConstructor | (abstract new (...args: any[]) => unknown);
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Default Math.random; for tests of the backoff. */
  random?: () => number;
  /** Default the global timers; tests pass their own to move time by hand. */
  timers?: {
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
    /** Default Date.now: what the heartbeat watchdog measures silence with. */
    now?(): number;
  };
}

/**
 * A live stream of the alarm server's events over WebSocket, or SSE when a WebSocket cannot
 * open. Reconnects with backoff and resumes from `lastEventId`: no journaled event is lost or
 * delivered twice.
 */
export declare class AlarmClient {
  constructor(options: AlarmClientOptions);
  readonly state: ConnectionState;
  /** The transport in use or being tried; null when there is none. */
  readonly transport: TransportName | null;
  /** The id of the last journaled event delivered (or of the last snapshot). */
  readonly lastEventId: number | undefined;
  /** The topics asked for; after a welcome, the ones the server granted. */
  readonly topics: Topic[] | undefined;

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof AlarmClientEvents>(name: K, fn: (payload: AlarmClientEvents[K]) => void): () => void;
  on(name: string, fn: (payload: JournalEvent) => void): () => void;
  off<K extends keyof AlarmClientEvents>(name: K, fn: (payload: AlarmClientEvents[K]) => void): void;
  off(name: string, fn: (payload: JournalEvent) => void): void;

  /** Starts streaming (no-op unless disconnected). */
  connect(): void;
  /** Stops streaming; nothing reconnects until connect(). */
  close(): void;
  /** Adds topics (rule_ids limits `alarms` to those rules); resolves with the topics now streamed. */
  subscribe(topics: Topic[], ruleIds?: number[]): Promise<Topic[] | undefined>;
  unsubscribe(topics: Topic[]): Promise<Topic[] | undefined>;
  /** Acknowledges an alarm (WebSocket message, or POST /api/alarms/{id}/ack). */
  ack(ruleId: number, comment?: string): Promise<void>;
}
