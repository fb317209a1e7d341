import type { ColumnType, Generated } from 'kysely';

/**
 * Table types as SQLite stores them: booleans are 0/1, JSON is text. PostgreSQL stores the same
 * (db/migrations/postgres/), so the types hold for both.
 */
export interface SettingsTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  role: string;
  token_version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface PlcsTable {
  id: Generated<number>;
  name: string;
  host: string;
  port: number;
  unit_id: number;
  poll_interval_ms: number;
  timeout_ms: number;
  max_in_flight: number;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface DatapointsTable {
  id: Generated<number>;
  plc_id: number;
  label: string;
  description: string;
  area: string;
  address: number;
  type: string;
  word_order: string;
  scale: number;
  offset: number;
  unit: string;
  created_at: string;
  updated_at: string;
}

export interface RulesTable {
  id: Generated<number>;
  datapoint_id: number;
  name: string;
  severity: string;
  comparison: string;
  warning_threshold: number | null;
  alarm_threshold: number | null;
  deadband: number;
  on_delay_ms: number;
  off_delay_ms: number;
  schedule: string | null;
  enabled: number;
  /** JSON of SuppressWhen, or null */
  suppress_when: string | null;
  escalate_after_s: number | null;
  created_at: string;
  updated_at: string;
}

export interface EventsTable {
  id: Generated<number>;
  topic: string;
  type: string;
  /** Set for per-user events (topic `items`); null means "everyone allowed to read the topic". */
  owner_id: number | null;
  /** Set for events about one rule, so history can filter by it through an index. */
  rule_id: number | null;
  payload: string;
  ts: string;
  /** What the event is to the KPIs (src/kpi/kpi-kind.ts), null for most; set with `kpi_ms`, its time in ms. */
  kpi_kind: number | null;
  kpi_ms: number | null;
}

export interface AlarmStatesTable {
  rule_id: number;
  state: string;
  acked: number;
  shelved_until: number | null;
  since: number;
  value: number | null;
  oos_since: number | null;
  oos_user: string | null;
  oos_comment: string | null;
  escalation: Generated<number>;
  unacked_since: number | null;
  escalated_at: number | null;
}

/** Personal alarms and timers (SPEC 8); `alarm` / `timer` are JSON, times in ms. */
export interface ItemsTable {
  id: string;
  owner_id: number;
  kind: string;
  label: string;
  enabled: number;
  alarm: string | null;
  timer: string | null;
  version: number;
  updated_at: string;
  deleted: number;
  seq: number;
  next_due_at: number | null;
  last_due_at: number | null;
}

/** A one-time stream ticket (PostgreSQL only: a cluster's nodes share them); times in ms. */
export interface StreamTicketsTable {
  ticket: string;
  user_id: number;
  token_version: number;
  session_expires_at: number;
  expires_at: number;
}

/** A live node of a cluster (PostgreSQL only). timestamptz reads as a Date. Its PLCs are its lease locks'. */
export interface ClusterNodesTable {
  name: string;
  started_at: ColumnType<Date, Date | string, Date | string>;
  last_seen: ColumnType<Date, Date | string, Date | string>;
  /** JSON: the node's suppressed rules, [{rule_id, rule_name, would_be}] */
  suppressed: Generated<string>;
}

/**
 * A notifier (SPEC 14): `config` is its settings as JSON, the secret included; the cursor is two
 * event ids; `status_*` are its status counters, saved with the cursor (times ISO text, ids event ids).
 */
export interface NotifiersTable {
  id: Generated<number>;
  name: string;
  kind: string;
  config: string;
  enabled: number;
  cursor_through: Generated<number>;
  cursor_replay_from: Generated<number>;
  status_delivered: Generated<number>;
  status_failed_attempts: Generated<number>;
  status_abandoned: Generated<number>;
  status_last_error: string | null;
  status_last_error_at: string | null;
  status_last_delivered_at: string | null;
  status_last_delivered_id: number | null;
  status_last_abandoned_id: number | null;
  created_at: string;
  updated_at: string;
}

/** A finished minute of one datapoint's trend (SPEC 13), until its hour is packed; `minute` in epoch minutes, `weight` the ms of good value. */
export interface TrendMinutesTable {
  minute: number;
  datapoint_id: number;
  min: number;
  max: number;
  avg: number;
  last: number;
  weight: number;
}

/** An hour of one datapoint's trend, packed (src/trend/hour-pack.ts); `hour` in epoch hours. */
export interface TrendHoursTable {
  hour: number;
  datapoint_id: number;
  minutes: Uint8Array;
}

export interface Database {
  alarm_states: AlarmStatesTable;
  settings: SettingsTable;
  users: UsersTable;
  plcs: PlcsTable;
  datapoints: DatapointsTable;
  rules: RulesTable;
  events: EventsTable;
  items: ItemsTable;
  stream_tickets: StreamTicketsTable;
  cluster_nodes: ClusterNodesTable;
  notifiers: NotifiersTable;
  trend_minutes: TrendMinutesTable;
  trend_hours: TrendHoursTable;
}
