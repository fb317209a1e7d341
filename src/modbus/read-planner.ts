/** Groups one PLC's datapoints into as few Modbus block reads as the protocol allows. */
import { AREAS, isBitArea, registerCount, type Area, type ValueType } from '../kernel/enums.js';

export interface PlanPoint {
  id: number;
  area: Area;
  address: number;
  type: ValueType;
}

/** A point inside a request: `offset` counts registers (holding/input) or bits (coil/discrete). */
export interface PlannedPoint {
  id: number;
  offset: number;
}

export interface ReadRequest {
  area: Area;
  start: number;
  count: number;
  points: PlannedPoint[];
}

export interface ReadPlan {
  requests: ReadRequest[];
  /** Points that can never be read as configured, with the reason. */
  invalid: { id: number; error: string }[];
}

export interface PlannerOptions {
  /** Unused registers a request may span to merge two neighbours. */
  maxGapRegisters?: number;
  maxGapBits?: number;
  /** Protocol limits (FC03/04: 125 registers, FC01/02: 2000 bits); some devices want less. */
  maxRegisters?: number;
  maxBits?: number;
}

const ADDRESS_SPACE = 65536;

/** Registers (or bits) a point occupies; coil/discrete points are always one bit. */
export function pointWidth(area: Area, type: ValueType): number {
  return isBitArea(area) ? 1 : registerCount(type);
}

export function planReads(points: readonly PlanPoint[], options: PlannerOptions = {}): ReadPlan {
  const requests: ReadRequest[] = [];
  const invalid: ReadPlan['invalid'] = [];
  for (const area of AREAS) {
    const bits = isBitArea(area);
    const maxGap = bits ? (options.maxGapBits ?? 64) : (options.maxGapRegisters ?? 8);
    const maxCount = bits ? (options.maxBits ?? 2000) : (options.maxRegisters ?? 125);
    const inArea: { id: number; address: number; width: number }[] = [];
    for (const p of points) {
      if (p.area !== area) continue;
      const width = pointWidth(area, p.type);
      if (!Number.isInteger(p.address) || p.address < 0 || p.address + width > ADDRESS_SPACE) {
        invalid.push({ id: p.id, error: `address ${p.address} out of range for ${p.type}` });
      } else {
        inArea.push({ id: p.id, address: p.address, width });
      }
    }
    inArea.sort((a, b) => a.address - b.address || a.id - b.id);
    requests.push(...groupArea(area, inArea, maxGap, maxCount));
  }
  return { requests, invalid };
}

// Greedy left-to-right is optimal here: any sub-run of a feasible block is feasible too.
function groupArea(
  area: Area,
  sorted: readonly { id: number; address: number; width: number }[],
  maxGap: number,
  maxCount: number,
): ReadRequest[] {
  const out: ReadRequest[] = [];
  let current: ReadRequest | null = null;
  let end = 0; // exclusive end of the current block
  for (const p of sorted) {
    const pEnd = p.address + p.width;
    if (current !== null) {
      const newEnd = Math.max(end, pEnd);
      if (p.address - end <= maxGap && newEnd - current.start <= maxCount) {
        current.points.push({ id: p.id, offset: p.address - current.start });
        end = newEnd;
        current.count = end - current.start;
        continue;
      }
    }
    current = { area, start: p.address, count: p.width, points: [{ id: p.id, offset: 0 }] };
    end = pEnd;
    out.push(current);
  }
  return out;
}
