/** The connection state of one PLC as reported to the main thread: one transition function. */

export type LinkState =
  | { kind: 'unknown' }
  | { kind: 'connected'; last_ok_at: number }
  | { kind: 'disconnected'; error: string; last_ok_at: number | null };

export type LinkEvent = { type: 'read_ok'; at: number } | { type: 'failed'; error: string };

/** `changed` is true when the outside world should hear about it (connected or reason differ). */
export interface LinkTransition {
  from: LinkState;
  to: LinkState;
  changed: boolean;
}

export function linkTransition(from: LinkState, event: LinkEvent): LinkTransition {
  switch (event.type) {
    case 'read_ok': {
      const to: LinkState = { kind: 'connected', last_ok_at: event.at };
      return { from, to, changed: from.kind !== 'connected' };
    }
    case 'failed': {
      const to: LinkState = { kind: 'disconnected', error: event.error, last_ok_at: lastOkAt(from) };
      return { from, to, changed: from.kind !== 'disconnected' || from.error !== event.error };
    }
  }
}

export function lastOkAt(state: LinkState): number | null {
  switch (state.kind) {
    case 'unknown':
      return null;
    case 'connected':
    case 'disconnected':
      return state.last_ok_at;
  }
}

/** The status fields of the worker protocol for a state. */
export function linkStatus(state: LinkState): { connected: boolean; last_ok_at: number | null; error: string | null } {
  switch (state.kind) {
    case 'unknown':
      return { connected: false, last_ok_at: null, error: null };
    case 'connected':
      return { connected: true, last_ok_at: state.last_ok_at, error: null };
    case 'disconnected':
      return { connected: false, last_ok_at: state.last_ok_at, error: state.error };
  }
}
