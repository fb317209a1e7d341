import { Hono } from 'hono';
import { collectStats, StatsBody, type StatsSources } from '../../ops/stats.js';
import { histogramLines } from '../../ops/histogram.js';
import { toPrometheus } from '../../ops/prometheus.js';
import { requirePermission, type AuthEnv } from '../middleware/auth.js';
import { routeDoc, Text } from '../openapi/route-doc.js';

/** `GET /api/stats` as JSON (SPEC 9). */
export function statsRoutes(sources: StatsSources) {
  return new Hono<AuthEnv>().get(
    '/',
    routeDoc({ tag: 'operations', summary: 'Connections, events and polls of this node', responses: { 200: StatsBody } }),
    requirePermission('alarms:admin'),
    (c) => c.json(collectStats(sources)),
  );
}

/** `GET /metrics`: the same figures for Prometheus; behind the same bearer auth as the API. */
export function metricsRoutes(sources: StatsSources) {
  const doc = routeDoc({
    tag: 'operations',
    summary: 'The same figures and latency histograms for Prometheus',
    responses: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': Text } } },
  });
  return new Hono<AuthEnv>().get('/', doc, requirePermission('alarms:admin'), (c) =>
    c.text(
      toPrometheus(collectStats(sources)) + (sources.histograms?.() ?? []).map((h) => `${histogramLines(h).join('\n')}\n`).join(''),
      200,
      { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    ),
  );
}
