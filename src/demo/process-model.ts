/** The demo plant's process: engineering values over time, written to the simulator as a PLC holds them. */
import { systemClock, type Clock } from '../kernel/clock.js';
import type { Simulator } from '../modbus/simulator.js';
import { demoDatapoints } from './demo-plant.js';

const CYCLE_S = 120;

/** Rises 0 -> 1 over `up` seconds, falls back over the rest of the cycle. */
function triangle(t: number, up: number): number {
  const s = t % CYCLE_S;
  return s < up ? s / up : 1 - (s - up) / (CYCLE_S - up);
}

/** The plant's engineering values `elapsedMs` after start, by datapoint label. Pure. */
export function demoPlantValues(elapsedMs: number): Record<string, number> {
  const t = Math.max(0, elapsedMs) / 1000;
  const fault = t % CYCLE_S >= 50 && t % CYCLE_S < 65;
  return {
    K1_DISCH_TEMP: 72 + 27 * triangle(t, 45) + 0.3 * Math.sin(t),
    T101_LEVEL: 30 + 55 * triangle(t, 60),
    HDR_PRESSURE: fault ? 2.5 : 6 + 0.4 * Math.sin((2 * Math.PI * t) / 30),
    P101_FLOW: fault ? 0 : 42.5 + 2 * Math.sin((2 * Math.PI * t) / 20),
    P101_FAULT: fault ? 1 : 0,
    P101_RUNNING: fault ? 0 : 1,
  };
}

/** The slice of the simulator the plant writes through. */
export type PlantRegisters = Pick<Simulator, 'write'>;

/** Stores engineering values as the raw registers a PLC would hold (raw = (value - offset) / scale). */
export function writeDemoPlant(registers: PlantRegisters, values: Record<string, number>): void {
  for (const d of demoDatapoints) {
    const value = values[d.label];
    if (value === undefined) continue;
    registers.write(d.area, d.address, d.type, d.word_order, (value - d.offset) / d.scale);
  }
}

export interface DemoPlantOptions {
  clock?: Clock;
  tickMs?: number;
}

/** Drives the model on the simulator every `tickMs` (default 250) until stopped. */
export function startDemoPlant(registers: PlantRegisters, options: DemoPlantOptions = {}): { stop(): void } {
  const clock = options.clock ?? systemClock();
  const tickMs = options.tickMs ?? 250;
  const start = clock.now();
  let handle: unknown = null;
  const tick = (): void => {
    writeDemoPlant(registers, demoPlantValues(clock.now() - start));
    handle = clock.setTimer(clock.now() + tickMs, tick);
  };
  tick();
  return { stop: () => clock.clearTimer(handle) };
}
