import type { ChildProcess } from 'node:child_process';

/**
 * What the bench asks its client process over the fork IPC channel.
 * Every command gets exactly one reply carrying the same `id`.
 */
export type Command =
  | { cmd: 'info' }
  /** Opens `count` WebSocket clients in `group`; with `token`, waits for each one's `snapshot`. */
  | { cmd: 'connect-ws'; group: string; url: string; count: number; token?: string; concurrency: number }
  /** Opens `count` SSE clients over fetch in `group` and waits for each one's `snapshot`. */
  | { cmd: 'connect-sse'; group: string; url: string; count: number; token: string; concurrency: number }
  /** Resets the counters: every open client of `group` should now receive `batches` x `perBatch` messages of `run`. */
  | { cmd: 'expect'; group: string; run: number; batches: number; perBatch: number }
  /** Replies once every expected message arrived, or after `timeoutMs` with what did. */
  | { cmd: 'collect'; timeoutMs: number }
  /** Closes every client and replies once all have closed (or after `timeoutMs`). */
  | { cmd: 'close-all'; timeoutMs: number };

export interface InfoReply {
  pid: number;
  /** The soft "Max open files" limit of the client process. */
  openFilesLimit: string;
}

export interface ConnectReply {
  opened: number;
  failed: number;
  /** Failure reasons (error code, HTTP status, close code) and how often each occurred. */
  errors: Record<string, number>;
  ms: number;
}

export interface Counts {
  ws: number;
  sse: number;
}

export interface CollectReply {
  complete: boolean;
  expected: Counts;
  received: Counts;
  /**
   * Per batch: when the first client got its first message, and when the last client (of
   * either transport, and of each) got its last one. NaN (null over IPC) where none arrived.
   */
  batches: BatchTimes[];
  /** When the last message of the run reached the last client of each transport. */
  lastRecv: Counts;
  /** CPU time the client process used between `expect` and the last message, in ms. */
  cpuMs: number;
  /** The share of that time the client process's event loop was busy (0..1). */
  eventLoopBusy: number;
  /** Messages beyond what the run holds (should be 0). */
  extraMessages: number;
  /** Closes the clients saw that they did not ask for, by reason. */
  unexpectedCloses: Record<string, number>;
}

export interface BatchTimes {
  firstRecv: number;
  lastRecv: number;
  lastWs: number;
  lastSse: number;
}

export interface CloseReply {
  closed: number;
  leftOver: number;
  ms: number;
}

type Reply = { id: number } & Record<string, unknown>;

/**
 * Sends commands to a forked process (the clients, the simulator) and resolves each with its
 * reply: the process answers every `{id, ...command}` with one `{id, ...}`.
 */
export function clientRpc<C extends object = Command>(child: ChildProcess) {
  let nextId = 1;
  const waiting = new Map<number, (reply: Reply) => void>();
  child.on('message', (reply: Reply) => {
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  return function request<T>(command: C): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, (reply) => resolve(reply as T));
      child.send({ id, ...command }, (err) => err && reject(err));
    });
  };
}
