/** A read plan compiled against a change tracker: per request, parallel arrays for a tight decode loop. */
import { decodeKind, engineering, readRawKind, SHORT_REPLY } from './decoders.js';
import type { ChangeTracker } from './change-tracker.js';
import type { PollerPoint } from './protocol.js';
import type { Area } from '../kernel/enums.js';
import { planReads } from './read-planner.js';

export interface CompiledRequest {
  area: Area;
  start: number;
  count: number;
  /** Per point in the request: tracker slot, offset in registers or bits, decoding. */
  slots: Int32Array;
  offsets: Int32Array;
  kinds: Uint8Array;
  scales: Float64Array;
  adds: Float64Array;
}

export interface PollPlan {
  requests: CompiledRequest[];
  invalid: { id: number; error: string }[];
  /** The tracker version the slots belong to. */
  version: number;
}

/** Points the tracker at `points` and compiles the plan for it. */
export function compilePlan(points: readonly PollerPoint[], tracker: ChangeTracker): PollPlan {
  tracker.setPoints(points.map((p) => p.id));
  const byId = new Map(points.map((p) => [p.id, p]));
  const plan = planReads(points);
  const requests = plan.requests.map((r): CompiledRequest => {
    const members = r.points.flatMap((p) => {
      const spec = byId.get(p.id);
      return spec === undefined ? [] : [{ spec, slot: tracker.slotOf(p.id), offset: p.offset }];
    });
    return {
      area: r.area,
      start: r.start,
      count: r.count,
      slots: Int32Array.from(members, (m) => m.slot),
      offsets: Int32Array.from(members, (m) => m.offset),
      kinds: Uint8Array.from(members, (m) => decodeKind(m.spec)),
      scales: Float64Array.from(members, (m) => m.spec.scale),
      adds: Float64Array.from(members, (m) => m.spec.offset),
    };
  });
  return { requests, invalid: plan.invalid, version: tracker.version };
}

/**
 * Decodes a reply into the tracker. Returns false, writing nothing, when the tracker was
 * reconfigured since the plan was compiled (its slots would point at other datapoints).
 */
export function applyReply(plan: PollPlan, request: CompiledRequest, data: DataView, tracker: ChangeTracker): boolean {
  if (plan.version !== tracker.version) return false;
  const { slots, offsets, kinds, scales, adds } = request;
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[k] ?? -1;
    const raw = readRawKind(kinds[k] ?? -1, data, offsets[k] ?? 0);
    const value = raw === null ? Number.NaN : raw * (scales[k] ?? 1) + (adds[k] ?? 0);
    if (Number.isFinite(value)) tracker.goodAt(slot, value);
    else tracker.badAt(slot, raw === null ? SHORT_REPLY : describeBad(raw, scales[k] ?? 1, adds[k] ?? 0));
  }
  return true;
}

export function applyError(plan: PollPlan, request: CompiledRequest, error: string, tracker: ChangeTracker): void {
  if (plan.version !== tracker.version) return;
  for (const slot of request.slots) tracker.badAt(slot, error);
}

function describeBad(raw: number, scale: number, offset: number): string {
  const decoded = engineering(raw, { scale, offset });
  return decoded.ok ? 'bad value' : decoded.error;
}
