/** A datapoint's row: where it is read, how it is scaled, and its live value and quality. */
import { fill, h, setText } from './dom.js';
import { formatTime, formatValue } from './format.js';
import { addRowActions } from './row-actions.js';
import { openTrendDialog } from './trend-dialog.js';

const QUALITY_TEXT = { good: 'Good', bad: 'Bad', none: 'No value yet' };

/** `actions` (admins only): `{edit(dp), remove(dp)}`. Returns `{tr, update(dp, plc), live(live)}`. */
export function createPointRow(actions) {
  const c = {
    name: h('td', { class: 'col-name', dataset: { label: 'Datapoint' } }),
    plc: h('td', { dataset: { label: 'PLC' } }),
    register: h('td', { dataset: { label: 'Register' } }),
    scaling: h('td', { dataset: { label: 'Scaling' } }),
    value: h('td', { class: 'num live-value', dataset: { label: 'Live value' } }),
    quality: h('td', { dataset: { label: 'Quality' } }),
    ts: h('td', { class: 'muted', dataset: { label: 'Updated' } }),
  };
  const label = h('strong', {});
  const description = h('span', { class: 'point-description' });
  // Every reader may open a datapoint's trend (last hour to 30 days).
  const trend = h('button', { type: 'button', class: 'button button--small button--quiet trend-open' }, 'Trend');
  trend.addEventListener('click', () => openTrendDialog({ datapoint: current }));
  c.name.append(label, description, trend);
  const tr = h('tr', {}, Object.values(c));
  let current;
  const buttons = actions && addRowActions(tr, () => current, actions);

  /** Only the live cells: called up to 4 times a second. */
  function live(value) {
    setText(c.value, value ? formatValue(value.value, current.unit) : '—');
    const quality = value?.quality ?? 'none';
    const title = value?.error ?? '';
    const badge = c.quality.firstChild;
    if (badge?.dataset.quality !== quality || badge.title !== title) {
      fill(
        c.quality,
        h(
          'span',
          { class: `quality quality--${quality}`, title: title || undefined, dataset: { quality } },
          QUALITY_TEXT[quality] ?? quality,
        ),
      );
    }
    setText(c.ts, value?.ts ? formatTime(value.ts) : '');
    tr.dataset.quality = quality;
  }

  return {
    tr,
    live,
    update(dp, plc) {
      current = dp;
      tr.dataset.datapointId = String(dp.id);
      setText(label, dp.label);
      setText(description, dp.description);
      trend.setAttribute('aria-label', `Trend of ${dp.label}`);
      setText(c.plc, plc?.name ?? `PLC ${dp.plc_id}`);
      const words = dp.type.endsWith('32') ? `, ${dp.word_order} word first` : '';
      setText(c.register, `${dp.area} ${dp.address} · ${dp.type}${words}`);
      setText(c.scaling, `× ${dp.scale} + ${dp.offset}${dp.unit ? ` ${dp.unit}` : ''}`);
      live(dp.live);
      buttons?.label(dp.label);
    },
  };
}
