/** The sign-in page: POST /api/auth/login, keep the token, go where the user was headed. */
import { api, ApiError } from './api.js';
import { byId, notice } from './dom.js';
import { currentSession, homePage, saveSession, tokenExpired } from './session.js';

const REASONS = {
  expired: 'Your session has ended. Please sign in again.',
  signed_out: 'You have signed out.',
};

const form = byId('login-form');
const status = byId('login-status');
const button = byId('login-submit');
const params = new URLSearchParams(location.search);
const LOGIN_PATH = '/login';

/** Only a path on this server: never an open redirect to another site. */
function nextPage(user) {
  const next = params.get('next');
  if (!next?.startsWith('/')) return homePage(user);
  const url = new URL(next, location.origin);
  if (url.origin !== location.origin || url.pathname.startsWith(LOGIN_PATH)) return homePage(user);
  return url.pathname + url.search;
}
const existing = currentSession();
if (existing && !tokenExpired(existing.token)) location.replace(nextPage(existing.user));
else if (REASONS[params.get('reason')]) notice(status, REASONS[params.get('reason')], 'info');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  if (!username || !password) {
    notice(status, 'Enter your username and password.', 'error');
    (username ? form.elements.password : form.elements.username).focus();
    return;
  }
  button.disabled = true;
  notice(status, 'Signing in…', 'info');
  try {
    const res = await api('POST', '/api/auth/login', { username, password }, { anonymous: true });
    saveSession(res.access_token, res.user);
    location.replace(nextPage(res.user));
  } catch (err) {
    button.disabled = false;
    form.elements.password.value = '';
    form.elements.password.focus();
    notice(status, messageFor(err), 'error');
  }
});

function messageFor(err) {
  if (!(err instanceof ApiError)) return String(err.message ?? err);
  if (err.status === 401) return 'Wrong username or password.';
  if (err.status === 429) {
    const after = Number(err.headers.get('retry-after'));
    return after ? `Too many failed attempts. Try again in ${Math.ceil(after / 60)} min.` : 'Too many failed attempts. Try again later.';
  }
  if (err.status === 400) return 'Enter your username and password.';
  return err.message;
}
