import { describe, expect, it } from 'vitest';
import { manualClock } from '../kernel/manual-clock.js';
import { decodePoint } from '../modbus/decoders.js';
import { createRegisterBank, writeRaw } from '../modbus/register-bank.js';
import { demoDatapoints, demoRules } from './demo-plant.js';
import { demoPlantValues, startDemoPlant, writeDemoPlant } from './process-model.js';

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

describe('demo process model', () => {
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
    const clock = manualClock(1000);
    const writes: number[] = [];
    const plant = startDemoPlant(
      { write: (area, address, _t, _w, raw) => void (area === 'holding' && address === 0 && writes.push(raw)) },
      { clock },
    );
    clock.advance(40_000);
    plant.stop();
    expect(clock.pending()).toBe(0);
    expect(writes[0]).toBeCloseTo(72, 0);
    expect(writes).toHaveLength(40_000 / 250 + 1);
    expect(writes.at(-1)).toBeGreaterThan(95);
  });
});
