import * as v from 'valibot';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { LoginLimiter } from '../auth/login-limiter.js';
import type { PasswordGate } from '../auth/password-gate.js';
import type { PasswordHasher } from '../auth/password.js';
import type { TicketStore } from '../auth/tickets.js';
import type { TokenService } from '../auth/tokens.js';
import type { UserService } from '../auth/user-service.js';
import type { Db } from '../db/database.js';
import type { ItemService } from '../items/item-service.js';
import { itemRoutes } from './routes/items.js';
import { AppError } from '../kernel/errors.js';
import type { Logger } from '../log/logger.js';
import type { DatapointService } from '../plant/datapoint-service.js';
import type { LiveState } from '../plant/live-state.js';
import type { NotifierService } from '../notify/index.js';
import type { PlcService } from '../plant/plc-service.js';
import type { RuleService } from '../plant/rule-service.js';
import type { HttpRuntime } from '../runtime/runtime.js';
import { requireAuth, type AuthEnv } from './middleware/auth.js';
import { errorHandler, errorResponse } from './middleware/error-handler.js';
import { authRoutes } from './routes/auth.js';
import { alarmRoutes } from './routes/alarms.js';
import { clusterRoutes, type DescribeCluster } from './routes/cluster.js';
import { configRoutes } from './routes/config.js';
import type { ConfigIoService } from '../config-io/config-io-service.js';
import { historyRoutes } from './routes/history.js';
import { kpiRoutes } from './routes/kpis.js';
import type { KpiReport } from '../kpi/kpi-report.js';
import type { AlarmService } from '../alarms/alarm-service.js';
import { journalRange } from '../journal/events.js';
import { metricsRoutes, statsRoutes } from './routes/stats.js';
import { streamRoutes, type StreamDeps } from './routes/streams.js';
import type { StatsSources } from '../ops/stats.js';
import { notifierRoutes } from './routes/notifiers.js';
import { datapointRoutes, plcRoutes, ruleRoutes } from './routes/plant.js';
import { userRoutes } from './routes/users.js';
import { trendRoutes } from './routes/trends.js';
import type { Clock } from '../kernel/clock.js';
import { packageVersion, staticPages, vendorFiles } from './routes/pages.js';
import { requestLog } from './middleware/request-log.js';
import { openApiDocument } from './openapi/openapi-document.js';
import { routeDoc } from './openapi/route-doc.js';
import type { Histogram } from '../ops/histogram.js';

export interface HttpDeps {
  db: Db;
  log: Logger;
  tokens: TokenService;
  tickets: TicketStore;
  limiter: LoginLimiter;
  passwordGate: PasswordGate;
  passwords: PasswordHasher;
  users: UserService;
  plcs: PlcService;
  datapoints: DatapointService;
  rules: RuleService;
  notifiers: NotifierService;
  /** The configuration as a plant file, out and in (README, "Config as files"). */
  config: ConfigIoService;
  live: LiveState;
  alarms: AlarmService;
  /** The alarm-management KPIs (SPEC 13). */
  kpis: KpiReport;
  /** This node and its peers; one node alone when not in a cluster. */
  cluster: { describe: DescribeCluster; reachable(): boolean };
  streams: StreamDeps;
  stats: StatsSources;
  items: ItemService;
  runtime: HttpRuntime;
  clock: Clock;
  /** Where each request's duration goes (/metrics). */
  requestDurations: Histogram;
}

const MAX_BODY_BYTES = 1024 * 1024;

const OpenApiShape = v.looseObject({ openapi: v.string(), info: v.looseObject({}), paths: v.record(v.string(), v.looseObject({})) });
const Health = v.strictObject({ status: v.picklist(['ok', 'degraded']), reason: v.optional(v.string()) });

/** The Hono app: health, auth, and the REST API behind bearer auth. */
export function createHttpApp(deps: HttpDeps) {
  const api = new Hono<AuthEnv>()
    // Plant files run to megabytes: this route has its own body limit, so it comes before the 1 MiB one.
    .route('/config', configRoutes(deps.config, requireAuth(deps.db, deps.tokens)))
    .use(
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: () => {
          // The rest of the body is never read, so the connection cannot carry another request.
          throw new AppError('payload_too_large', 'Request body is larger than 1 MiB', [], { connection: 'close' });
        },
      }),
    )
    .route('/auth', authRoutes(deps))
    .use(requireAuth(deps.db, deps.tokens))
    .route('/users', userRoutes(deps.users))
    .route('/plcs', plcRoutes(deps.plcs, deps.live))
    .route(
      '/datapoints',
      trendRoutes(deps.db, deps.datapoints, () => deps.clock.now()),
    )
    .route('/datapoints', datapointRoutes(deps.datapoints, deps.live))
    .route('/rules', ruleRoutes(deps.rules))
    .route('/notifiers', notifierRoutes(deps.notifiers))
    .route('/alarms', historyRoutes(deps.db))
    .route('/alarms', kpiRoutes(deps.kpis)) // before any `/alarms/:rule_id` route
    .route(
      '/alarms',
      alarmRoutes(deps.alarms, async () => (await journalRange(deps.db)).last),
    )
    .route('/stats', statsRoutes(deps.stats))
    .route('/cluster', clusterRoutes(deps.cluster.describe))
    .route('/items', itemRoutes(deps.items));

  const app = new Hono()
    // 503 while the journal cannot be written, or a cluster node cannot reach its database, so a
    // supervisor or load balancer sees it (SPEC 10, 12).
    .use(requestLog(deps.log, deps.requestDurations))
    .get(
      '/healthz',
      routeDoc({
        tag: 'operations',
        summary: 'Health: 503 while the journal cannot be written or the database cannot be reached',
        responses: { 200: Health, 503: Health },
      }),
      (c) => {
        const health = deps.cluster.reachable()
          ? deps.alarms.journalHealth()
          : { status: 'degraded', reason: 'the database cannot be reached' };
        return c.json(health, health.status === 'ok' ? 200 : 503);
      },
    )
    .get(
      '/openapi.json',
      routeDoc({ tag: 'operations', summary: 'This document: the API in OpenAPI 3.1', responses: { 200: OpenApiShape } }),
      (c, next) => document(c, next),
    )
    .route('/api', api)
    .use('/metrics', requireAuth(deps.db, deps.tokens))
    .route('/metrics', metricsRoutes(deps.stats))
    .route('/', streamRoutes(deps.streams))
    .route('/vendor', vendorFiles())
    .get(
      '/docs',
      routeDoc({ tag: 'operations', summary: 'The API reference page', responses: { 302: { description: 'To /docs.html' } } }),
      (c) => c.redirect('/docs.html'),
    )
    .use('/*', ...staticPages(deps.runtime.serveStatic));
  const document = openApiDocument(app as unknown as Hono, packageVersion());
  app.notFound((c) => errorResponse(c, new AppError('not_found', `No route for ${c.req.method} ${c.req.path}`)));
  app.onError(errorHandler(deps.log));
  return app;
}

export type HttpApp = ReturnType<typeof createHttpApp>;
