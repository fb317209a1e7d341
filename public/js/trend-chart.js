/**
 * A datapoint's trend as a chart (uPlot): the min-max band of each bucket, its average and its
 * last value, and optional horizontal threshold lines and a marked moment. Draws the answer of
 * `GET /api/datapoints/{id}/trend` as it is.
 */
import { h } from './dom.js';
import { formatValue } from './format.js';

const HEIGHT = 260;

/** uPlot and its stylesheet, loaded on first use: pages that never open a trend never fetch them. */
let loading = null;
function loadUplot() {
  if (!document.querySelector('link[href="/vendor/uplot.css"]')) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/vendor/uplot.css' }));
  }
  loading ??= import('/vendor/uplot.js').then((m) => m.default);
  return loading;
}

/** Colours from the stylesheet's custom properties: the canvas cannot read CSS. */
function cssColor(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * Columns for uPlot: times in seconds, then min, max, avg, last. Where buckets are missing (no
 * good value then) a null breaks the lines rather than drawing across the gap. The range's ends
 * are points too (with no values), so threshold lines run from edge to edge.
 */
function columns(trend, xRange) {
  const cols = [[], [], [], [], []];
  const edge = (t) => {
    cols[0].push(t);
    for (let i = 1; i < 5; i++) cols[i].push(null);
  };
  const first = trend.buckets.length ? Date.parse(trend.buckets[0].t) / 1000 : Infinity;
  if (xRange[0] < first) edge(xRange[0]);
  let previous = null;
  for (const b of trend.buckets) {
    const t = Date.parse(b.t) / 1000;
    if (previous !== null && t - previous > trend.bucket_s) {
      cols[0].push(previous + trend.bucket_s);
      for (let i = 1; i < 5; i++) cols[i].push(null);
    }
    cols[0].push(t);
    cols[1].push(b.min);
    cols[2].push(b.max);
    cols[3].push(b.avg);
    cols[4].push(b.last);
    previous = t;
  }
  if (previous === null || xRange[1] > previous) edge(xRange[1]);
  return cols;
}

/**
 * Draws `trend` into `container`. `thresholds`: `[{label, value, kind: 'warning'|'alarm'}]`,
 * drawn as dashed lines across; `marker`: a moment (ms) drawn as a vertical line; `unit` for the
 * axis and legend. The container's `data-buckets` says how many buckets are drawn and
 * `data-thresholds` how many lines. Returns `{destroy()}`.
 */
export async function drawTrendChart(container, trend, { thresholds = [], marker = null, unit = '' } = {}) {
  const uPlot = await loadUplot();
  const lines = thresholds.filter((t) => typeof t.value === 'number');
  // The x scale spans the range asked for, so a short run of buckets sits where it belongs.
  const xRange = [Date.parse(trend.from) / 1000, Date.parse(trend.to) / 1000];
  const data = columns(trend, xRange);
  for (const line of lines) data.push(data[0].map(() => line.value));
  const accent = cssColor('--primary', '#1d4ed8');
  const value = (_u, v) => (v === null || v === undefined ? '—' : formatValue(v, unit));
  const series = [
    { label: 'Time' },
    { label: 'Min', stroke: `${accent}55`, width: 1, value, points: { show: false } },
    { label: 'Max', stroke: `${accent}55`, width: 1, value, points: { show: false } },
    { label: 'Avg', stroke: accent, width: 2, value, points: { show: false } },
    { label: 'Last', stroke: cssColor('--muted', '#4f5b6b'), width: 1, dash: [3, 3], value, points: { show: false } },
    ...lines.map((line) => ({
      label: line.label,
      stroke: line.kind === 'alarm' ? cssColor('--alarm', '#c21a1a') : '#b88a00',
      width: 2,
      dash: [8, 5],
      points: { show: false },
      value: () => formatValue(line.value, unit),
    })),
  ];
  const drawMarker = (u) => {
    if (marker === null) return;
    const x = u.valToPos(marker / 1000, 'x', true);
    const { ctx } = u;
    ctx.save();
    ctx.strokeStyle = cssColor('--text', '#18212f');
    ctx.setLineDash([2, 4]);
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
  };
  const options = {
    width: Math.max(300, container.clientWidth),
    height: HEIGHT,
    scales: {
      x: { time: true, range: () => xRange },
      // Threshold lines stay in view even when the values keep well away from them.
      y: {
        range: (_u, min, max) => {
          const all = [min, max, ...lines.map((l) => l.value)].filter(Number.isFinite);
          const lo = Math.min(...all);
          const hi = Math.max(...all);
          const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
          return [lo - pad, hi + pad];
        },
      },
    },
    axes: [{}, { size: 64, values: (_u, ticks) => ticks.map((v) => formatValue(v, unit)) }],
    series,
    bands: [{ series: [2, 1], fill: `${accent}22` }],
    cursor: { drag: { x: true, y: false } },
    hooks: {
      draw: [
        drawMarker,
        () => {
          container.dataset.buckets = String(trend.buckets.length);
          container.dataset.thresholds = String(lines.length);
        },
      ],
    },
  };
  container.replaceChildren();
  const plot = new uPlot(options, data, container);
  // Follows the dialog's width, so the chart never overflows on a narrow screen.
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, container.clientWidth), height: HEIGHT }));
  resize.observe(container);
  return {
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}
