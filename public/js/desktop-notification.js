/**
 * The operator's opt-in desktop notification for a new ALARM, remembered in localStorage.
 * (The sound is the horn's: horn-panel.js.)
 */
import { setText } from './dom.js';

const NOTIFY_KEY = 'alarms.notify';

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
async function setNotifyWanted(on) {
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

/** Wires the "Desktop notification" checkbox and its hint (why it is unavailable). */
export function setupNotifyOption(box, hint) {
  const unavailable = notificationsUnavailable();
  box.checked = notifyWanted();
  if (unavailable) {
    box.disabled = true;
    setText(hint, `(${unavailable})`);
  }
  box.addEventListener('change', async () => {
    box.checked = await setNotifyWanted(box.checked);
    const why = notificationsUnavailable();
    setText(hint, why ? `(${why})` : '');
    box.disabled = Boolean(why);
  });
}
