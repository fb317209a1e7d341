/**
 * The toggles above the live list: one per severity, state and PLC, each with the number of
 * active alarms it has (filtered or not, so a hidden critical still shows in its count).
 * Checked means shown. A change is saved at once and reported to `onChange()`.
 */
import { clearFilter, FILTER_KINDS, isFiltering, saveFilter, filterValueOf } from './alarm-filter.js';
import { SEVERITIES, STATES } from './alarm-priority.js';
import { h, setText, show } from './dom.js';

const LEGENDS = { severity: 'Severity', state: 'State', plc: 'PLC' };
const STATE_LABELS = { ALARM: 'Alarm', UNKNOWN: 'Unknown', WARNING: 'Warning', OK: 'Normal, unacked' };
const SEVERITY_LABELS = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' };

/** Returns `{setPlcs(plcs), render(alarms, hiddenCount)}`. */
export function createFilterBar(container, filter, onChange) {
  const toggles = new Map(); // `${kind}:${value}` -> {label, input, count}
  const groups = {};

  function addToggle(kind, value, text) {
    const input = h('input', { type: 'checkbox', value, dataset: { kind } });
    const count = h('span', { class: 'count', 'aria-hidden': 'true' }, '0');
    const name = h('span', { class: 'toggle-name' }, text);
    const label = h('label', { class: `check toggle toggle--${kind}`, dataset: { kind, value } }, input, name, count);
    input.checked = !filter[kind].has(value);
    input.addEventListener('change', () => {
      if (input.checked) filter[kind].delete(value);
      else filter[kind].add(value);
      changed();
    });
    groups[kind].append(label);
    toggles.set(`${kind}:${value}`, { label, input, count, name });
  }

  for (const kind of FILTER_KINDS) {
    groups[kind] = h('fieldset', { class: 'filter-group', dataset: { kind } }, h('legend', {}, LEGENDS[kind]));
  }
  for (const s of SEVERITIES) addToggle('severity', s, SEVERITY_LABELS[s]);
  for (const s of STATES) addToggle('state', s, STATE_LABELS[s]);

  const note = h('p', { class: 'filter-note', role: 'status' });
  const showAll = h('button', { type: 'button', class: 'button button--small button--quiet' }, 'Show all');
  showAll.addEventListener('click', () => {
    clearFilter(filter);
    for (const t of toggles.values()) t.input.checked = true;
    changed();
  });
  container.append(...FILTER_KINDS.map((kind) => groups[kind]), h('div', { class: 'filter-tail' }, note, showAll));

  function changed() {
    saveFilter(filter);
    onChange();
  }

  return {
    /** Keeps one toggle per PLC, named after it; a PLC that is gone loses its toggle. */
    setPlcs(plcs) {
      const ids = new Set(plcs.map((p) => String(p.id)));
      for (const [key, t] of toggles) {
        if (key.startsWith('plc:') && !ids.has(key.slice(4))) {
          t.label.remove();
          toggles.delete(key);
        }
      }
      for (const plc of plcs) {
        const t = toggles.get(`plc:${plc.id}`);
        if (t) setText(t.name, plc.name);
        else addToggle('plc', String(plc.id), plc.name);
      }
      show(groups.plc, plcs.length > 0);
    },

    /** Counts over `alarms` (the active ones); `hidden`: how many of them the filter hides. */
    render(alarms, hidden) {
      for (const [key, t] of toggles) {
        const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
        const n = alarms.filter((a) => filterValueOf(a, kind) === value).length;
        setText(t.count, String(n));
        t.label.classList.toggle('toggle--zero', n === 0);
        t.input.setAttribute('aria-label', `${t.name.textContent} (${n})`);
      }
      setText(note, hidden ? `${hidden} active alarm${hidden === 1 ? '' : 's'} hidden by the filter` : '');
      show(showAll, isFiltering(filter));
    },
  };
}
