import * as v from 'valibot';
import type { LiveState } from '../../plant/live-state.js';
import { DatapointCreate, DatapointPatch, DatapointView, type Datapoint } from '../../plant/datapoint.js';
import { IdParam, QueryFlag } from '../../kernel/fields.js';
import type { DatapointService } from '../../plant/datapoint-service.js';
import type { PlcService } from '../../plant/plc-service.js';
import { PlcCreate, PlcPatch, PlcView, type Plc } from '../../plant/plc.js';
import type { RuleService } from '../../plant/rule-service.js';
import { Rule, RuleCreate, RulePatch } from '../../plant/rule.js';
import { resourceRouter } from './resource-router.js';

export function plcRoutes(plcs: PlcService, live: LiveState) {
  return resourceRouter({
    name: 'PLC',
    tag: 'plant',
    shown: PlcView,
    read: 'alarms:read',
    write: 'alarms:admin',
    create: PlcCreate,
    patch: PlcPatch,
    removeQuery: v.strictObject({ cascade: QueryFlag }),
    list: () => plcs.list(),
    get: plcs.get,
    insert: plcs.create,
    update: plcs.update,
    remove: (id, q, user) => plcs.remove(id, q.cascade, user),
    view: (p: Plc) => ({ ...p, status: live.status(p.id) }),
  });
}

export function datapointRoutes(datapoints: DatapointService, live: LiveState) {
  return resourceRouter({
    name: 'datapoint',
    tag: 'plant',
    shown: DatapointView,
    read: 'alarms:read',
    write: 'alarms:admin',
    create: DatapointCreate,
    patch: DatapointPatch,
    listQuery: v.strictObject({ plc_id: v.optional(IdParam) }),
    list: (q) => datapoints.list(q.plc_id),
    get: datapoints.get,
    insert: datapoints.create,
    update: datapoints.update,
    remove: (id, _q, user) => datapoints.remove(id, user),
    view: (d: Datapoint) => ({ ...d, live: live.value(d.id) }),
  });
}

export function ruleRoutes(rules: RuleService) {
  return resourceRouter({
    name: 'rule',
    tag: 'plant',
    shown: Rule,
    read: 'alarms:read',
    write: 'alarms:admin',
    create: RuleCreate,
    patch: RulePatch,
    listQuery: v.strictObject({ datapoint_id: v.optional(IdParam) }),
    list: (q) => rules.list(q.datapoint_id),
    get: rules.get,
    insert: rules.create,
    update: rules.update,
    remove: (id, _q, user) => rules.remove(id, user),
  });
}
