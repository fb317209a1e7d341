import { describe, expect, it } from 'vitest';
import { AppError } from '../kernel/errors.js';
import { createPasswordGate } from './password-gate.js';

/** Checks that finish when the test says so, recording the order they start in. */
function checks() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const check = (name: string) => () => {
    started.push(name);
    return new Promise<string>((resolve) => finish.set(name, () => resolve(name)));
  };
  return { started, check, finish: (name: string) => finish.get(name)!() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('password gate', () => {
  it('serves the address with the fewest waiting next, so a person gets ahead of a storm', async () => {
    const gate = createPasswordGate({ concurrent: 1, queued: 10, queuedPerAddress: 4 });
    const c = checks();
    const runs = [
      gate.run('storm-1', c.check('s1a')),
      gate.run('storm-1', c.check('s1b')),
      gate.run('storm-1', c.check('s1c')),
      gate.run('storm-2', c.check('s2a')),
      gate.run('storm-2', c.check('s2b')),
      gate.run('person', c.check('person')),
    ];
    for (const name of ['s1a', 'person', 's1b', 's1c', 's2a', 's2b']) {
      await settle();
      expect(c.started.at(-1)).toBe(name);
      c.finish(name);
    }
    await Promise.all(runs);
    expect(gate.running).toBe(0);
  });

  it('turns away the fifth waiting try of one address and any beyond the queue, at once', async () => {
    const gate = createPasswordGate({ concurrent: 1, queued: 5, queuedPerAddress: 4 });
    const c = checks();
    const held = [gate.run('a', c.check('running')), ...[1, 2, 3, 4].map((i) => gate.run('a', c.check(`a${i}`)))];
    await expect(gate.run('a', c.check('a5'))).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'rate_limited');
    const b = gate.run('b', c.check('b1'));
    await expect(gate.run('c', c.check('c1'))).rejects.toBeInstanceOf(AppError);
    expect(gate.queued).toBe(5);
    for (const name of ['running', 'b1', 'a1', 'a2', 'a3', 'a4']) {
      await settle();
      c.finish(name);
    }
    await Promise.all([...held, b]);
    expect(c.started).toEqual(['running', 'b1', 'a1', 'a2', 'a3', 'a4']);
  });
});
