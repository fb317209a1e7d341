/** What a node knows at one lease round. */
export interface LeaseView {
  /** every PLC of the plant */
  plcs: readonly number[];
  /** the PLCs this node holds */
  held: ReadonlySet<number>;
  /** PLCs held by any node, this one included */
  taken: ReadonlySet<number>;
  /** live nodes, this one included (at least 1) */
  nodes: number;
  /** rounds each free PLC has been seen free in a row (this round included) */
  freeRounds: ReadonlyMap<number, number>;
}

export interface LeasePlan {
  take: number[];
  release: number[];
}

/** A free PLC that no node under its share has taken after this many rounds goes to whoever sees it. */
export const ORPHAN_ROUNDS = 3;

/**
 * The pure half of PLC ownership. Each node aims for its share, ceil(plcs / nodes): it takes
 * free PLCs while under it, and lets go of the excess (its highest ids) when over it, which
 * happens only when a node joins. Taking needs a free PLC and releasing needs an excess, and
 * at the share neither holds: no flapping. A PLC left free for ORPHAN_ROUNDS (a node counted
 * live but gone, say) is taken by anyone, share or not.
 */
export function planLeases(view: LeaseView): LeasePlan {
  const exists = new Set(view.plcs);
  const share = Math.ceil(view.plcs.length / Math.max(1, view.nodes));
  const release = [...view.held].filter((id) => !exists.has(id));
  const kept = [...view.held].filter((id) => exists.has(id)).sort((a, b) => a - b);
  release.push(...kept.splice(share));
  const take: number[] = [];
  let holding = kept.length;
  for (const id of view.plcs) {
    if (view.taken.has(id)) continue;
    const orphan = (view.freeRounds.get(id) ?? 0) >= ORPHAN_ROUNDS;
    if (holding < share || orphan) {
      take.push(id);
      holding++;
    }
  }
  return { take, release };
}
