/**
 * What the bench (the server's thread) asks its two client workers, and what they answer.
 * Every request carries an `id`; the worker answers it once with the same `id`. Times are wall
 * clock milliseconds (see ../fanout/wall-clock.ts), comparable across threads.
 */

/** The probe: 1 WS + 1 SSE client on the alarms topic, and /healthz every 20 ms. */
export type ProbeCommand =
  | { cmd: 'start'; url: string; token: string }
  /** Everything measured so far; the bench sorts it into phases by time. */
  | { cmd: 'samples' }
  | { cmd: 'stop' };

/** One alarm transition that reached a probe client. */
export interface Delivery {
  transport: 'ws' | 'sse';
  /** `sent_at` from the event: when the bench called journal.append */
  sentAt: number;
  /** `due_at`: its place on the fixed schedule (see journal-load.ts) */
  dueAt: number;
  recvAt: number;
}

/** One /healthz request: when it was sent, how long the whole answer took, its status (0: failed). */
export interface HealthSample {
  at: number;
  ms: number;
  status: number;
}

export interface ProbeSamples {
  deliveries: Delivery[];
  health: HealthSample[];
  /** Closes of the probe's streams that the bench did not ask for. */
  unexpectedCloses: string[];
}

/** The load: replaying clients, and the sign-in storm. */
export type LoadCommand =
  | {
      cmd: 'replay';
      url: string;
      /** One token per transport: a user may hold 20 streams (MAX_STREAMS_PER_USER). */
      wsToken: string;
      sseToken: string;
      clients: { ws: number; sse: number };
      /** How many config events the journal holds: what each client must receive. */
      expected: number;
      timeoutMs: number;
    }
  | { cmd: 'close-replays' }
  | {
      cmd: 'storm';
      url: string;
      attackers: string[];
      perAttacker: number;
      admin: { address: string; username: string; password: string; delayMs: number };
    };

export interface ReplayClientResult {
  transport: 'ws' | 'sse';
  /** from the request to the expected count (NaN: not complete) */
  ms: number;
  events: number;
  lastIdSeen: number;
  /** Why it ended before the bench closed it, if it did. */
  closedEarly: string | null;
}

export interface ReplayReply {
  started: number;
  clients: ReplayClientResult[];
  /** The load worker's own event-loop busy share during the replay: near 1 means the clients, not the server, set the pace. */
  clientLoopBusy: number;
}

export interface StormReply {
  started: number;
  finished: number;
  statuses: Record<string, number>;
  /** The valid sign-in: each attempt's status and time, and the time from its first attempt to 200. */
  admin: { attempts: { status: number; ms: number }[]; msToSignedIn: number };
}
