/**
 * One distinct tone per severity, synthesized with WebAudio (no audio file to fetch; the CSP
 * allows none from elsewhere anyway), and the audio context's state: browsers keep it
 * suspended until the user interacts with the page (autoplay policy).
 */

// Each tone is a few pulses: [frequency Hz, start s, length s]. Higher priority is higher,
// faster and longer, so an operator tells them apart without looking.
const TONES = {
  low: { wave: 'sine', gain: 0.12, pulses: [[440, 0, 0.35]] },
  medium: {
    wave: 'triangle',
    gain: 0.14,
    pulses: [
      [587, 0, 0.18],
      [587, 0.3, 0.18],
    ],
  },
  high: {
    wave: 'square',
    gain: 0.1,
    pulses: [
      [880, 0, 0.12],
      [880, 0.2, 0.12],
      [880, 0.4, 0.12],
    ],
  },
  critical: {
    wave: 'square',
    gain: 0.12,
    pulses: [
      [1047, 0, 0.14],
      [1397, 0.16, 0.14],
      [1047, 0.32, 0.14],
      [1397, 0.48, 0.14],
    ],
  },
};

/** `'on'` (playing is heard), `'blocked'` (waiting for a user gesture) or `'unsupported'`. */
function audioState(ctx) {
  if (!ctx) return typeof AudioContext === 'undefined' ? 'unsupported' : 'blocked';
  return ctx.state === 'running' ? 'on' : 'blocked';
}

/** `{play(severity), unlock(), state(), onChange(fn)}`; the context is made on first use. */
export function createTonePlayer() {
  let ctx = null;
  const listeners = new Set();
  const emit = () => {
    for (const fn of listeners) fn(audioState(ctx));
  };

  function context() {
    if (!ctx && typeof AudioContext !== 'undefined') {
      ctx = new AudioContext(); // suspended when made without a user gesture (Chromium warns once)
      ctx.addEventListener('statechange', emit);
      emit();
    }
    return ctx;
  }

  return {
    /** Plays one tone; nothing is heard while the context is blocked, and nothing queues up. */
    play(severity) {
      const tone = TONES[severity];
      const c = context();
      if (!tone || !c || c.state !== 'running') return;
      const t0 = c.currentTime + 0.01;
      for (const [frequency, start, length] of tone.pulses) {
        const osc = c.createOscillator();
        const gain = c.createGain();
        osc.type = tone.wave;
        osc.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, t0 + start);
        gain.gain.exponentialRampToValueAtTime(tone.gain, t0 + start + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + start + length);
        osc.connect(gain).connect(c.destination);
        osc.start(t0 + start);
        osc.stop(t0 + start + length + 0.02);
      }
    },

    /** Resumes the context; works only inside a user gesture's handler. */
    unlock() {
      const c = context();
      if (c && c.state !== 'running') c.resume().catch(() => {});
    },

    /** Makes the context now, to learn whether the browser blocks it. */
    state: () => audioState(context()),

    /** `fn('on'|'blocked'|'unsupported')` whenever that changes. */
    onChange(fn) {
      listeners.add(fn);
    },
  };
}
