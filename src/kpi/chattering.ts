/** ISA-18.2's chattering alarm: 3 or more annunciations within 60 s (SPEC 13). */
export const CHATTER_COUNT = 3;
export const CHATTER_SPAN_MS = 60_000;

/**
 * True when some CHATTER_COUNT of a rule's annunciation times (ms, ascending) lie within
 * CHATTER_SPAN_MS of each other, the span's ends included: any span, not clock-aligned ones.
 */
export function chatters(times: ArrayLike<number>): boolean {
  for (let i = CHATTER_COUNT - 1; i < times.length; i++) {
    if (times[i]! - times[i - CHATTER_COUNT + 1]! <= CHATTER_SPAN_MS) return true;
  }
  return false;
}
