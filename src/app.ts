import { randomBytes } from 'node:crypto';
import { bootstrapAdmin } from './auth/bootstrap-admin.js';
import { createLoginLimiter, type LoginLimits } from './auth/login-limiter.js';
import { createTicketStore } from './auth/tickets.js';
import { createTokenService } from './auth/tokens.js';
import { userService } from './auth/user-service.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { migrateToLatest, openDatabase, type Db } from './db/database.js';
import { journalRange, listEvents } from './db/events.js';
import { initSetting } from './db/settings.js';
import { CLOSE } from './hub/close-codes.js';
import { createHub, type Hub } from './hub/hub.js';
import { createStreamServer, type StreamServer } from './hub/stream-server.js';
import { AppError } from './errors.js';
import { createHttpApp, type HttpApp } from './http/http-app.js';
import { createJournal, type Journal } from './journal/journal.js';
import { startRetention } from './journal/retention.js';
import { consoleLogger, type Logger } from './log/logger.js';
import { datapointService } from './plant/datapoint-service.js';
import { createLiveState } from './plant/live-state.js';
import type { PlantChange } from './plant/plant-context.js';
import { plcService } from './plant/plc-service.js';
import { ruleService } from './plant/rule-service.js';
import { listen, type Listening } from './server/listen.js';

export interface AppOptions {
  log?: Logger;
  clock?: Clock;
  loginLimits?: LoginLimits;
}

/** What a started app holds; everything in it is closed by `stop()`. */
interface Running {
  db: Db;
  journal: Journal;
  http: HttpApp;
  hub: Hub;
  streams: StreamServer;
  listening: Listening;
  stopRetention: () => void;
}

/**
 * The whole server: `start()` opens the database, migrates, creates the first admin and
 * listens; `stop()` stops accepting, closes connections, then closes the database.
 */
export function createApp(config: Config, options: AppOptions = {}) {
  const log = options.log ?? consoleLogger();
  const clock = options.clock ?? systemClock();
  let running: Running | undefined;

  async function start(): Promise<void> {
    if (running) throw new Error('app already started');
    const db = openDatabase(config.database);
    try {
      await migrateToLatest(db);
      const secret = config.jwtSecret ?? (await initSetting(db, 'jwt_secret', randomBytes(48).toString('base64url')));
      await bootstrapAdmin(db, config.adminUser, config.adminPassword, log);

      const journal = createJournal(db, clock, log);
      const live = createLiveState();
      const changed = (_changes: PlantChange[]) => {};
      const plant = { db, journal, changed };
      const hub = createHub(
        {
          readEvents: (afterId, limit, viewerId) => listEvents(db, { afterId, limit, viewerId }),
          range: () => journalRange(db),
          activeAlarms: () => [],
        },
        clock,
        config.heartbeatMs,
      );
      journal.subscribe(hub.publish);
      const streams = createStreamServer(clock, config.heartbeatMs);
      const tokens = createTokenService(secret, config.tokenTtlS, clock);
      const tickets = createTicketStore(clock, () => randomBytes(24).toString('base64url'));
      const http = createHttpApp({
        db,
        log,
        tokens,
        tickets,
        limiter: createLoginLimiter(clock, options.loginLimits),
        users: userService(db),
        plcs: plcService(plant),
        datapoints: datapointService(plant),
        rules: ruleService(plant),
        live,
        stats: { hub: hub.stats, poll: () => [], evaluations: () => 0 },
        streams: {
          db,
          tokens,
          tickets,
          clock,
          hub,
          streams,
          allowedOrigins: config.allowedOrigins,
          ack: async () => {
            throw new AppError('not_found', 'alarm not found');
          },
        },
      });
      const listening = await listen(http.fetch, config.host, config.port, streams.wss);
      running = { db, journal, http, hub, streams, listening, stopRetention: startRetention(db, clock.now, log) };
      log.info(`listening on http://${config.host}:${listening.port}`);
    } catch (err) {
      await db.destroy();
      throw err;
    }
  }

  async function stop(): Promise<void> {
    const r = running;
    if (!r) return;
    running = undefined;
    r.stopRetention();
    r.hub.closeAll(CLOSE.goingAway, 'server stopping');
    r.streams.stop();
    await r.listening.close();
    await r.db.destroy();
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
  };
}

export type App = ReturnType<typeof createApp>;
