/**
 * The operator's opt-in alerts for a new ALARM: a short beep made with WebAudio (no audio file)
 * and a desktop notification. Both choices are remembered in localStorage.
 */

const SOUND_KEY = 'alarms.sound';
const NOTIFY_KEY = 'alarms.notify';
let audio = null;

/** Browsers start audio only after a user gesture: resume on the next one. */
function ensureAudio() {
  audio ??= new AudioContext();
  if (audio.state === 'suspended') audio.resume().catch(() => {});
  return audio;
}

export function soundWanted() {
  return localStorage.getItem(SOUND_KEY) === '1';
}

export function setSoundWanted(on) {
  localStorage.setItem(SOUND_KEY, on ? '1' : '0');
  if (on) ensureAudio();
}

/** Two short 880 Hz pulses. */
export function beep() {
  if (!soundWanted() || typeof AudioContext === 'undefined') return;
  const ctx = ensureAudio();
  const t0 = ctx.currentTime + 0.01;
  for (const start of [0, 0.28]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, t0 + start);
    gain.gain.exponentialRampToValueAtTime(0.15, t0 + start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + start + 0.2);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0 + start);
    osc.stop(t0 + start + 0.22);
  }
}

/** Resumes a remembered sound choice on the first click or key press of the page. */
export function primeAudioOnGesture() {
  if (!soundWanted() || typeof AudioContext === 'undefined') return;
  const prime = () => {
    ensureAudio();
    removeEventListener('pointerdown', prime);
    removeEventListener('keydown', prime);
  };
  addEventListener('pointerdown', prime);
  addEventListener('keydown', prime);
}

/** Why notifications cannot be used here, or null when they can. */
export function notificationsUnavailable() {
  if (typeof Notification === 'undefined') return 'not supported by this browser';
  if (!isSecureContext) return 'needs HTTPS';
  if (Notification.permission === 'denied') return 'blocked in the browser settings';
  return null;
}

export function notifyWanted() {
  return localStorage.getItem(NOTIFY_KEY) === '1' && notificationsUnavailable() === null && Notification.permission === 'granted';
}

/** Asks for permission when turning on; resolves with whether notifications are now on. */
export async function setNotifyWanted(on) {
  if (on && notificationsUnavailable() === null && Notification.permission !== 'granted') {
    await Notification.requestPermission();
  }
  const granted = on && notificationsUnavailable() === null && Notification.permission === 'granted';
  localStorage.setItem(NOTIFY_KEY, granted ? '1' : '0');
  return granted;
}

export function notify(title, body, tag) {
  if (!notifyWanted()) return;
  try {
    new Notification(title, { body, tag });
  } catch {
    // Android Chrome allows notifications only from a service worker; the page still shows it.
  }
}
