/**
 * Rule engine throughput: rule evaluations per second, the cost of unchanged samples, and the
 * main-thread share taken by 100k changed values per second. Prints figures, asserts nothing.
 * Run: npx tsx scripts/bench-engine.ts (add --expose-gc to see allocation per unchanged sample)
 */
import { createEngine, type EngineRule } from '../src/engine/index.js';
import type { Sample } from '../src/kernel/samples.js';
import type { Clock } from '../src/kernel/clock.js';
import { COMPARISONS } from '../src/kernel/enums.js';

const RULES = 10_000;
const DATAPOINTS = 10_000;
const ROUNDS = 60;

// Timers are armed and cleared as in production but never fire: the bench drives time by sample ts.
let handles = 0;
const clock: Clock = { now: () => ts, setTimer: () => ++handles, clearTimer: () => {} };
const ts = Date.UTC(2025, 0, 6);
let transitions = 0;

function makeRules(): EngineRule[] {
  return Array.from({ length: RULES }, (_, i) => {
    const comparison = COMPARISONS[i % COMPARISONS.length]!;
    const ordered = comparison === 'above' || comparison === 'below';
    return {
      id: i + 1,
      datapoint_id: (i % DATAPOINTS) + 1,
      name: `rule ${i}`,
      severity: 'high',
      comparison,
      warning_threshold: ordered ? (comparison === 'above' ? 60 : 40) : 3,
      alarm_threshold: ordered ? (comparison === 'above' ? 80 : 20) : 7,
      deadband: ordered ? 2 : 0,
      on_delay_ms: i % 3 === 0 ? 2_000 : 0,
      off_delay_ms: i % 5 === 0 ? 1_000 : 0,
      schedule: null,
      enabled: true,
      suppress_when: null,
      escalate_after_s: null,
    };
  });
}

/** Rounds of samples where every datapoint changes: a random walk that crosses thresholds now and then. */
function makeRounds(rounds: number, perRound: number, stepMs: number): Sample[][] {
  const values = Array.from({ length: DATAPOINTS }, () => Math.random() * 100);
  const out: Sample[][] = [];
  let t = ts;
  for (let r = 0; r < rounds; r++) {
    t += stepMs;
    const batch: Sample[] = [];
    for (let k = 0; k < perRound; k++) {
      const dp = (r * perRound + k) % DATAPOINTS;
      const v = Math.min(100, Math.max(0, values[dp]! + (Math.random() - 0.5) * 6));
      values[dp] = v === values[dp] ? v + 1e-9 : v;
      batch.push({ datapoint_id: dp + 1, value: dp % 4 >= 2 ? Math.round(v / 10) : v, quality: 'good', ts: t });
    }
    out.push(batch);
  }
  return out;
}

function newEngine() {
  const engine = createEngine({ clock, onTransitions: (list) => void (transitions += list.length) });
  engine.load(makeRules());
  return engine;
}

function evaluationsPerSecond(): void {
  const engine = newEngine();
  const rounds = makeRounds(ROUNDS, DATAPOINTS, 1_000);
  const span = ROUNDS * 1_000;
  const rates: number[] = [];
  transitions = 0;
  let evaluations = 0;
  for (let pass = 0; pass < 8; pass++) {
    // replay the walk later in time (untimed), so delays see time move forward
    if (pass > 0) for (const batch of rounds) for (const sample of batch) sample.ts += span;
    const before = engine.stats().evaluations;
    const start = performance.now();
    for (const batch of rounds) engine.ingest(batch);
    const seconds = (performance.now() - start) / 1000;
    evaluations = engine.stats().evaluations - before;
    if (pass >= 2) rates.push(evaluations / seconds); // the first passes warm up the JIT
  }
  rates.sort((a, b) => a - b);
  console.log(
    `rule evaluations: ${fmt(rates[Math.floor(rates.length / 2)]!)}/s median, ${fmt(rates.at(-1)!)}/s best  (${fmt(evaluations)} per pass, ${RULES} rules on ${DATAPOINTS} datapoints, ${transitions} transitions in all)`,
  );
}

function unchangedSamples(): void {
  const engine = newEngine();
  const batch = makeRounds(1, DATAPOINTS, 1_000)[0]!;
  const repeats = 1000;
  for (let i = 0; i < repeats; i++) engine.ingest(batch); // warm up: tier-up compiles allocate too
  const gc = (globalThis as { gc?: () => void }).gc; // present under node --expose-gc
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  for (let i = 0; i < repeats; i++) engine.ingest(batch);
  const seconds = (performance.now() - start) / 1000;
  const bytes = (process.memoryUsage().heapUsed - heapBefore) / (repeats * batch.length);
  const allocation = gc ? `${bytes.toFixed(2)} bytes allocated per sample` : 'run with --expose-gc for allocation';
  console.log(`unchanged samples: ${fmt((repeats * batch.length) / seconds)}/s  (${allocation})`);
}

/** 100k changed values per second in 100 poll cycles of 1,000: the share of each second spent in ingest. */
function mainThreadShare(): void {
  const engine = newEngine();
  const perSecond = 100_000;
  const cycles = 100;
  const seconds = 5;
  const rounds = makeRounds(cycles * (seconds + 1), perSecond / cycles, 1_000 / cycles);
  for (const batch of rounds.slice(0, cycles)) engine.ingest(batch);
  const shares: number[] = [];
  for (let s = 1; s <= seconds; s++) {
    const start = performance.now();
    for (const batch of rounds.slice(s * cycles, (s + 1) * cycles)) engine.ingest(batch);
    shares.push((performance.now() - start) / 1000);
  }
  shares.sort((a, b) => a - b);
  const median = shares[Math.floor(shares.length / 2)]!;
  console.log(
    `main-thread cost of 100k changed values/s: ${(median * 100).toFixed(2)}% (${(median * 1000).toFixed(1)} ms per second of load, median of ${seconds})`,
  );
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

evaluationsPerSecond();
unchangedSamples();
mainThreadShare();
