import type { LiveValue } from '../hub/hub.js';

/** NOTIFY takes payloads under 8000 bytes. */
const MAX_PAYLOAD = 7_800;

/**
 * Live values as NOTIFY payloads, compact: a plant's analog values change on most polls, and
 * every node hears every other node's, so the bytes and the parsing are per value, cluster-wide.
 * One payload is `<node>\n<ts>\n<id>:<value>,<id>:!,...` (`!`: bad quality), for values of one
 * poll (one ts); a poll with more values than fit goes in several.
 */
export function encodeValues(from: string, values: readonly LiveValue[]): string[] {
  const payloads: string[] = [];
  const byTs = new Map<string, string[]>();
  for (const v of values) {
    let entries = byTs.get(v.ts);
    if (!entries) byTs.set(v.ts, (entries = []));
    entries.push(v.quality === 'good' && v.value !== null ? `${v.datapoint_id}:${v.value}` : `${v.datapoint_id}:!`);
  }
  for (const [ts, entries] of byTs) {
    const head = `${from}\n${ts}\n`;
    let body = '';
    for (const entry of entries) {
      if (body.length > 0 && head.length + body.length + entry.length + 1 > MAX_PAYLOAD) {
        payloads.push(head + body);
        body = '';
      }
      body = body.length === 0 ? entry : `${body},${entry}`;
    }
    if (body.length > 0) payloads.push(head + body);
  }
  return payloads;
}

/** The sender and its values; throws on a payload that is not one of ours. */
export function decodeValues(payload: string): { from: string; values: LiveValue[] } {
  const [from, ts, body] = payload.split('\n');
  if (from === undefined || ts === undefined || body === undefined) throw new Error('not a values payload');
  const values: LiveValue[] = [];
  for (const entry of body.split(',')) {
    const colon = entry.indexOf(':');
    const datapoint_id = Number(entry.slice(0, colon));
    const raw = entry.slice(colon + 1);
    if (!Number.isInteger(datapoint_id) || colon < 0) throw new Error(`bad value entry "${entry}"`);
    values.push(
      raw === '!' ? { datapoint_id, value: null, quality: 'bad', ts } : { datapoint_id, value: Number(raw), quality: 'good', ts },
    );
  }
  return { from, values };
}
