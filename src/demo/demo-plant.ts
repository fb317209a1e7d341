/** The built-in demo plant: its PLC, datapoints and rules, as the plant's own create inputs. */
import type { DatapointInput } from '../plant/datapoint.js';
import type { PlcInput } from '../plant/plc.js';
import type { RuleInput, SuppressWhen } from '../plant/rule.js';

/** A datapoint of the demo PLC; rules refer to it by label. */
export type DemoDatapoint = Omit<DatapointInput, 'plc_id'>;

/** A rule on demo datapoints, named by label: their ids exist only once seeded. */
export type DemoRule = Omit<RuleInput, 'datapoint_id' | 'suppress_when'> & {
  datapoint_label: string;
  suppress_when: (Omit<SuppressWhen, 'datapoint_id'> & { datapoint_label: string }) | null;
};

export function demoPlc(port: number): PlcInput {
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

const rule = (r: Omit<DemoRule, 'schedule' | 'enabled' | 'suppress_when' | 'escalate_after_s'> & Partial<DemoRule>): DemoRule => ({
  schedule: null,
  enabled: true,
  suppress_when: null,
  escalate_after_s: null,
  ...r,
});

// Thresholds are picked against the process model (process-model.ts): K-1 warns at ~24 s and
// alarms at ~40 s, the pump trips at 50 s, from the start of the demo.
export const demoRules: readonly DemoRule[] = [
  rule({
    datapoint_label: 'K1_DISCH_TEMP',
    name: 'K-1 discharge temperature high',
    severity: 'high',
    comparison: 'above',
    warning_threshold: 85,
    alarm_threshold: 95,
    deadband: 2,
    on_delay_ms: 2000,
    off_delay_ms: 2000,
  }),
  rule({
    datapoint_label: 'T101_LEVEL',
    name: 'T-101 level high',
    severity: 'medium',
    comparison: 'above',
    warning_threshold: 80,
    alarm_threshold: 90,
    deadband: 1,
    on_delay_ms: 1000,
    off_delay_ms: 0,
  }),
  rule({
    datapoint_label: 'HDR_PRESSURE',
    name: 'Header pressure low',
    severity: 'high',
    comparison: 'below',
    warning_threshold: 4,
    alarm_threshold: 3,
    deadband: 0.2,
    on_delay_ms: 1000,
    off_delay_ms: 1000,
  }),
  rule({
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
  }),
  // Designed suppression: no flow is expected from a pump that is not running.
  rule({
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
  }),
];
