import { randomBytes } from 'node:crypto';
import { createAlarmService, type AlarmService } from './alarms/alarm-service.js';
import { bootstrapAdmin } from './auth/bootstrap-admin.js';
import { passwordHasher, type ScryptParams } from './auth/password.js';
import { hasPermission } from './auth/permissions.js';
import { AppError } from './kernel/errors.js';
import type { StreamUser } from './hub/client.js';
import { createLoginLimiter, inPostgres, type LoginLimits } from './auth/login-limiter.js';
import { createPasswordGate, type PasswordGateLimits } from './auth/password-gate.js';
import { createTicketStore, databaseTicketStore } from './auth/tickets.js';
import { createTokenService } from './auth/tokens.js';
import { userService } from './auth/user-service.js';
import { systemClock, type Clock } from './kernel/clock.js';
import type { Config } from './config.js';
import { createCluster, nodeName, type Cluster } from './cluster/cluster.js';
import { configIoService } from './config-io/config-io-service.js';
import { dialectOf, migrateToLatest, openDatabase, pgPool, type Db } from './db/database.js';
import { journalRange, readReplayPage } from './journal/events.js';
import { initSetting } from './db/settings.js';
import { userById } from './http/middleware/auth.js';
import { createHttpApp, type HttpApp } from './http/http-app.js';
import { isLoopbackHost } from './http/middleware/stream-auth.js';
import { CLOSE } from './hub/close-codes.js';
import { createHub, type Hub } from './hub/hub.js';
import { createStreamServer, type StreamServer } from './hub/stream-server.js';
import { createItemService, type ItemService } from './items/item-service.js';
import { createJournal, type Journal } from './journal/journal.js';
import { journalStoreFor } from './journal/journal-stores.js';
import { createKpiReport } from './kpi/kpi-report.js';
import { createNotifications, type Notifications } from './notify/index.js';
import { startRetention } from './journal/retention.js';
import { withFields, type Logger } from './log/logger.js';
import { createHistogram } from './ops/histogram.js';
import { pinoLogger } from './log/pino-logger.js';
import { datapointService } from './plant/datapoint-service.js';
import { startDemo, type Demo } from './demo/demo.js';
import { createLiveState } from './plant/live-state.js';
import { plantChangeRouter } from './plant/plant-changes.js';
import { plcService } from './plant/plc-service.js';
import { createPollerBridge, type PollerBridge } from './modbus/poller-bridge.js';
// The bounds the poller worker counts round trips in: the /metrics histogram must have them.
import { ROUND_TRIP_BOUNDS_MS } from './modbus/protocol.js';
import { createTrendRecorder, type TrendRecorder } from './trend/trend-recorder.js';
import { ruleService } from './plant/rule-service.js';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits, type Listening, type Runtime } from './runtime/runtime.js';

export interface AppOptions {
  /** Node's or Bun's adapter (src/runtime), chosen by the composition root. */
  runtime: Runtime;
  log?: Logger;
  clock?: Clock;
  loginLimits?: LoginLimits;
  passwordGate?: PasswordGateLimits;
  /** scrypt's parameters for new hashes: the default, but for the in-process test app (auth/password.ts). */
  scrypt?: ScryptParams;
  /** Header and request time-outs (tests shorten them); MAX_CONNECTIONS comes from the config. */
  connectionLimits?: Partial<ConnectionLimits>;
  /** Replaces the worker-thread poller (tests of parts that need no Modbus). */
  poller?: Parameters<typeof createPollerBridge>[0]['poller'];
}

/** What a started app holds; `stop()` closes it in reverse order. */
interface Running {
  db: Db;
  journal: Journal;
  http: HttpApp;
  hub: Hub;
  streams: StreamServer;
  alarms: AlarmService;
  items: ItemService;
  notifications: Notifications;
  poller: PollerBridge;
  trend: TrendRecorder;
  demo: Demo | undefined;
  /** Set when the database is PostgreSQL: this node's part in the cluster. */
  cluster: Cluster | undefined;
  listening: Listening;
  stopRetention: () => Promise<void>;
}

