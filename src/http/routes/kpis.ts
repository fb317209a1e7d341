import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { kpiPeriod, type KpiPeriod } from '../../kpi/kpi-period.js';
import { KpisBody, KpiWindowsBody, type KpiReport } from '../../kpi/kpi-report.js';
import { requirePermission, type AuthEnv } from '../middleware/auth.js';
import { IsoInstant } from '../../kernel/fields.js';
import { routeDoc } from '../openapi/route-doc.js';
import { queryOf } from '../middleware/validate.js';

const PeriodQuery = v.strictObject({ from: v.optional(IsoInstant), to: v.optional(IsoInstant) });

/**
 * `GET /api/alarms/kpis` (SPEC 13) and `GET /api/alarms/kpis/windows`, the per-window series
 * behind its flood figures (an addition for the KPI page's chart).
 */
export function kpiRoutes(report: KpiReport) {
  const periodOf = (c: Context<AuthEnv>): KpiPeriod => kpiPeriod(queryOf(c, PeriodQuery), report.now());
  const read = requirePermission('alarms:read');
  const doc = (summary: string, answer: v.GenericSchema) =>
    routeDoc({ tag: 'history', summary, query: PeriodQuery, responses: { 200: answer } });
  return new Hono<AuthEnv>()
    .get('/kpis', doc('Alarm-management KPIs of a period (ISA-18.2)', KpisBody), read, async (c) => c.json(await report.kpis(periodOf(c))))
    .get('/kpis/windows', doc('Annunciations per 10-minute window of a period', KpiWindowsBody), read, async (c) =>
      c.json(await report.windows(periodOf(c))),
    );
}
