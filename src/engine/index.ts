/** The rule engine's public surface. */
export { createEngine } from './engine.js';
export { COMPARISONS, SEVERITIES } from './types.js';
export { ALARM_STATES, isActive, type AlarmRecord, type AlarmState, type TransitionReason } from './alarm-state.js';
export { compileSchedule, isScheduleActive, nextScheduleEdge, type CompiledSchedule } from './schedule.js';
export { isValidTimeZone } from './zone-offset.js';
export type * from './types.js';
