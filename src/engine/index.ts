/** The rule engine's public surface. */
export { createEngine } from './engine.js';
export { isActive, type AlarmRecord, type TransitionReason } from './alarm-state.js';
export { compileSchedule, isScheduleActive, nextScheduleEdge, type CompiledSchedule } from './schedule.js';
export type * from './types.js';
