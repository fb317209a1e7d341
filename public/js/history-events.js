/** How the History page names and describes journaled events (SPEC 5 and 13). */
import { formatDateTime } from './format.js';

/**
 * The event types the history API filters by, per topic, as the server lists them
 * (src/journal/event-types.ts); `needs` is the permission that reads the topic.
 */
export const EVENT_GROUPS = [
  {
    label: 'Alarms',
    types: ['alarm_state', 'alarm_ack', 'alarm_shelved', 'alarm_unshelved', 'alarm_escalated', 'alarm_out_of_service', 'alarm_in_service'],
  },
  {
    label: 'Configuration',
    types: ['plc', 'datapoint', 'rule', 'notifier'].flatMap((r) => [`${r}_created`, `${r}_updated`, `${r}_deleted`]),
  },
  { label: 'PLC connections', types: ['plc_status'] },
  {
    label: 'Users and sign-ins',
    types: ['user_created', 'user_updated', 'user_deleted', 'signed_in', 'signed_out', 'sign_in_failed'],
    needs: 'users:admin',
  },
  { label: 'Personal items', types: ['item_created', 'item_updated', 'item_deleted', 'item_due'] },
];

const TYPE_TEXT = {
  alarm_state: 'State change',
  alarm_ack: 'Acknowledged',
  alarm_shelved: 'Shelved',
  alarm_unshelved: 'Unshelved',
  alarm_escalated: 'Escalated',
  alarm_out_of_service: 'Out of service',
  alarm_in_service: 'Back in service',
  plc_status: 'PLC connection',
  item_due: 'Item due',
  signed_in: 'Signed in',
  signed_out: 'Signed out',
  sign_in_failed: 'Failed sign-in',
};

const RESOURCE_TEXT = { plc: 'PLC', datapoint: 'Datapoint', rule: 'Rule', item: 'Item', notifier: 'Notifier', user: 'User' };

/** `rule_updated` -> `Rule updated`. */
export function typeText(type) {
  if (TYPE_TEXT[type]) return TYPE_TEXT[type];
  const [resource, ...rest] = type.split('_');
  return `${RESOURCE_TEXT[resource] ?? resource} ${rest.join(' ')}`.trim();
}

/** What an event is about: a rule, PLC, datapoint, item, notifier or account. */
export function subjectOf(e, names) {
  if (e.topic === 'audit') return e.target ?? 'no such account';
  if (e.rule_name) return e.rule_name;
  if (e.rule) return e.rule.name;
  if (e.plc) return e.plc.name;
  if (e.datapoint) return e.datapoint.description || e.datapoint.label;
  if (e.item) return e.item.label;
  if (e.notifier) return `notifier ${e.notifier.name}`;
  if (e.type === 'plc_status') return names.plcs.get(e.plc_id) ?? `PLC ${e.plc_id}`;
  if (e.rule_id !== undefined) return names.rules.get(e.rule_id) ?? `rule ${e.rule_id}`;
  return '';
}

const shown = (value) => (value === null || value === undefined ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** `{"role": ["operator", "viewer"]}` -> `role: operator → viewer`; a password only as changed. */
function changesText(changes) {
  return Object.entries(changes ?? {})
    .map(([field, [before, after]]) => (field === 'password' ? 'password changed' : `${field}: ${shown(before)} → ${shown(after)}`))
    .join('; ');
}

/** The rest worth reading: reasons, comments, what an edit changed, where a sign-in came from. */
export function detailsOf(e) {
  switch (e.type) {
    case 'alarm_state':
      return `${e.severity}; reason: ${e.reason}${e.shelved ? '; shelved' : ''}${e.acked ? '' : '; unacknowledged'}`;
    case 'alarm_shelved':
      return [`until ${formatDateTime(e.shelved_until)}`, e.comment].filter(Boolean).join('; ');
    case 'alarm_unshelved':
      return e.reason === 'expired' ? 'time was up' : (e.reason ?? '');
    case 'alarm_escalated':
      return `level ${e.level}, unacknowledged for ${e.unacked_for_s} s`;
    case 'plc_status':
      return e.error ?? '';
    case 'user_created':
    case 'user_deleted':
      return `role: ${e.role}`;
    case 'signed_in':
    case 'sign_in_failed':
      return `from ${e.address}`;
    default:
      return [changesText(e.changes), e.comment].filter(Boolean).join('; ');
  }
}
