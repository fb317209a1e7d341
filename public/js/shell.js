/**
 * What every signed-in page shares: the header (navigation, the user, the live connection and
 * its transport, sign-out), the stream client, an aria-live announcer, and a banner for the
 * user's own alarms and timers coming due (SPEC 8), whichever page is open.
 */
import { AlarmClient } from '/client/alarm-client.js';
import { api } from './api.js';
import { byId, fill, h, setText } from './dom.js';
import { formatTime } from './format.js';
import { can, clearSession, LOGIN_PAGE, requireSession, returnToSignIn, tokenExpired, currentSession } from './session.js';

const PAGES = [
  { href: '/', label: 'Live alarms', needs: 'alarms:read' },
  { href: '/history.html', label: 'History', needs: 'alarms:read' },
  { href: '/kpi.html', label: 'KPIs', needs: 'alarms:read' },
  { href: '/rules.html', label: 'Rules', needs: 'alarms:read' },
  { href: '/plant.html', label: 'PLCs & datapoints', needs: 'alarms:read' },
  { href: '/items.html', label: 'My alarms & timers', needs: null },
  { href: '/docs.html', label: 'API', needs: 'alarms:admin' },
];

const TRANSPORT_NAMES = { websocket: 'WebSocket', sse: 'SSE' };

/**
 * Starts a page: `needs` is the permission it requires (else the user is sent to their items),
 * `topics` what it streams (`items` is always added, for the due banner). Returns `{user, client, can, announce, connect}`; call `connect()` once the
 * page has added its listeners.
 */
export function startPage({ needs = null, topics }) {
  const session = requireSession();
  if (!session) return null;
  const { user } = session;
  if (needs && !can(user, needs)) {
    location.replace('/items.html');
    return null;
  }

  const client = new AlarmClient({
    topics: topics.includes('items') ? topics : [...topics, 'items'],
    getToken: function currentToken() {
      const now = currentSession();
      if (!now || tokenExpired(now.token)) {
        returnToSignIn();
        throw new Error('signed out');
      }
      return now.token;
    },
  });

  const here = location.pathname.replace(/\/index\.html$/, '/');
  renderHeader(byId('app-header'), user, here, client);
  const announcer = byId('announcer');
  const dueBanner = createDueBanner(byId('due-banner'));
  client.on('item_due', (e) => {
    dueBanner.add(e);
    announce(`Due now: ${e.item?.label ?? 'an item'}`);
  });
  client.on('error', (err) => {
    if (err.code === 'unauthenticated') returnToSignIn();
    else if (err.code === 'listener_failed') console.error(err.message, err.cause);
  });
  addEventListener('pagehide', () => client.close());

  /** Reads `text` out through the aria-live region (re-set so a repeat is read again). */
  function announce(text) {
    announcer.textContent = '';
    requestAnimationFrame(() => (announcer.textContent = text));
  }

  return {
    user,
    client,
    can: (permission) => can(user, permission),
    announce,
    connect: () => client.connect(),
  };
}

function renderHeader(header, user, path, client) {
  const links = PAGES.filter((p) => !p.needs || can(user, p.needs)).map((p) =>
    h('li', {}, h('a', { href: p.href, 'aria-current': p.href === path ? 'page' : undefined }, p.label)),
  );
  const state = h('span', { id: 'conn-state' }, 'Connecting…');
  const transport = h('span', { id: 'conn-transport', class: 'conn-transport' });
  const conn = h(
    'p',
    { id: 'conn', class: 'conn', role: 'status', dataset: { state: 'connecting' } },
    h('span', { class: 'conn-dot', 'aria-hidden': 'true' }),
    state,
    transport,
  );
  const signOut = h('button', { type: 'button', class: 'button button--quiet', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    client.close();
    try {
      await api('POST', '/api/auth/logout', undefined, { anonymous: true }); // clears the session cookie
    } catch {
      // signed out locally either way
    }
    clearSession();
    location.assign(`${LOGIN_PAGE}?reason=signed_out`);
  });

  fill(
    header,
    h('a', { class: 'brand', href: '/' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '▲'), 'Plant alarms'),
    h('nav', { 'aria-label': 'Main' }, h('ul', {}, links)),
    h(
      'div',
      { class: 'header-status' },
      conn,
      h(
        'p',
        { class: 'user', title: `Permissions: ${user.permissions.join(', ') || 'none'}` },
        h('span', { class: 'user-name' }, user.username),
        ' ',
        h('span', { class: 'user-role' }, user.role),
      ),
      signOut,
    ),
  );

  let everConnected = false;
  client.on('state', ({ newState, transport: kind }) => {
    conn.dataset.state = newState === 'connecting' && everConnected ? 'reconnecting' : newState;
    if (newState === 'connected') {
      everConnected = true;
      setText(state, 'Live');
      setText(transport, TRANSPORT_NAMES[kind] ?? kind ?? '');
    } else {
      setText(state, newState === 'disconnected' ? 'Offline' : everConnected ? 'Reconnecting…' : 'Connecting…');
      setText(transport, '');
    }
  });
}

/** A list of due items at the top of the page, each dismissed on its own. */
function createDueBanner(banner) {
  const list = h('ul', { class: 'due-list' });
  fill(banner, h('h2', { class: 'due-title' }, 'Due now'), list);
  return {
    add(e) {
      const item = e.item ?? {};
      const what = item.kind === 'timer' ? 'Timer' : 'Alarm';
      const dismiss = h('button', { type: 'button', class: 'button button--small' }, 'Dismiss');
      const li = h(
        'li',
        { class: 'due-item' },
        h('span', { class: 'due-tag' }, 'DUE'),
        h('span', {}, `${what} “`, h('strong', {}, item.label ?? ''), `” is due (${formatTime(e.due_at ?? e.ts)})`),
        dismiss,
      );
      dismiss.addEventListener('click', () => {
        li.remove();
        banner.hidden = list.childElementCount === 0;
      });
      list.prepend(li);
      banner.hidden = false;
    },
  };
}
