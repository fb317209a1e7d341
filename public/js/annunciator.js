/**
 * The live page's horn: which severity sounds, repeated until every alarm it sounds for is
 * acknowledged, and the operator's silence. No DOM and no audio: time comes from `clock`
 * (page-clock.js) and each repetition is a call to `ring(severity)`.
 *
 * The silence rule, as most HMIs do it: "Silence" quiets the alarms sounding at that moment,
 * for the chosen time. An alarm that is annunciated afterwards (a rule newly unacknowledged,
 * including one that was acknowledged and came back) sounds at once, silence or not: the
 * operator has not heard it yet. A silenced alarm that is acknowledged or leaves the list is
 * forgotten by the silence, so its next annunciation is new. The silence ends when its time is
 * up or when nothing it covers is left.
 */
import { SEVERITIES, severityRank } from './alarm-priority.js';

/** How often each severity repeats: faster for higher priority. */
export const REPEAT_MS = { critical: 2_000, high: 4_000, medium: 8_000, low: 15_000 };

/**
 * `onChange({sounding, silencedUntil, silencedCount})` after every change; `sounding` is the
 * severity the horn sounds for, or null.
 */
export function createAnnunciator({ clock, ring, onChange = () => {} }) {
  let unacked = new Map(); // rule_id -> severity: the alarms that call for the horn
  const silenced = new Set(); // rule ids the current silence covers
  let silencedUntil = null;
  let sounding = null;
  let cancelRepeat = null;
  let cancelSilence = null;

  /** The highest severity among the unacknowledged alarms the silence does not cover. */
  function loudest() {
    let best = null;
    for (const [id, severity] of unacked) {
      if (silenced.has(id) || !SEVERITIES.includes(severity)) continue;
      if (best === null || severityRank(severity) < severityRank(best)) best = severity;
    }
    return best;
  }

  /** Re-decides the horn; rings at once when it starts, rises, or a new alarm joins it. */
  function refresh(newcomer) {
    const next = loudest();
    const rises = next !== null && (sounding === null || severityRank(next) < severityRank(sounding));
    if (next !== sounding || (newcomer && next !== null)) {
      cancelRepeat?.();
      cancelRepeat = null;
      sounding = next;
      if (sounding !== null) {
        if (rises || newcomer) ring(sounding);
        cancelRepeat = clock.every(REPEAT_MS[sounding], function repeatRing() {
          ring(sounding);
        });
      }
    }
    onChange(state());
  }

  function endSilence() {
    cancelSilence?.();
    cancelSilence = null;
    silenced.clear();
    silencedUntil = null;
  }

  function state() {
    return { sounding, silencedUntil, silencedCount: silenced.size };
  }

  return {
    state,

    /** The alarms listed and shown now (shelved ones left out); called after every change. */
    update(alarms) {
      const before = unacked;
      unacked = new Map(alarms.filter((a) => !a.acked).map((a) => [a.rule_id, a.severity]));
      for (const id of silenced) if (!unacked.has(id)) silenced.delete(id);
      if (silencedUntil !== null && silenced.size === 0) endSilence();
      const newcomer = [...unacked.keys()].some((id) => !before.has(id));
      refresh(newcomer);
    },

    /** Quiets what sounds now for `ms`; silencing again adds what sounds since and restarts the time. */
    silence(ms) {
      if (sounding === null) return;
      for (const [id] of unacked) silenced.add(id);
      silencedUntil = clock.now() + ms;
      cancelSilence?.();
      cancelSilence = clock.after(ms, function silenceIsUp() {
        endSilence();
        refresh(false);
      });
      refresh(false);
    },

    /** Ends the silence early ("Sound again"). */
    unsilence() {
      endSilence();
      refresh(false);
    },

    /** Stops every timer (the page is going away). */
    stop() {
      cancelRepeat?.();
      endSilence();
    },
  };
}
