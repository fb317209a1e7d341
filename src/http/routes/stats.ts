import { Hono } from 'hono';
import { collectStats, type StatsSources } from '../../ops/stats.js';
import { histogramLines } from '../../ops/histogram.js';
import { toPrometheus } from '../../ops/prometheus.js';
import { requirePermission, type AuthEnv } from '../auth-middleware.js';

/** `GET /api/stats` as JSON (SPEC 9). */
export function statsRoutes(sources: StatsSources) {
  return new Hono<AuthEnv>().get('/', requirePermission('alarms:admin'), (c) => c.json(collectStats(sources)));
}

/** `GET /metrics`: the same figures for Prometheus; behind the same bearer auth as the API. */
export function metricsRoutes(sources: StatsSources) {
  return new Hono<AuthEnv>().get('/', requirePermission('alarms:admin'), (c) =>
    c.text(
      toPrometheus(collectStats(sources)) + (sources.histograms?.() ?? []).map((h) => `${histogramLines(h).join('\n')}\n`).join(''),
      200,
      { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    ),
  );
}
