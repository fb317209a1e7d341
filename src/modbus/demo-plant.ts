/** The built-in demo: a small process model on the simulator, and its PLC, datapoints and rules. */
import type { WordOrder } from './decoders.js';
import type { Area, ValueType } from './read-planner.js';
import { systemTimers, type Timers } from './sleeper.js';

export interface DemoPlc {
  name: string;
  host: string;
  port: number;
  unit_id: number;
  poll_interval_ms: number;
  timeout_ms: number;
  max_in_flight: number;
  enabled: boolean;
}

export interface DemoDatapoint {
  label: string;
  description: string;
  area: Area;
  address: number;
  type: ValueType;
  word_order: WordOrder;
  scale: number;
  offset: number;
  unit: string;
}

export interface DemoRule {
  datapoint_label: string;
  name: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  comparison: 'above' | 'below' | 'equal' | 'not_equal';
  warning_threshold: number | null;
  alarm_threshold: number | null;
  deadband: number;
  on_delay_ms: number;
  off_delay_ms: number;
  /** suppression by design, on another demo datapoint */
  suppress_when?: { datapoint_label: string; comparison: 'above' | 'below' | 'equal' | 'not_equal'; value: number };
  escalate_after_s?: number;
}

export function demoPlc(port: number): DemoPlc {
  return {
    name: 'Demo PLC',
    host: '127.0.0.1',
    port,
    unit_id: 1,
    poll_interval_ms: 1000,
    timeout_ms: 1000,
    max_in_flight: 1,
    enabled: true,
  };
}

const dp = (d: Omit<DemoDatapoint, 'word_order' | 'scale' | 'offset'> & Partial<DemoDatapoint>): DemoDatapoint => ({
  word_order: 'big',
  scale: 1,
  offset: 0,
  ...d,
});

export const demoDatapoints: readonly DemoDatapoint[] = [
  dp({
    label: 'K1_DISCH_TEMP',
    description: 'Compressor K-1 discharge temperature',
    area: 'holding',
    address: 0,
    type: 'float32',
    unit: '°C',
  }),
  dp({ label: 'T101_LEVEL', description: 'Tank T-101 level', area: 'holding', address: 10, type: 'uint16', scale: 0.1, unit: '%' }),
  dp({ label: 'HDR_PRESSURE', description: 'Water header pressure', area: 'input', address: 0, type: 'int16', scale: 0.01, unit: 'bar' }),
  dp({
    label: 'P101_FLOW',
    description: 'Pump P-101 outlet flow',
    area: 'holding',
    address: 20,
    type: 'int32',
    word_order: 'little',
    scale: 0.001,
    unit: 'm³/h',
  }),
  dp({ label: 'P101_FAULT', description: 'Pump P-101 motor fault', area: 'coil', address: 0, type: 'bool', unit: '' }),
  dp({ label: 'P101_RUNNING', description: 'Pump P-101 running', area: 'discrete', address: 0, type: 'bool', unit: '' }),
];

// Thresholds are picked against the model below: K-1 warns at ~24 s and alarms at ~40 s,
// the pump trips at 50 s, from the start of the demo.
export const demoRules: readonly DemoRule[] = [
  {
    datapoint_label: 'K1_DISCH_TEMP',
    name: 'K-1 discharge temperature high',
    severity: 'high',
    comparison: 'above',
    warning_threshold: 85,
    alarm_threshold: 95,
    deadband: 2,
    on_delay_ms: 2000,
    off_delay_ms: 2000,
  },
  {
    datapoint_label: 'T101_LEVEL',
    name: 'T-101 level high',
    severity: 'medium',
    comparison: 'above',
    warning_threshold: 80,
    alarm_threshold: 90,
    deadband: 1,
    on_delay_ms: 1000,
    off_delay_ms: 0,
  },
  {
    datapoint_label: 'HDR_PRESSURE',
    name: 'Header pressure low',
    severity: 'high',
    comparison: 'below',
    warning_threshold: 4,
    alarm_threshold: 3,
    deadband: 0.2,
    on_delay_ms: 1000,
    off_delay_ms: 1000,
  },
  {
    datapoint_label: 'P101_FAULT',
    name: 'P-101 motor fault',
    severity: 'critical',
    comparison: 'equal',
    warning_threshold: null,
    alarm_threshold: 1,
    deadband: 0,
    on_delay_ms: 0,
    off_delay_ms: 0,
    escalate_after_s: 30,
  },
  // Designed suppression: no flow is expected from a pump that is not running.
  {
    datapoint_label: 'P101_FLOW',
    name: 'P-101 outlet flow low',
    severity: 'medium',
    comparison: 'below',
    warning_threshold: 35,
    alarm_threshold: 20,
    deadband: 1,
    on_delay_ms: 2000,
    off_delay_ms: 0,
    suppress_when: { datapoint_label: 'P101_RUNNING', comparison: 'equal', value: 0 },
  },
];

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
export interface PlantRegisters {
  write(area: Area, address: number, type: ValueType, wordOrder: WordOrder, raw: number): void;
}

/** Stores engineering values as the raw registers a PLC would hold (raw = (value - offset) / scale). */
export function writeDemoPlant(registers: PlantRegisters, values: Record<string, number>): void {
  for (const d of demoDatapoints) {
    const value = values[d.label];
    if (value === undefined) continue;
    registers.write(d.area, d.address, d.type, d.word_order, (value - d.offset) / d.scale);
  }
}

export interface DemoPlantOptions {
  now?: () => number;
  timers?: Timers;
  tickMs?: number;
}

/** Drives the model on the simulator every `tickMs` (default 250) until stopped. */
export function startDemoPlant(registers: PlantRegisters, options: DemoPlantOptions = {}): { stop(): void } {
  const now = options.now ?? Date.now;
  const timers = options.timers ?? systemTimers;
  const start = now();
  let handle: unknown = null;
  const tick = (): void => {
    writeDemoPlant(registers, demoPlantValues(now() - start));
    handle = timers.setTimeout(tick, options.tickMs ?? 250);
  };
  tick();
  return { stop: () => timers.clearTimeout(handle) };
}
