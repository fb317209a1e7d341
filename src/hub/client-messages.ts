import * as v from 'valibot';
import { STREAM_TOPICS } from '../kernel/enums.js';

const topics = v.pipe(v.array(v.picklist(STREAM_TOPICS)), v.maxLength(STREAM_TOPICS.length));
const eventId = v.pipe(v.number(), v.integer(), v.minValue(0));

/** Every message a WebSocket client may send (SPEC 6). */
export const ClientMessage = v.variant('type', [
  v.strictObject({
    type: v.literal('auth'),
    access_token: v.pipe(v.string(), v.maxLength(8192)),
    last_event_id: v.optional(eventId),
    topics: v.optional(topics),
  }),
  v.strictObject({
    type: v.literal('subscribe'),
    topics,
    rule_ids: v.optional(v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(1))), v.maxLength(10_000))),
  }),
  v.strictObject({ type: v.literal('unsubscribe'), topics }),
  v.strictObject({ type: v.literal('ping'), id: v.optional(v.union([v.string(), v.number()])) }),
  v.strictObject({
    type: v.literal('ack'),
    rule_id: v.pipe(v.number(), v.integer(), v.minValue(1)),
    comment: v.optional(v.pipe(v.string(), v.maxLength(1000))),
  }),
]);

export type ClientMessage = v.InferOutput<typeof ClientMessage>;

/** Parses one text frame; the error message says what was wrong, for a `bad_message` reply. */
export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not valid JSON' };
  }
  const result = v.safeParse(ClientMessage, data);
  if (result.success) return { ok: true, message: result.output };
  const issue = result.issues[0];
  const path = issue ? v.getDotPath(issue) : null;
  return { ok: false, error: `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid message'}` };
}
