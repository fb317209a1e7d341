import { describe, expect, it } from 'vitest';
import { decodePoint } from './decoders.js';
import { demoDatapoints, demoPlantValues, demoRules, startDemoPlant, writeDemoPlant } from './demo-plant.js';
import { createRegisterBank, writeRaw } from './register-bank.js';
import type { Timers } from './sleeper.js';

/** Seconds after start at which `holds` has been true for `forMs` (sampled each second). */
function firstHeld(holds: (v: number) => boolean, label: string, forMs: number): number | null {
  let since: number | null = null;
  for (let s = 0; s <= 120; s++) {
    const v = demoPlantValues(s * 1000)[label] ?? NaN;
    if (!holds(v)) since = null;
    else if (since === null) since = s;
    if (since !== null && (s - since) * 1000 >= forMs) return s;
  }
  return null;
}

describe('demo plant', () => {
  it('raises a WARNING and an ALARM within a minute of start', () => {
    const temp = demoRules.find((r) => r.datapoint_label === 'K1_DISCH_TEMP');
    const warning = firstHeld((v) => v >= (temp?.warning_threshold ?? Infinity), 'K1_DISCH_TEMP', temp?.on_delay_ms ?? 0);
    const alarm = firstHeld((v) => v >= (temp?.alarm_threshold ?? Infinity), 'K1_DISCH_TEMP', temp?.on_delay_ms ?? 0);
    expect(warning).toBeLessThan(60);
    expect(alarm).toBeLessThan(60);
    expect(firstHeld((v) => v === 1, 'P101_FAULT', 0)).toBeLessThan(60);
    expect(firstHeld((v) => v <= 3, 'HDR_PRESSURE', 1000)).toBeLessThan(60);
  });

  it('starts with nothing in alarm', () => {
    const v = demoPlantValues(0);
    expect(v.K1_DISCH_TEMP).toBeLessThan(85);
    expect(v.T101_LEVEL).toBeLessThan(80);
    expect(v.HDR_PRESSURE).toBeGreaterThan(4);
    expect(v.P101_FAULT).toBe(0);
  });

  it('has a rule for existing labels only, and unique labels and addresses', () => {
    const labels = new Set(demoDatapoints.map((d) => d.label));
    expect(labels.size).toBe(demoDatapoints.length);
    expect(demoRules.every((r) => labels.has(r.datapoint_label))).toBe(true);
    expect(new Set(demoDatapoints.map((d) => `${d.area}:${d.address}`)).size).toBe(demoDatapoints.length);
  });

  it('encodes values so the poller decodes them back', () => {
    const bank = createRegisterBank();
    const values = demoPlantValues(37_500);
    writeDemoPlant({ write: (...args) => writeRaw(bank, ...args) }, values);
    for (const d of demoDatapoints) {
      const bits = d.area === 'coil' || d.area === 'discrete';
      const bytes = bits
        ? [bank[d.area][d.address] ?? 0]
        : Array.from(bank[d.area].slice(d.address, d.address + 2)).flatMap((w) => [w >> 8, w & 255]);
      const view = new DataView(Uint8Array.from(bytes).buffer);
      const decoded = decodePoint(d, view, 0);
      expect(decoded.ok && decoded.value, d.label).toBeCloseTo(values[d.label] ?? NaN, 1);
    }
  });

  it('ticks on an injected clock and stops', () => {
    let now = 1000;
    const queued: (() => void)[] = [];
    const timers: Timers = { setTimeout: (fn) => queued.push(fn), clearTimeout: () => void queued.splice(0) };
    const writes: number[] = [];
    const plant = startDemoPlant(
      { write: (area, address, _t, _w, raw) => void (area === 'holding' && address === 0 && writes.push(raw)) },
      { now: () => now, timers },
    );
    now += 40_000;
    queued.shift()?.();
    plant.stop();
    expect(queued).toHaveLength(0);
    expect(writes[0]).toBeCloseTo(72, 0);
    expect(writes.at(-1)).toBeGreaterThan(95);
  });
});
