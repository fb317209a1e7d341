/**
 * DOM helpers. Every value from the server goes in as text (textContent or an attribute), never
 * as HTML: a rule named `<script>` shows as those characters.
 */

/**
 * Creates an element. `props`: `class`, `text`, `dataset`, `hidden`, `on` (event -> handler),
 * booleans such as `disabled`, and any other attribute. Children: nodes or strings (as text).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'on') for (const [name, fn] of Object.entries(value)) el.addEventListener(name, fn);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** The element with this id; throws when a page lacks it (a typo, not a runtime condition). */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Sets text only when it changed, so screen readers and selections are not disturbed. */
export function setText(el, text) {
  const s = String(text ?? '');
  if (el.textContent !== s) el.textContent = s;
}

/** Shows or hides with the `hidden` attribute (the stylesheet makes it win over display rules). */
export function show(el, visible) {
  el.hidden = !visible;
}

/**
 * Re-orders `parent`'s children to `nodes` with the fewest moves, and gives focus back if a move
 * took it (Chromium blurs an element when its subtree is re-inserted).
 */
export function reorder(parent, nodes) {
  const focused = document.activeElement;
  let ref = parent.firstChild;
  for (const node of nodes) {
    if (node === ref) ref = ref.nextSibling;
    else parent.insertBefore(node, ref);
  }
  while (ref) {
    const next = ref.nextSibling;
    if (!nodes.includes(ref)) ref.remove();
    ref = next;
  }
  if (focused instanceof HTMLElement && focused !== document.activeElement && focused.isConnected) focused.focus();
}

/** A flash message in a `role=status` or `role=alert` element; `kind` is 'ok' or 'error'. */
export function notice(el, message, kind = 'ok') {
  el.dataset.kind = kind;
  el.textContent = message;
  el.hidden = !message;
}
