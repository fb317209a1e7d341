/**
 * The horn on the live page: the annunciator wired to the tones and to the sound controls in
 * the toolbar (Sound on/off, Enable sound, Silence for a while, Sound again).
 *
 * What it does is also on `<body>` for tests and kiosk scripts: `data-sounding` (the severity
 * the horn sounds for, empty when quiet; set even when this device's audio is off or blocked),
 * `data-silenced-until` (ISO time, empty when not silenced), `data-audio` (`on`, `off`,
 * `blocked`, `unsupported`); and every repetition dispatches an `alarm-horn` event on window
 * with `detail: {severity, audible}`.
 */
import { createAnnunciator } from './annunciator.js';
import { createTonePlayer } from './alarm-tones.js';
import { byId, setText, show } from './dom.js';
import { formatTime } from './format.js';

const SOUND_KEY = 'alarms.sound';

/** Sound is on unless this browser was told otherwise: a control room expects the horn. */
const soundWanted = () => localStorage.getItem(SOUND_KEY) !== '0';

/** Returns `{update(alarms)}`: give it the listed, shown, unshelved alarms after every change. */
export function createHornPanel({ clock }) {
  const tones = createTonePlayer();
  const body = document.body;
  const soundBox = byId('opt-sound');
  const enable = byId('enable-sound');
  const status = byId('horn-status');
  const silence = byId('silence');
  const silenceFor = byId('silence-for');
  const unsilence = byId('unsilence');

  const horn = createAnnunciator({
    clock,
    ring(severity) {
      const audible = soundWanted() && tones.state() === 'on';
      if (audible) tones.play(severity);
      dispatchEvent(new CustomEvent('alarm-horn', { detail: { severity, audible } }));
    },
    onChange: showHorn,
  });

  function showHorn({ sounding, silencedUntil, silencedCount }) {
    body.dataset.sounding = sounding ?? '';
    body.dataset.silencedUntil = silencedUntil === null ? '' : new Date(silencedUntil).toISOString();
    const parts = [];
    if (sounding) parts.push(`Sounding: ${sounding}`);
    if (silencedUntil !== null) parts.push(`${silencedCount} silenced until ${formatTime(new Date(silencedUntil).toISOString())}`);
    setText(status, parts.join(' · ') || 'Quiet');
    status.dataset.sounding = sounding ?? '';
    silence.disabled = !sounding;
    show(unsilence, silencedUntil !== null);
  }

  function showAudio() {
    const audio = soundWanted() ? tones.state() : 'off';
    body.dataset.audio = audio;
    show(enable, audio === 'blocked');
  }

  soundBox.checked = soundWanted();
  soundBox.addEventListener('change', () => {
    localStorage.setItem(SOUND_KEY, soundBox.checked ? '1' : '0');
    if (soundBox.checked) tones.unlock(); // the change is a user gesture: audio may start now
    showAudio();
  });
  enable.addEventListener('click', () => tones.unlock());
  tones.onChange(showAudio);
  // Any click or key press on the page is a gesture the browser accepts for starting audio.
  for (const type of ['pointerdown', 'keydown']) {
    addEventListener(type, () => {
      if (soundWanted()) tones.unlock();
    });
  }

  silence.addEventListener('click', () => horn.silence(Number(silenceFor.value) * 60_000));
  unsilence.addEventListener('click', () => horn.unsilence());
  addEventListener('pagehide', () => horn.stop());

  showAudio();
  showHorn(horn.state());
  return { update: (alarms) => horn.update(alarms) };
}
