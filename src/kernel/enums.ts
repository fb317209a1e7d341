/** The closed sets every layer shares; each type is inferred from its list, so a value is added in one place. */

/** Least to most urgent. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const COMPARISONS = ['above', 'below', 'equal', 'not_equal'] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** A rule's alarm state (the engine's state machine: src/engine/alarm-state.ts). */
export const ALARM_STATES = ['OK', 'WARNING', 'ALARM', 'UNKNOWN'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** Modbus data areas: 16-bit registers (holding, input) and single bits (coil, discrete). */
export const AREAS = ['holding', 'input', 'coil', 'discrete'] as const;
export type Area = (typeof AREAS)[number];
export type BitArea = Extract<Area, 'coil' | 'discrete'>;
export type RegisterArea = Exclude<Area, BitArea>;

export const VALUE_TYPES = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** Which register of a 32-bit value comes first. */
/** A sample's quality: a bad one has no value to trust (the PLC did not answer, or answered nonsense). */
export const QUALITIES = ['good', 'bad'] as const;
export type Quality = (typeof QUALITIES)[number];

export const WORD_ORDERS = ['big', 'little'] as const;
export type WordOrder = (typeof WORD_ORDERS)[number];

export function isBitArea(area: Area): area is BitArea {
  return area === 'coil' || area === 'discrete';
}

/** Registers a value of this type takes in a register area. */
export function registerCount(type: ValueType): 1 | 2 {
  return type === 'int32' || type === 'uint32' || type === 'float32' ? 2 : 1;
}

/** The journal's topics (SPEC 5). */
export const TOPICS = ['alarms', 'audit', 'config', 'system', 'items'] as const;
export type Topic = (typeof TOPICS)[number];

/** Topics a client can subscribe to: the journaled ones plus live `values`, which are never journaled. */
export const STREAM_TOPICS = [...TOPICS, 'values'] as const;
export type StreamTopic = (typeof STREAM_TOPICS)[number];

// Looked up per frame and client: computed once.
const TOPIC_BITS = new Map(STREAM_TOPICS.map((t, i) => [t, 1 << i]));
/** A stream topic as one bit, for the sets of topics a connection holds and a batch carries. */
export const topicBit = (topic: StreamTopic): number => TOPIC_BITS.get(topic)!;
