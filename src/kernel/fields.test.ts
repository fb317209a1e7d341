import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { IsoInstant } from './fields.js';

describe('IsoInstant', () => {
  it.each([
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2026-01-31T08:00Z', '2026-01-31T08:00:00.000Z'],
    ['2026-01-31T08:00:05.5Z', '2026-01-31T08:00:05.500Z'],
    ['2026-01-31T08:00:00', '2026-01-31T08:00:00.000Z'], // no offset: UTC, not the server's zone
    ['2026-01-31T08:00:00.000+01:00', '2026-01-31T07:00:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(new Date(v.parse(IsoInstant, text)).toISOString()).toBe(iso);
  });

  it.each([
    'yesterday',
    '1700000000000',
    '2026-02-29',
    '2026-13-01',
    '2026-01-31T24:00:00Z',
    '2026-01-31 08:00:00Z',
    '2026-01-31T08:00:00.1234Z',
    '2026-01-31T08:00:00+0100',
    '',
  ])('refuses %j', (text) => {
    expect(v.safeParse(IsoInstant, text).success).toBe(false);
  });
});
