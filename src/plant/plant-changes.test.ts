import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../log/logger.js';
import { plantChangeRouter } from './plant-changes.js';
import type { PlantChange } from './plant-context.js';
import type { Rule } from './rule.js';

/** A router whose reloads finish when the test says, recording what reached the targets in order. */
function routed() {
  const seen: string[] = [];
  const reloads: (() => void)[] = [];
  let reloadAsked: (() => void) | undefined;
  const router = plantChangeRouter(
    {
      ruleSaved: (rule) => seen.push(`saved ${rule.id}:${rule.name}`),
      ruleDeleted: (id) => seen.push(`deleted ${id}`),
      reloadTopology: () =>
        new Promise<void>((resolve) => {
          seen.push('reload');
          reloads.push(resolve);
          reloadAsked?.();
        }),
    },
    memoryLogger(),
  );
  /** Waits for the reload asked for, lets it finish, and waits for what waited on it. */
  const finishReload = async () => {
    if (reloads.length === 0) await new Promise<void>((resolve) => (reloadAsked = resolve));
    reloads.shift()!();
    await router.settled();
  };
  return { router, seen, finishReload };
}

const saved = (id: number, name = 'r'): PlantChange => ({ kind: 'rule_saved', rule: { id, name } as Rule });
const deleted = (ruleId: number): PlantChange => ({ kind: 'rule_deleted', ruleId });
const topology: PlantChange = { kind: 'topology' };

describe('plant change router', () => {
  it('hands rule changes to the engine at once, and deleted rules before the reload', async () => {
    const { router, seen, finishReload } = routed();
    router.changed([saved(1)]);
    expect(seen).toEqual(['saved 1:r']);
    router.changed([deleted(1), topology]);
    expect(seen).toEqual(['saved 1:r', 'deleted 1']);
    await finishReload();
    expect(seen).toEqual(['saved 1:r', 'deleted 1', 'reload']);
  });

  it('saves rules told with a topology change after the reload that brings their datapoints', async () => {
    const { router, seen, finishReload } = routed();
    router.changed([topology, deleted(9), saved(1), saved(2)]);
    expect(seen).toEqual(['deleted 9']);
    await finishReload();
    expect(seen).toEqual(['deleted 9', 'reload', 'saved 1:r', 'saved 2:r']);
  });

  it('keeps each rule in order: changes told while saves wait for a reload wait behind them', async () => {
    const { router, seen, finishReload } = routed();
    router.changed([topology, saved(1, 'imported')]);
    router.changed([saved(1, 'edited')]);
    router.changed([deleted(1)]);
    expect(seen).toEqual([]);
    await finishReload();
    expect(seen).toEqual(['reload', 'saved 1:imported', 'saved 1:edited', 'deleted 1']);
    router.changed([saved(2)]);
    expect(seen.at(-1)).toBe('saved 2:r');
  });

  it('holds a rule saved while a reload runs until it is done (its datapoint may be what is reloading)', async () => {
    const { router, seen, finishReload } = routed();
    router.changed([topology]);
    router.changed([saved(1)]);
    expect(seen).toEqual([]);
    await finishReload();
    expect(seen).toEqual(['reload', 'saved 1:r']);
  });

  it('a rule saved and deleted in one batch stays deleted', async () => {
    const { router, seen, finishReload } = routed();
    router.changed([saved(1), deleted(1), topology]);
    await finishReload();
    expect(seen).toEqual(['reload', 'saved 1:r', 'deleted 1']);
  });
});
