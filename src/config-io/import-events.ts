import type { NewEvent } from '../journal/events.js';
import type { Notifier } from '../notify/notifier.js';
import { notifierEvent } from '../notify/notifier-service.js';
import type { Datapoint } from '../plant/datapoint.js';
import { configEvent } from '../plant/plant-context.js';
import type { Plc } from '../plant/plc.js';
import type { Rule } from '../plant/rule.js';
import type { ImportStep } from './import-steps.js';

/** The row a create or update stored. */
export type Written = Plc | Datapoint | Rule | Notifier;

export interface EventContext {
  user: string | null;
  /** Every datapoint's PLC, the import's new ones included: rule events name it (SPEC 13). */
  plcOfPoint: ReadonlyMap<number, number>;
}

const PAST = { create: 'created', update: 'updated', delete: 'deleted' } as const;

/** The config event the REST API's service journals for the same change (src/plant, src/notify): same type, same payload. */
export function eventOf(step: ImportStep, written: Written | undefined, { user, plcOfPoint }: EventContext): NewEvent {
  switch (step.resource) {
    case 'plc':
    case 'datapoint':
      if (step.action === 'delete') return configEvent(step.resource, 'deleted', step.before, { user });
      return configEvent(step.resource, PAST[step.action], written!, step.action === 'update' ? { user, before: step.before } : { user });
    case 'rule': {
      const rule = step.action === 'delete' ? step.before : (written as Rule);
      const audit = { user, plc_id: plcOfPoint.get(rule.datapoint_id) ?? null };
      return configEvent('rule', PAST[step.action], rule, step.action === 'update' ? { ...audit, before: step.before } : audit);
    }
    case 'notifier':
      if (step.action === 'delete') return notifierEvent('deleted', step.before, user);
      return notifierEvent(PAST[step.action], written as Notifier, user, step.action === 'update' ? step.before : undefined);
  }
}
