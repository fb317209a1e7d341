import { describe, expect, it } from 'vitest';
import { demoDatapoints, demoRules } from './demo-plant.js';

describe('demo plant', () => {
  it('has a rule for existing labels only, and unique labels and addresses', () => {
    const labels = new Set(demoDatapoints.map((d) => d.label));
    expect(labels.size).toBe(demoDatapoints.length);
    expect(demoRules.every((r) => labels.has(r.datapoint_label))).toBe(true);
    expect(demoRules.every((r) => r.suppress_when === null || labels.has(r.suppress_when.datapoint_label))).toBe(true);
    expect(new Set(demoDatapoints.map((d) => `${d.area}:${d.address}`)).size).toBe(demoDatapoints.length);
  });
});
