import { Hono } from 'hono';
import * as v from 'valibot';
import type { AlarmService } from '../../alarms/alarm-service.js';
import { IdParam, QueryFlag } from '../../kernel/fields.js';
import { AlarmBody, OutOfServiceBody, SuppressedRule } from '../../alarms/alarm-events.js';
import { requirePermission, type AuthEnv } from '../middleware/auth.js';
import { routeDoc } from '../openapi/route-doc.js';
import { jsonBody, parseWith, queryOf } from '../middleware/validate.js';

const comment = v.optional(v.pipe(v.string(), v.maxLength(1000)));
/** Taking an instrument out of service needs a reason an auditor can read (ISA-18.2). */
const OutOfServiceRequest = v.strictObject({ comment: v.pipe(v.string(), v.trim(), v.minLength(1, 'say why'), v.maxLength(1000)) });
const InServiceBody = v.strictObject({ comment });
const AckBody = v.strictObject({ comment });
const ShelveBody = v.strictObject({
  duration_ms: v.pipe(v.number(), v.integer(), v.minValue(1000), v.maxValue(8 * 3_600_000, 'at most 8 hours (28800000 ms)')),
  comment,
});

const ActiveQuery = v.strictObject({ include_shelved: QueryFlag });
const ActiveList = v.strictObject({
  active: v.array(AlarmBody),
  /** The journal's position when the list was read: resume a stream from it. */
  last_event_id: v.number(),
});

const doc = (summary: string, answer: v.GenericSchema, body?: v.GenericSchema, bodyOptional = false) =>
  routeDoc({ tag: 'alarms', summary, body, bodyOptional, responses: { 200: answer } });

/** The active list, acknowledgement and shelving (SPEC 4); out of service and suppression (SPEC 13). */
export function alarmRoutes(alarms: AlarmService, lastEventId: () => Promise<number>) {
  const ruleId = (raw: string) => parseWith(IdParam, raw, 'rule id');
  const ack = requirePermission('alarms:ack');
  const admin = requirePermission('alarms:admin');
  const read = requirePermission('alarms:read');

  return new Hono<AuthEnv>()
    .get(
      '/out-of-service',
      doc('Rules out of service, longest first', v.strictObject({ out_of_service: v.array(OutOfServiceBody) })),
      read,
      async (c) => c.json({ out_of_service: await alarms.outOfServiceList() }),
    )
    .get(
      '/suppressed',
      doc('Suppressed rules whose own condition is active', v.strictObject({ suppressed: v.array(SuppressedRule) })),
      read,
      async (c) => c.json({ suppressed: await alarms.suppressed() }),
    )
    .get(
      '/active',
      routeDoc({ tag: 'alarms', summary: 'The active list, worst first', query: ActiveQuery, responses: { 200: ActiveList } }),
      read,
      async (c) => {
        const q = queryOf(c, ActiveQuery);
        // The position first: an event after it may already show in the list, none before it is missing.
        const last = await lastEventId();
        return c.json({ active: await alarms.active(q.include_shelved), last_event_id: last });
      },
    )
    .post('/:rule_id/ack', doc('Acknowledge an alarm', AlarmBody, AckBody, true), ack, async (c) => {
      const id = ruleId(c.req.param('rule_id'));
      const body = await jsonBody(c, AckBody, {}); // the comment is optional, so is the body
      return c.json(await alarms.ack(id, c.get('user').username, body.comment ?? null));
    })
    .post('/:rule_id/shelve', doc('Shelve an alarm for up to 8 hours', AlarmBody, ShelveBody), ack, async (c) => {
      const id = ruleId(c.req.param('rule_id'));
      const body = await jsonBody(c, ShelveBody);
      return c.json(await alarms.shelve(id, body.duration_ms, c.get('user').username, body.comment ?? null));
    })
    .delete('/:rule_id/shelve', doc('Unshelve an alarm', AlarmBody), ack, async (c) =>
      c.json(await alarms.unshelve(ruleId(c.req.param('rule_id')), c.get('user').username)),
    )
    .post('/:rule_id/out-of-service', doc('Take a rule out of service', AlarmBody, OutOfServiceRequest), admin, async (c) => {
      const id = ruleId(c.req.param('rule_id'));
      const body = await jsonBody(c, OutOfServiceRequest);
      return c.json(await alarms.outOfService(id, c.get('user').username, body.comment));
    })
    .delete('/:rule_id/out-of-service', doc('Return a rule to service', AlarmBody, InServiceBody, true), admin, async (c) => {
      const id = ruleId(c.req.param('rule_id'));
      const body = await jsonBody(c, InServiceBody, {});
      return c.json(await alarms.returnToService(id, c.get('user').username, body.comment ?? null));
    });
}
