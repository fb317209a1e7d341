/** Compares two full poller configurations PLC by PLC, so only what changed is touched. */
import type { PollerPlc, PollerPoint } from './protocol.js';

export interface PlcConfig {
  plc: PollerPlc;
  points: PollerPoint[];
}

export type PlcChange =
  | { kind: 'start'; config: PlcConfig }
  | { kind: 'update'; config: PlcConfig }
  /** The PLC is disabled (newly, or its points changed while disabled). */
  | { kind: 'disable'; config: PlcConfig }
  | { kind: 'remove'; plcId: number };

/** Groups points under their PLC; points of an unknown PLC are dropped. */
export function groupConfig(plcs: readonly PollerPlc[], points: readonly PollerPoint[]): Map<number, PlcConfig> {
  const byPlc = new Map<number, PlcConfig>(plcs.map((plc) => [plc.id, { plc, points: [] }]));
  for (const point of points) byPlc.get(point.plc_id)?.points.push(point);
  for (const config of byPlc.values()) config.points.sort((a, b) => a.id - b.id);
  return byPlc;
}

export function diffConfig(prev: ReadonlyMap<number, PlcConfig>, next: ReadonlyMap<number, PlcConfig>): PlcChange[] {
  const changes: PlcChange[] = [];
  for (const [id, config] of next) {
    const old = prev.get(id);
    if (old !== undefined && sameConfig(old, config)) continue;
    if (!config.plc.enabled) changes.push({ kind: 'disable', config });
    else if (old === undefined || !old.plc.enabled) changes.push({ kind: 'start', config });
    else changes.push({ kind: 'update', config });
  }
  for (const id of prev.keys()) if (!next.has(id)) changes.push({ kind: 'remove', plcId: id });
  return changes;
}

function sameConfig(a: PlcConfig, b: PlcConfig): boolean {
  if (!sameFields(a.plc, b.plc) || a.points.length !== b.points.length) return false;
  return a.points.every((p, i) => {
    const q = b.points[i];
    return q !== undefined && sameFields(p, q);
  });
}

function sameFields<T extends object>(a: T, b: T): boolean {
  const keys = Object.keys(a) as (keyof T)[];
  return keys.length === Object.keys(b).length && keys.every((k) => Object.is(a[k], b[k]));
}
