import { describe, expect, it } from 'vitest';
import { AppError } from '../kernel/errors.js';
import { kpiPeriod } from './kpi-period.js';

const now = Date.parse('2026-12-02T12:00:00Z');
const h = 3_600_000;

describe('the KPI period', () => {
  it.each([
    ['the last 24 h by default', {}, { from: now - 24 * h, to: now }],
    ['24 h up to `to`', { to: now - h }, { from: now - 25 * h, to: now - h }],
    ['from `from` up to now', { from: now - 2 * h }, { from: now - 2 * h, to: now }],
    [
      'a whole leap year',
      { from: Date.parse('2028-01-01T00:00:00Z'), to: Date.parse('2029-01-01T00:00:00Z') },
      { from: Date.parse('2028-01-01T00:00:00Z'), to: Date.parse('2029-01-01T00:00:00Z') },
    ],
  ])('%s', (_, asked, period) => {
    expect(kpiPeriod(asked, now)).toEqual(period);
  });

  it.each([
    ['from after to', { from: now, to: now - h }, 'to'],
    ['an empty period', { from: now, to: now }, 'to'],
    ['from in the future, to defaulted', { from: now + h }, 'to'],
    ['over 366 days', { from: now - 367 * 24 * h, to: now }, 'from'],
  ])('refuses %s as invalid_request on %s', (_, asked, path) => {
    const err = (() => {
      try {
        kpiPeriod(asked, now);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'invalid_request', details: [{ path }] });
  });
});
