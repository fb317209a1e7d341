/** The MQTT topic layout of SPEC 14 under a notifier's `mqtt_topic`. */

// An event whose rule's PLC is not known any more still needs a topic level.
const plcLevel = (plcId: number | null) => (plcId === null ? 'unknown' : String(plcId));

/** `<mqtt_topic>/<plc_id>/<rule_id>/events`: every event, QoS 1. */
export const eventsTopic = (prefix: string, plcId: number | null, ruleId: number) => `${prefix}/${plcLevel(plcId)}/${ruleId}/events`;

/** `<mqtt_topic>/<plc_id>/<rule_id>/state`: the rule's current alarm, retained. */
export const stateTopic = (prefix: string, plcId: number | null, ruleId: number) => `${prefix}/${plcLevel(plcId)}/${ruleId}/state`;

/** `<mqtt_topic>/test`: the message of "send test", which belongs to no rule. */
export const testTopic = (prefix: string) => `${prefix}/test`;
