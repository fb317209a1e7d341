import type { ClientTransport } from './client.js';
import type { StreamTopic } from '../kernel/enums.js';
import type { Frame } from './frame.js';

/** A connection as the native fan-out sees it. */
export interface FanoutMember {
  readonly transport: ClientTransport;
  /** The audiences it hears (a few: an array is lighter than a Set), or null while the hub writes to it directly. */
  joined: readonly string[] | null;
}

export type Publish = (audience: string, text: string) => void;

// A native fan-out checks its sockets' backlogs each time this much more has been published: a
// socket gets at most this far past its limit unseen, and a check (a native call per socket) is
// paid per 64 KiB, not per batch (7 batches of 20 events in bench-fanout).
const SWEEP_BYTES = 64 * 1024;

/** The audience of a topic: a user's items go to that user only, everything else to its topic. */
export const audienceOf = (topic: StreamTopic, ownerId: number | null) => (topic === 'items' ? `items:${ownerId}` : topic);

/**
 * The hub's side of a server that fans out natively (Bun's `server.publish`: one native call
 * sends a message to every socket of an audience, where a loop of `ws.send` costs 4-6 times as
 * much). Members hear the audiences they joined; the hub writes to everyone else itself.
 */
export function nativeFanout<M extends FanoutMember>() {
  let publish: Publish | undefined;
  const members = new Set<M>();
  /** Bytes published since the members' backlogs were last checked. */
  let unchecked = 0;
  const sizes = new Map<string, number>();
  /** One array per set of audiences, shared by the members that hear it (most hear the same few). */
  const lists = new Map<string, readonly string[]>();
  const shared = (audiences: readonly string[]) => {
    const key = audiences.join('\n');
    let list = lists.get(key);
    if (!list) lists.set(key, (list = Object.freeze([...audiences])));
    return list;
  };

  return {
    /** Fans out through `p` from now on (once the server listens). */
    attach(p: Publish): void {
      publish = p;
    },

    /** Whether `transport` can join audiences here. */
    supports: (transport: ClientTransport): boolean => publish !== undefined && transport.audiences !== undefined,

    /**
     * Moves a connection to exactly the `wanted` audiences; none makes it a direct one again.
     * Returns true when it just left the last of them (the hub delivers to it from now on).
     */
    join(member: M, wanted: readonly string[]): boolean {
      const joined = member.joined ?? [];
      const audiences = member.transport.audiences;
      for (const a of joined) {
        if (wanted.includes(a)) continue;
        audiences?.leave(a);
        sizes.set(a, (sizes.get(a) ?? 1) - 1);
      }
      for (const a of wanted) {
        if (joined.includes(a)) continue;
        audiences?.join(a);
        sizes.set(a, (sizes.get(a) ?? 0) + 1);
      }
      if (wanted.length > 0) {
        member.joined = shared(wanted);
        members.add(member);
        return false;
      }
      if (member.joined === null) return false;
      member.joined = null;
      members.delete(member);
      return true;
    },

    /**
     * Sends each frame to its audience; returns how many deliveries that made. A member past its
     * buffer limit goes to `congested` (the hub closes it, slow consumer), checked every
     * SWEEP_BYTES published, so no socket gets further past its limit unseen.
     */
    send(frames: readonly Frame[], congested: (member: M) => void): number {
      if (!publish || members.size === 0) return 0;
      let delivered = 0;
      for (const f of frames) {
        const audience = audienceOf(f.topic!, f.ownerId);
        const size = sizes.get(audience) ?? 0;
        if (size === 0) continue;
        publish(audience, f.json);
        delivered += size;
        unchecked += f.json.length;
        if (unchecked < SWEEP_BYTES) continue;
        unchecked = 0;
        for (const m of members) if (m.transport.congested?.()) congested(m);
      }
      return delivered;
    },
  };
}
