import assert from 'node:assert/strict';
import {
  BUILTIN_BEHAVIOURS,
  BUILTIN_BEHAVIOUR_TEXTS,
  evaluate,
  isBuiltinBehaviour,
  type Behaviour,
  type Command,
  type Situation,
} from '../src/behaviour/index.js';

const base: Situation = { local: 'unchanged', remote: 'modified', remoteSize: 'same', remoteFresher: 'maybe', content: 'different' };
const s = (change: Partial<Situation>): Situation => ({ ...base, ...change });
const get = (name: string): Behaviour => BUILTIN_BEHAVIOURS.get(name) as Behaviour;

type Case = [Partial<Situation>, Command | undefined];

const expectations: Record<keyof typeof BUILTIN_BEHAVIOUR_TEXTS, Case[]> = {
  remote_is_master: [
    [{ remote: 'added' }, 'import'],
    [{ remote: 'modified', local: 'modified' }, 'import'],
    [{ remote: 'deleted', local: 'modified' }, 'delete'],
    [{ remote: 'unchanged', local: 'modified' }, undefined],
    [{ remote: 'modified', content: 'same' }, undefined],
  ],
  local_is_master: [
    [{ local: 'added', remote: 'unchanged' }, 'export'],
    [{ local: 'modified', remote: 'modified' }, 'export'],
    [{ local: 'deleted', remote: 'modified' }, 'delete'],
    [{ local: 'unchanged', remote: 'modified' }, undefined],
    [{ local: 'modified', content: 'same' }, undefined],
  ],
  newest_wins: [
    [{ remoteFresher: 'yes' }, 'import'],
    [{ remoteFresher: 'no', local: 'modified' }, 'export'],
    [{ remoteFresher: 'maybe', local: 'modified' }, 'rename_both'],
    [{ remoteFresher: 'yes', content: 'same' }, undefined],
  ],
  keep_both: [
    [{ local: 'modified', remote: 'modified' }, 'rename_both'],
    [{ local: 'added', remote: 'added' }, 'rename_both'],
    [{ local: 'unchanged', remote: 'deleted' }, 'import'],
    [{ local: 'deleted', remote: 'modified' }, 'import'],
    [{ local: 'modified', remote: 'deleted' }, 'export'],
    [{ local: 'deleted', remote: 'unchanged' }, 'export'],
    [{ local: 'modified', remote: 'modified', content: 'same' }, 'import'],
  ],
  mirror: [
    [{ remote: 'added' }, 'import'],
    [{ remote: 'deleted', local: 'modified' }, 'delete'],
    [{ remote: 'unchanged', local: 'modified' }, 'import'],
    [{ remote: 'unchanged', local: 'added' }, 'import'],
    [{ remote: 'unchanged', local: 'deleted' }, 'import'],
    [{ remote: 'modified', content: 'same' }, undefined],
  ],
};

describe('built-in behaviours', () => {
  it('are all defined, parsed and named after their key', () => {
    assert.deepEqual([...BUILTIN_BEHAVIOURS.keys()].sort(), ['keep_both', 'local_is_master', 'mirror', 'newest_wins', 'remote_is_master']);
    for (const [name, behaviour] of BUILTIN_BEHAVIOURS) assert.equal(behaviour.name, name);
    assert.ok(isBuiltinBehaviour('mirror'));
    assert.ok(!isBuiltinBehaviour('toString'));
  });

  for (const [name, cases] of Object.entries(expectations)) {
    it(`${name} decides representative situations`, () => {
      for (const [change, expected] of cases) {
        assert.equal(evaluate(get(name), s(change))?.command, expected, `${name} on ${JSON.stringify(change)}`);
      }
    });
  }

  it('local_is_master is remote_is_master with the sides swapped', () => {
    const sides = ['added', 'deleted', 'modified', 'unchanged'] as const;
    const swap = { import: 'export', delete: 'delete' } as const;
    for (const local of sides) {
      for (const remote of sides) {
        for (const content of ['different', 'same'] as const) {
          const there = evaluate(get('remote_is_master'), s({ local: remote, remote: local, content }))?.command;
          const here = evaluate(get('local_is_master'), s({ local, remote, content }))?.command;
          assert.equal(here, there === undefined ? undefined : swap[there as 'import' | 'delete'], `${local}/${remote}/${content}`);
        }
      }
    }
  });
});
