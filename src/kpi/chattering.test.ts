import { describe, expect, it } from 'vitest';
import { chatters } from './chattering.js';

const s = 1000;

describe('chattering: 3 or more annunciations within any 60 s', () => {
  it.each([
    ['none', [], false],
    ['two close together', [0, 1 * s], false],
    ['three within 10 s', [0, 5 * s, 10 * s], true],
    ['three spanning exactly 60 s', [0, 30 * s, 60 * s], true],
    ['three spanning 60.001 s', [0, 30 * s, 60 * s + 1], false],
    ['three across a minute boundary of the clock', [59 * s, 61 * s, 62 * s], true],
    ['a burst after a quiet spell', [0, 120 * s, 240 * s, 300 * s, 310 * s, 320 * s], true],
    ['one every 31 s', [0, 31 * s, 62 * s, 93 * s], false],
  ])('%s', (_, times, chattering) => {
    expect(chatters(times)).toBe(chattering);
  });
});