/**
 * The whole server. `start()`: database and migrations, the first admin, the alarm engine with
 * its saved states, the stream hub, the poller, then HTTP. `stop()`: stop polling, flush the
 * journal, close streams (1001), stop HTTP, close the database.
 */
export function createApp(config: Config, options: AppOptions) {
  const { runtime } = options;
  const baseLog = options.log ?? pinoLogger({ level: config.logLevel });
  /** A cluster node's lines carry its name (SPEC 12), from the moment it joins. */
  let logName = '';
  /** The port once listening (PORT may be 0): part of the default node name. */
  let boundPort = config.port;
  const selfName = () => nodeName(config.nodeName, boundPort);
  const log: Logger = withFields(baseLog, () => (logName ? { node: logName } : undefined));
  const clock = options.clock ?? systemClock();
  const passwords = passwordHasher(options.scrypt);
  let running: Running | undefined;

  /**
   * Builds and starts the parts. `undo` collects a stop for each part that has started, so a
   * failure half-way (a bad database, a busy port) leaves no worker or timer behind.
   */
  async function assemble(db: Db, undo: (() => unknown)[]): Promise<Omit<Running, 'listening' | 'stopRetention'>> {
    await migrateToLatest(db);
    const clustered = dialectOf(db) === 'postgres';
    const secret = config.jwtSecret ?? (await initSetting(db, 'jwt_secret', randomBytes(48).toString('base64url')));
    await bootstrapAdmin(db, passwords, config.adminUser, config.adminPassword, log);

    // In a cluster the parts below are built before the cluster that feeds them: they ask it late.
    let cluster: Cluster | undefined;
    const journal = createJournal(journalStoreFor(db), clock, log);
    const live = createLiveState();
    const alarms = createAlarmService(
      db,
      journal,
      clock,
      log,
      clustered ? { kind: 'plcs', owns: (plcId) => cluster?.polls(plcId) ?? false } : { kind: 'all' },
      (datapointId) => {
        const v = live.value(datapointId);
        return v.ts === null ? undefined : { datapoint_id: datapointId, value: v.value, quality: v.quality, ts: Date.parse(v.ts) };
      },
    );
    await alarms.start();
    undo.push(() => alarms.stop());
    const items = createItemService(db, journal, clock, log);

    const latency = {
      requests: createHistogram(
        'alarm_server_request_duration_seconds',
        'HTTP request duration, by the time the answer (or a stream) starts.',
      ),
      delivery: createHistogram(
        'alarm_server_event_delivery_seconds',
        "From an event's journal time to its hand-over to this node's streams.",
      ),
      roundTrips: createHistogram(
        'alarm_server_poll_round_trip_seconds',
        'Modbus poll round trip per read, from the request sent to the reply decoded.',
        ROUND_TRIP_BOUNDS_MS,
      ),
    };
    const hub = createHub(
      {
        readPage: (query) => readReplayPage(db, query),
        range: () => journalRange(db),
        activeAlarms: () => alarms.active(false),
      },
      clock,
      {
        heartbeatMs: config.heartbeatMs,
        maxStreamsPerUser: config.maxStreamsPerUser,
        onStream: (change, conn) =>
          log.info(`stream ${change}`, { stream: conn.id, transport: conn.transport.kind, user: conn.user.username }),
        deliveryLatency: latency.delivery,
      },
    );

    const trend = createTrendRecorder({ db, clock, log, trendDays: config.trendDays });
    const poller = createPollerBridge({
      db,
      journal,
      live,
      hub,
      log,
      onSamples: alarms.ingest,
      trend,
      roundTrips: latency.roundTrips,
      poller: options.poller,
      ...(clustered && { polls: (plcId: number) => cluster?.polls(plcId) ?? false, shareValues: (values) => cluster?.shareValues(values) }),
    });

    const router = plantChangeRouter(
      {
        ruleSaved: alarms.ruleSaved,
        ruleDeleted: alarms.ruleDeleted,
        reloadTopology: async () => void (await Promise.all([alarms.refreshPoints(), poller.reload()])),
      },
      log,
    );
    // A cluster learns of every plant change, its own too, from the journal (src/cluster).
    const plant = { db, journal, changed: clustered ? () => {} : router.changed };
    const services = { plcs: plcService(plant), datapoints: datapointService(plant), rules: ruleService(plant) };
    const notifications = createNotifications({ db, journal, alarms, clock, log });

    if (clustered) {
      cluster = createCluster({
        db,
        configuredName: config.nodeName,
        journal,
        hub,
        alarms,
        live,
        reloadPoller: () => poller.reload(),
        plantChanged: router.changed,
        itemsChanged: () => void items.reschedule(),
        published: notifications.committed,
        clock,
        log,
      });
      alarms.listSuppressedWith(cluster.suppressed);
      const publishing = cluster;
      journal.subscribe((events) => publishing.committed(events));
      publishing.follow((await journalRange(db)).last);
      undo.push(() => publishing.stopFollowing());
    } else {
      journal.subscribe(hub.publish);
      journal.subscribe(notifications.committed);
    }

    const demo = config.demo ? await startDemo(services, log) : undefined;
    if (demo) undo.push(() => demo.stop());
    await router.settled();
    undo.push(() => trend.stop());
    trend.start();
    undo.push(() => poller.stop());
    await poller.start();

    const streams = createStreamServer(clock, config.heartbeatMs);
    undo.push(() => streams.stop());
    const tokens = createTokenService(secret, config.tokenTtlS, clock);
    const newTicket = () => randomBytes(24).toString('base64url');
    const tickets = clustered ? databaseTicketStore(db, clock, newTicket) : createTicketStore(clock, newTicket);
    // Ack, shelve and unshelve run where the rule's engine is: in a cluster, maybe another node.
    const commands = cluster ? { ...alarms, ...cluster.commands } : alarms;
    // The WebSocket `ack` message: the same permission and effect as the REST call, checked
    // against the account as it is now (a stream outlives role changes).
    const ack = async (streamUser: StreamUser, ruleId: number, comment: string | undefined) => {
      const user = await userById(db, streamUser.id);
      if (!user || user.tokenVersion !== streamUser.tokenVersion) throw new AppError('unauthenticated', 'Credentials revoked');
      if (!hasPermission(user.permissions, 'alarms:ack')) throw new AppError('forbidden', 'Requires permission alarms:ack');
      return commands.ack(ruleId, user.username, comment ?? null);
    };
    // Streams follow account changes within the same turn as the change (SPEC 10).
    const accountChanged = (userId: number) => {
      userById(db, userId).then(
        (user) => hub.userChanged(userId, user),
        (err: unknown) => log.error(`re-checking the streams of user ${userId} failed: ${String(err)}`),
      );
    };
    const self = cluster;
    // A single node is a cluster of one: it polls every enabled PLC.
    const startedAt = new Date(clock.now()).toISOString();
    const soleNode = async () => ({
      name: selfName(),
      started_at: startedAt,
      last_seen: new Date(clock.now()).toISOString(),
      plc_ids: (await services.plcs.list()).filter((p) => p.enabled).map((p) => p.id),
    });
    // KPIs (SPEC 13): the journal, the active list as operators see it, and the rules shelved,
    // out of service and suppressed now (only shelving is counted so far).
    const kpis = createKpiReport({
      db,
      now: () => clock.now(),
      activeAlarms: () => commands.active(false),
      countRules: () => alarms.counts(),
    });
    const http = createHttpApp({
      db,
      log,
      tokens,
      tickets,
      limiter: createLoginLimiter(options.loginLimits, clustered ? inPostgres(pgPool(db)) : undefined),
      passwordGate: createPasswordGate(options.passwordGate),
      passwords,
      users: userService(db, journal, accountChanged, passwords),
      ...services,
      notifiers: notifications.service,
      config: configIoService({
        db,
        journal,
        changed: plant.changed,
        settled: router.settled,
        whileNotifierStopped: notifications.whileStopped,
      }),
      alarms: commands,
      kpis,
      live,
      stats: {
        node: () => cluster?.name() || selfName(),
        hub: hub.stats,
        poll: poller.figures,
        evaluations: alarms.evaluations,
        histograms: () => [latency.requests, latency.delivery, latency.roundTrips],
      },
      requestDurations: latency.requests,
      streams: {
        db,
        tokens,
        tickets,
        clock,
        hub,
        streams,
        origins: { allowed: config.allowedOrigins, loopbackOnly: isLoopbackHost(config.host) },
        runtime: runtime.http,
        ack,
      },
      runtime: runtime.http,
      clock,
      items,
      cluster: self
        ? { describe: () => self.describe(), reachable: () => self.healthy() }
        : { describe: async () => ({ self: selfName(), nodes: [await soleNode()] }), reachable: () => true },
    });
    undo.push(() => items.stop());
    await items.start(); // fires what came due while the server was down
    undo.push(() => notifications.stop());
    await notifications.start();
    return { db, journal, http, hub, streams, alarms, items, notifications, poller, trend, demo, cluster };
  }

  async function start(): Promise<void> {
    if (running) throw new Error('app already started');
    const db = openDatabase(config.database, runtime.openSqlite);
    const undo: (() => unknown)[] = [];
    try {
      const parts = await assemble(db, undo);
      undo.push(() => parts.journal.flush());
      const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connectionLimits, maxConnections: config.maxConnections };
      const listening = await runtime.listen(parts.http.fetch, config.host, config.port, limits);
      if (listening.broadcast) parts.hub.broadcastWith(listening.broadcast);
      undo.push(() => listening.close());
      boundPort = listening.port;
      log.info(`listening on http://${config.host}:${listening.port} (${runtime.name})`);
      if (parts.cluster) {
        await parts.cluster.join(listening.port);
        logName = parts.cluster.name();
        log.info(`cluster: joined as ${logName}`);
      }
      running = { ...parts, listening, stopRetention: startRetention(db, clock, log) };
    } catch (err) {
      for (const stop of undo.reverse()) await Promise.resolve(stop()).catch(() => {});
      await db.destroy();
      throw err;
    }
  }

  async function shutdown(r: Running) {
    await r.stopRetention();
    await r.cluster?.leave(); // hands its PLCs over first, while it can still journal for them
    await r.poller.stop();
    await r.trend.stop(); // the minute so far, after the last values
    r.alarms.stop();
    await r.demo?.stop();
    await r.items.stop();
    await r.notifications.stop(); // before the journal and the database close under the loops
    await r.journal.flush();
    r.hub.closeAll(CLOSE.goingAway, 'server stopping');
    r.streams.stop();
    await r.listening.close();
    r.cluster?.stopFollowing();
    await r.db.destroy();
  }

  async function stop(): Promise<void> {
    const r = running;
    running = undefined;
    if (r) await shutdown(r);
  }

  function started(): Running {
    if (!running) throw new Error('app not started');
    return running;
  }

  return {
    start,
    stop,
    /** The base URL once started, e.g. http://127.0.0.1:8080. */
    get url() {
      return `http://${config.host}:${started().listening.port}`;
    },
    /** Sends a request through the Hono app without a socket (tests). */
    request: (path: string, init?: RequestInit) => started().http.request(path, init),
    get db() {
      return started().db;
    },
    get journal() {
      return started().journal;
    },
    get hub() {
      return started().hub;
    },
    /** The HTTP app's routes (the API reference's test checks each is documented). */
    get routes() {
      return started().http.routes;
    },
    /** The per-minute trend recorder (tests wait for its writes with `idle()`). */
    get trend() {
      return started().trend;
    },
    get demoSimulator() {
      return started().demo?.sim;
    },
  };
}

export type App = ReturnType<typeof createApp>;
