/**
 * The alarm-rate chart of the KPI page: annunciations per 10-minute window as bars, and the flood
 * threshold (ISA-18.2: more than 10 in 10 minutes) as a dashed line across the period.
 */
import uPlot from '/vendor/uplot.js';

export const FLOOD_ABOVE = 10;
const HEIGHT = 280;

/** Colours from the stylesheet's custom properties: the canvas cannot read CSS. */
function cssColor(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * A chart in `container`; `show(windows)` draws `[{t, annunciated}]` (GET /api/alarms/kpis/windows).
 * Once drawn, the container's `data-points` says how many windows the bars and the line span.
 */
export function createRateChart(container) {
  let plot = null;

  function options() {
    const bars = cssColor('--primary', '#1d4ed8');
    return {
      width: Math.max(320, container.clientWidth),
      height: HEIGHT,
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: (_u, _min, max) => [0, Math.ceil(Math.max(max, FLOOD_ABOVE) * 1.15)] } },
      axes: [{}, { label: 'per 10 min', size: 60 }],
      series: [
        { label: 'Window' },
        {
          label: 'Annunciations',
          stroke: bars,
          fill: `${bars}66`,
          paths: uPlot.paths.bars({ size: [0.9, 48], align: 1 }),
          points: { show: false },
        },
        {
          label: `Flood threshold (more than ${FLOOD_ABOVE})`,
          stroke: cssColor('--alarm', '#c21a1a'),
          width: 2,
          dash: [8, 5],
          points: { show: false },
        },
      ],
      hooks: { draw: [(u) => (container.dataset.points = String(u.data[0].length))] },
    };
  }

  // Follows the card's width, so the chart never overflows on a narrow screen.
  new ResizeObserver(() => plot?.setSize({ width: Math.max(320, container.clientWidth), height: HEIGHT })).observe(container);

  return {
    show(windows) {
      const xs = windows.map((w) => Date.parse(w.t) / 1000); // uPlot's time scale is in seconds
      const data = [xs, windows.map((w) => w.annunciated), xs.map(() => FLOOD_ABOVE)];
      if (plot) plot.setData(data);
      else plot = new uPlot(options(), data, container);
    },
  };
}
