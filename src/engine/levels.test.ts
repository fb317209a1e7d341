import { describe, expect, it } from 'vitest';
import { levelFor, type Level, type LevelRule } from './levels.js';

const OK = 0,
  WARNING = 1,
  ALARM = 2,
  NONE = -1;

const above: LevelRule = { comparison: 'above', warning_threshold: 50, alarm_threshold: 80, deadband: 5 };
const below: LevelRule = { comparison: 'below', warning_threshold: 20, alarm_threshold: 10, deadband: 2 };
const equal: LevelRule = { comparison: 'equal', warning_threshold: 1, alarm_threshold: 2, deadband: 0 };
const notEqual: LevelRule = { comparison: 'not_equal', warning_threshold: null, alarm_threshold: 1, deadband: 0 };

describe('levelFor', () => {
  const cases: [string, LevelRule, number, Level | -1, Level][] = [
    // above: plain thresholds on entry
    ['above: below warning is OK', above, 49.9, OK, OK],
    ['above: at warning enters WARNING', above, 50, OK, WARNING],
    ['above: at alarm enters ALARM', above, 80, OK, ALARM],
    ['above: from UNKNOWN uses plain thresholds', above, 79, NONE, WARNING],
    ['above: WARNING->ALARM needs the plain alarm threshold', above, 79.9, WARNING, WARNING],
    // above: deadband on leaving; exactly at threshold - deadband stays
    ['above: ALARM stays at alarm - deadband', above, 75, ALARM, ALARM],
    ['above: ALARM leaves below alarm - deadband, into WARNING', above, 74.9, ALARM, WARNING],
    ['above: WARNING stays at warning - deadband', above, 45, WARNING, WARNING],
    ['above: WARNING leaves below warning - deadband', above, 44.9, WARNING, OK],
    ['above: leaving ALARM keeps WARNING inside its deadband', above, 47, ALARM, WARNING],
    ['above: leaving ALARM past both deadbands is OK', above, 44, ALARM, OK],
    ['above: OK inside the warning deadband stays OK', above, 47, OK, OK],
    // below: mirrored
    ['below: above warning is OK', below, 20.1, OK, OK],
    ['below: at warning enters WARNING', below, 20, OK, WARNING],
    ['below: at alarm enters ALARM', below, 10, WARNING, ALARM],
    ['below: ALARM stays at alarm + deadband', below, 12, ALARM, ALARM],
    ['below: ALARM leaves above alarm + deadband', below, 12.1, ALARM, WARNING],
    ['below: WARNING stays at warning + deadband', below, 22, WARNING, WARNING],
    ['below: WARNING leaves above warning + deadband', below, 22.1, WARNING, OK],
    // equal / not_equal
    ['equal: matches warning', equal, 1, OK, WARNING],
    ['equal: matches alarm', equal, 2, OK, ALARM],
    ['equal: matches neither', equal, 3, ALARM, OK],
    ['not_equal: differs from alarm', notEqual, 0, OK, ALARM],
    ['not_equal: equals alarm, no warning level', notEqual, 1, ALARM, OK],
    // null thresholds: the level does not exist
    ['above, no warning: below alarm is OK', { ...above, warning_threshold: null }, 79, OK, OK],
    ['above, no alarm: far above is WARNING', { ...above, alarm_threshold: null }, 1e9, OK, WARNING],
    ['below, no warning: ALARM leaves straight to OK', { ...below, warning_threshold: null }, 12.5, ALARM, OK],
  ];
  it.each(cases)('%s', (_name, rule, value, current, expected) => {
    expect(levelFor(rule, value, current)).toBe(expected);
  });

  it('ALARM wins over WARNING when both thresholds match (equal)', () => {
    expect(levelFor({ ...equal, warning_threshold: 2 }, 2, OK)).toBe(ALARM);
    expect(levelFor({ comparison: 'not_equal', warning_threshold: 5, alarm_threshold: 6, deadband: 0 }, 0, OK)).toBe(ALARM);
    expect(levelFor({ comparison: 'not_equal', warning_threshold: 5, alarm_threshold: 6, deadband: 0 }, 6, OK)).toBe(WARNING);
  });

  it('equal: deadband widens only the level being held', () => {
    const banded: LevelRule = { comparison: 'equal', warning_threshold: 5, alarm_threshold: 10, deadband: 1 };
    expect(levelFor(banded, 9, OK)).toBe(OK);
    expect(levelFor(banded, 9, ALARM)).toBe(ALARM);
    expect(levelFor(banded, 8.9, ALARM)).toBe(OK);
    expect(levelFor(banded, 5.5, WARNING)).toBe(WARNING);
    expect(levelFor(banded, 5.5, ALARM)).toBe(OK);
  });
});
