/** The severity mix of the KPI page: each severity's share of annunciations against the ISA-18.2 guidance. */
import { h } from './dom.js';

/** ISA-18.2 (and EEMUA 191): about 80 % low, 15 % medium, 5 % high; it sets no share for a fourth level. */
export const GUIDANCE = { low: 80, medium: 15, high: 5, critical: null };
const LABELS = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };

const percent = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** Table rows for `by_severity`: count, a bar of the share with the guidance marked on it, the guidance. */
export function severityRows(bySeverity) {
  const total = Object.values(bySeverity).reduce((a, b) => a + b, 0);
  return Object.keys(GUIDANCE).map((severity) => {
    const count = bySeverity[severity] ?? 0;
    const share = total > 0 ? (100 * count) / total : 0;
    const target = GUIDANCE[severity];
    const fill = h('span', { class: 'share-fill' });
    fill.style.width = `${share}%`; // the CSP allows styles set from script, not style attributes
    const bar = h('span', { class: 'share-bar', 'aria-hidden': 'true' }, fill);
    if (target !== null) {
      const mark = h('span', { class: 'share-target' });
      mark.style.left = `${target}%`;
      bar.append(mark);
    }
    const off = target !== null && total > 0 && Math.abs(share - target) > target / 2;
    return h(
      'tr',
      { dataset: { severity }, class: off ? 'share--off' : undefined },
      h('td', {}, h('span', { class: `severity severity--${severity}` }, LABELS[severity])),
      h('td', { class: 'num' }, String(count)),
      h('td', { class: 'share' }, bar, h('span', { class: 'share-text' }, `${percent.format(share)} %`)),
      h('td', { class: 'num' }, target === null ? '—' : `≈ ${target} %`),
    );
  });
}
