/** The poll loop of one PLC: max_in_flight requests out at once, cycles timed from their start, reconnects. */
import type { Clock } from '../kernel/clock.js';
import { reconnectDelay } from './backoff.js';
import { createChangeTracker, type ChangeSet } from './change-tracker.js';
import { linkStatus, linkTransition, type LinkEvent, type LinkState } from './link-state.js';
import type { ConnectPlc, PlcConnection } from './plc-connection.js';
import { PollError, toPollError } from './poll-error.js';
import type { PlcPollStats, PollerPlc, PollerPoint } from './protocol.js';
import { applyError, applyReply, compilePlan, type PollPlan } from './poll-plan.js';
import { createSleeper } from './sleeper.js';

export interface PlcPollerDeps {
  connect: ConnectPlc;
  /** Epoch ms for sample timestamps, and the timer of the wait between cycles. */
  clock: Clock;
  /** Monotonic ms, for scheduling and latency. */
  monotonic(): number;
  random(): number;
  reconnectMaxMs: number;
  onValues(plcId: number, ts: number, changes: ChangeSet): void;
  onStatus(plcId: number, status: ReturnType<typeof linkStatus>): void;
  /** A reply decoded, `ms` after its request was sent. */
  onReply(ms: number): void;
}

export interface PlcPoller {
  /** Applies a new configuration at once; reconnects only if host or port changed. */
  update(plc: PollerPlc, points: readonly PollerPoint[]): void;
  stop(): Promise<void>;
  stats(): PlcPollStats;
}

export function startPlcPoller(initial: PollerPlc, points: readonly PollerPoint[], deps: PlcPollerDeps): PlcPoller {
  let plc = initial;
  const tracker = createChangeTracker();
  let plan = compilePlan(points, tracker);
  let conn: PlcConnection | null = null;
  let link: LinkState = { kind: 'unknown' };
  let failures = 0;
  let generation = 0; // bumped on reconnecting changes, so a cycle they cut short is no failure
  let running = true;
  const sleeper = createSleeper(deps.clock);
  const counts = { cycles: 0, reads: 0, errors: 0, answered: 0, latencySum: 0, last: null as number | null };

  const done = (async function pollLoop() {
    while (running) await sleeper.sleep(await cycle());
    dropConnection();
  })();

  function dropConnection(): void {
    conn?.close();
    conn = null;
  }

  /** Runs one cycle and returns the wait before the next. */
  async function cycle(): Promise<number> {
    const started = deps.monotonic();
    const gen = generation;
    try {
      await readAll(plan, gen);
      counts.cycles++;
      failures = 0;
      setLink({ type: 'read_ok', at: deps.clock.now() });
      flush();
      return started + plc.poll_interval_ms - deps.monotonic();
    } catch (e) {
      const err = toPollError(e);
      dropConnection();
      if (!running || gen !== generation) return 0;
      counts.errors++;
      failures++;
      // A single lost reply on a healthy link: retry on a fresh socket before alarming anyone.
      if (failures === 1 && link.kind === 'connected') return 0;
      setLink({ type: 'failed', error: err.message });
      tracker.allBad(err.message);
      flush();
      return reconnectDelay(failures, plc.poll_interval_ms, deps.reconnectMaxMs, deps.random);
    }
  }

  async function readAll(current: PollPlan, gen: number): Promise<void> {
    if (conn === null || conn.closed) {
      const fresh = await deps.connect(plc, plc.timeout_ms);
      if (!running || gen !== generation) {
        fresh.close();
        throw new PollError('reset', 'configuration changed while connecting');
      }
      conn = fresh;
    }
    const c = conn;
    // Up to max_in_flight lanes take the plan's requests in order; 1 is a plain loop.
    let next = 0;
    let reconfigured = false;
    let dropped = false;
    const lane = async (): Promise<void> => {
      while (!reconfigured && !dropped && next < current.requests.length) {
        const request = current.requests[next++]!;
        const t0 = deps.monotonic();
        try {
          const data = await c.read(request, plc.unit_id, plc.timeout_ms);
          // false: reconfigured mid-cycle; the next cycle reads the new plan at once
          if (!applyReply(current, request, data, tracker)) reconfigured = true;
          const ms = deps.monotonic() - t0;
          deps.onReply(ms);
          counts.reads++;
          counts.last = ms;
          counts.latencySum += ms;
          counts.answered++;
        } catch (e) {
          const err = toPollError(e);
          if (err.dropsConnection) {
            dropped = true;
            throw err;
          }
          counts.reads++;
          counts.errors++;
          applyError(current, request, err.message, tracker);
        }
      }
    };
    const lanes = Math.min(plc.max_in_flight, current.requests.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    if (reconfigured) return;
    for (const bad of current.invalid) tracker.bad(bad.id, bad.error);
  }

  function flush(): void {
    const changes = tracker.flush();
    if (changes !== null) deps.onValues(plc.id, deps.clock.now(), changes);
  }

  function setLink(event: LinkEvent): void {
    const t = linkTransition(link, event);
    link = t.to;
    if (t.changed) deps.onStatus(plc.id, linkStatus(link));
  }

  return {
    update(next, nextPoints) {
      if (next.host !== plc.host || next.port !== plc.port) {
        generation++;
        failures = 0;
        dropConnection();
      }
      plc = next;
      plan = compilePlan(nextPoints, tracker);
      sleeper.wake();
    },
    async stop() {
      running = false;
      sleeper.wake();
      dropConnection();
      await done;
    },
    stats: () => ({
      plc_id: plc.id,
      ...linkStatus(link),
      cycles: counts.cycles,
      requests_per_cycle: plan.requests.length,
      reads: counts.reads,
      errors: counts.errors,
      last_latency_ms: counts.last,
      avg_latency_ms: counts.answered > 0 ? counts.latencySum / counts.answered : null,
    }),
  };
}
