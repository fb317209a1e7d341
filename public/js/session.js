/**
 * The signed-in user: the access token and the user from the login response, kept in
 * sessionStorage (gone when the tab closes; other sites' scripts cannot read it).
 */

const TOKEN = 'alarms.token';
const USER = 'alarms.user';

export const LOGIN_PAGE = '/login.html';

/** `{token, user}` or null. */
export function currentSession() {
  const token = sessionStorage.getItem(TOKEN);
  const raw = sessionStorage.getItem(USER);
  if (!token || !raw) return null;
  try {
    return { token, user: JSON.parse(raw) };
  } catch {
    return null;
  }
}

export function saveSession(token, user) {
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(USER, JSON.stringify(user));
}

export function clearSession() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(USER);
}

/** Seconds since the epoch at which the JWT lapses, or undefined if it cannot be read. */
function tokenExpiry(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)).exp;
  } catch {
    return undefined;
  }
}

export function tokenExpired(token) {
  const exp = tokenExpiry(token);
  return exp !== undefined && exp * 1000 <= Date.now();
}

/** The session, or a trip to the sign-in page (which brings the user back here afterwards). */
export function requireSession() {
  const session = currentSession();
  if (session && !tokenExpired(session.token)) return session;
  returnToSignIn(session ? 'expired' : null);
  return null;
}

/** Forgets the session and goes to sign-in, remembering where we were (and why, when it ended). */
export function returnToSignIn(reason = 'expired') {
  clearSession();
  const params = new URLSearchParams({ next: location.pathname + location.search });
  if (reason) params.set('reason', reason);
  location.replace(`${LOGIN_PAGE}?${params}`);
}

/** True when the user holds `needed`, directly or through `alarms:*` (SPEC 2). */
export function can(user, needed) {
  const granted = user?.permissions ?? [];
  const prefix = needed.slice(0, needed.indexOf(':') + 1);
  return granted.includes(needed) || granted.includes(`${prefix}*`);
}

/** Where a user lands after sign-in: live alarms, or their own items when they cannot read alarms. */
export function homePage(user) {
  return can(user, 'alarms:read') ? '/' : '/items.html';
}
