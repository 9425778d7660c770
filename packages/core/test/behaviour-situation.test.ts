import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BUILTIN_BEHAVIOURS,
  describeSituation,
  evaluate,
  parseBehaviour,
  type Behaviour,
  type Situation,
} from '../src/behaviour/index.js';
import { plan, type FileRecord, type VersionVector } from '../src/index.js';
import { C, L, R, live, tomb } from './behaviour-fixtures.js';

const TOLERANCE = 2000;
const situation = (local: FileRecord | undefined, remote: FileRecord): Situation =>
  describeSituation(local, remote, TOLERANCE);
const base: Situation = { local: 'unchanged', remote: 'modified', remoteSize: 'same', remoteFresher: 'maybe', content: 'different' };

describe('describeSituation', () => {
  describe('local and remote changes', () => {
    it('calls a side unchanged when it is absent or the other side has seen all of it', () => {
      const remoteNew = live({ [L]: 1, [R]: 1 }, { content: 'b' });
      assert.equal(situation(undefined, remoteNew).local, 'unchanged');
      assert.equal(situation(live({ [L]: 1 }), remoteNew).local, 'unchanged');
      const same = live({ [L]: 1, [R]: 1 }, { content: 'b' });
      assert.deepEqual([situation(same, remoteNew).local, situation(same, remoteNew).remote], ['unchanged', 'unchanged']);
      assert.equal(situation(remoteNew, live({ [L]: 1 })).remote, 'unchanged');
    });

    it('one-sided: added when the other side (its ancestor) has no live entry, else modified', () => {
      assert.equal(situation(undefined, live({ [R]: 1 })).remote, 'added');
      assert.equal(situation(tomb({ [L]: 2 }), live({ [L]: 2, [R]: 1 })).remote, 'added');
      assert.equal(situation(live({ [L]: 1 }), live({ [L]: 1, [R]: 1 }, { content: 'b' })).remote, 'modified');
      assert.equal(situation(live({ [L]: 1 }), tomb({ [L]: 1, [R]: 1 })).remote, 'deleted');
      assert.equal(situation(undefined, tomb({ [R]: 2 })).remote, 'deleted');
      // the same rules apply to the local side
      assert.equal(situation(live({ [L]: 2 }, { content: 'b' }), live({ [L]: 1 })).local, 'modified');
      assert.equal(situation(live({ [L]: 3 }), tomb({ [L]: 2 })).local, 'added');
      assert.equal(situation(tomb({ [L]: 2 }), live({ [L]: 1 })).local, 'deleted');
    });

    it('both changed: added when the vectors share no history, modified when they do', () => {
      const s1 = situation(live({ [L]: 1 }, { content: 'a' }), live({ [R]: 1 }, { content: 'b' }));
      assert.deepEqual([s1.local, s1.remote], ['added', 'added']);
      const s2 = situation(live({ [C]: 1, [L]: 1 }, { content: 'a' }), live({ [C]: 1, [R]: 1 }, { content: 'b' }));
      assert.deepEqual([s2.local, s2.remote], ['modified', 'modified']);
      const s3 = situation(live({ [C]: 1, [L]: 1 }), tomb({ [C]: 1, [R]: 1 }));
      assert.deepEqual([s3.local, s3.remote], ['modified', 'deleted']);
      const s4 = situation(tomb({ [L]: 2 }), live({ [R]: 1 }));
      assert.deepEqual([s4.local, s4.remote], ['deleted', 'added']);
    });

    it('never yields added on one side with modified on the other (fast-check)', () => {
      const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
      console.log(`      fast-check seed ${seed} (replay with FC_SEED=${seed})`);
      const vector = fc.dictionary(fc.constantFrom(L, R, C), fc.integer({ min: 0, max: 3 }), { noNullPrototype: true });
      const record = fc.tuple(vector, fc.boolean(), fc.constantFrom('a', 'b')).map(([v, deleted, content]) =>
        deleted ? tomb(v) : live(v, { content }),
      );
      fc.assert(
        fc.property(fc.option(record, { nil: undefined }), record, (local, remote) => {
          const s = situation(local, remote);
          const pair = `${s.local}/${s.remote}`;
          assert.ok(pair !== 'added/modified' && pair !== 'modified/added', pair);
        }),
        { seed, numRuns: 500 },
      );
    });
  });

  it('remote_size compares live sizes, counting absent and deleted as 0', () => {
    const v = { [L]: 1 };
    const w = { [L]: 1, [R]: 1 };
    assert.equal(situation(live(v, { size: 10 }), live(w, { size: 11 })).remoteSize, 'bigger');
    assert.equal(situation(live(v, { size: 10 }), live(w, { size: 9 })).remoteSize, 'smaller');
    assert.equal(situation(live(v, { size: 10, content: 'x' }), live(w, { size: 10, content: 'y' })).remoteSize, 'same');
    assert.equal(situation(undefined, live(w, { size: 1 })).remoteSize, 'bigger');
    assert.equal(situation(tomb(v), live(w, { size: 1 })).remoteSize, 'bigger');
    assert.equal(situation(live(v, { size: 5 }), tomb(w)).remoteSize, 'smaller');
  });

  it('remote_fresher compares times against the tolerance; a tombstone counts from its HLC', () => {
    const at = (mtimeMs: number, version: VersionVector = { [R]: 1 }) => live(version, { mtimeMs });
    const local = at(10_000, { [L]: 1 });
    assert.equal(situation(local, at(12_001)).remoteFresher, 'yes');
    assert.equal(situation(local, at(12_000)).remoteFresher, 'maybe');
    assert.equal(situation(local, at(8_000)).remoteFresher, 'maybe');
    assert.equal(situation(local, at(7_999)).remoteFresher, 'no');
    assert.equal(situation(undefined, at(0)).remoteFresher, 'yes');
    const deletedLate = tomb({ [R]: 1 }, { mtimeMs: 0, hlc: { t: 50_000, c: 0 } });
    assert.equal(situation(local, deletedLate).remoteFresher, 'yes');
    assert.equal(describeSituation(local, at(10_500), 0).remoteFresher, 'yes');
  });

  it('content is same only for the same content; an absent local equals a remote tombstone', () => {
    const v = { [L]: 1 };
    const w = { [R]: 1 };
    assert.equal(situation(live(v, { content: 'a' }), live(w, { content: 'a' })).content, 'same');
    assert.equal(situation(live(v, { content: 'a' }), live(w, { content: 'b' })).content, 'different');
    assert.equal(situation(tomb(v), tomb(w)).content, 'same');
    assert.equal(situation(undefined, tomb(w)).content, 'same');
    assert.equal(situation(undefined, live(w)).content, 'different');
    assert.equal(situation(live(v, { kind: 'dir' }), live(w, { content: 'a' })).content, 'different');
  });
});

describe('evaluate', () => {
  const behaviour = (text: string): Behaviour => parseBehaviour(`b=${text}`);

  it('checks every dimension, with a/b meaning either value', () => {
    const cases: [string, Partial<Situation>, boolean][] = [
      ['local_unchanged', {}, true],
      ['local_added/deleted', { local: 'deleted' }, true],
      ['local_added/deleted', { local: 'modified' }, false],
      ['remote_modified', {}, true],
      ['remote_added/deleted/unchanged', {}, false],
      ['remote_size_bigger/smaller', { remoteSize: 'smaller' }, true],
      ['remote_size_bigger/smaller', {}, false],
      ['remote_fresher_yes', { remoteFresher: 'yes' }, true],
      ['remote_fresher_yes/no', {}, false],
      ['remote_fresher_maybe', {}, true],
      ['different', {}, true],
      ['same', {}, false],
      ['same', { content: 'same' }, true],
    ];
    for (const [condition, change, holds] of cases) {
      const verdict = evaluate(behaviour(`ask if ${condition}`), { ...base, ...change });
      assert.equal(verdict !== undefined, holds, `${condition} with ${JSON.stringify(change)}`);
    }
  });

  it('needs all conditions of a rule; the first rule that holds decides', () => {
    const b = behaviour('import if different and remote_added; export if different and local_unchanged; ask');
    assert.deepEqual(evaluate(b, base), { command: 'export', ruleIndex: 1, ruleText: 'export if different and local_unchanged' });
    assert.deepEqual(evaluate(b, { ...base, remote: 'added' }), {
      command: 'import',
      ruleIndex: 0,
      ruleText: 'import if different and remote_added',
    });
    assert.deepEqual(evaluate(b, { ...base, local: 'modified' }), { command: 'ask', ruleIndex: 2, ruleText: 'ask' });
  });

  it('returns undefined when no rule holds', () => {
    assert.equal(evaluate(behaviour('import if same; delete if remote_deleted'), base), undefined);
  });

  it('yields every command', () => {
    for (const command of ['import', 'export', 'delete', 'ignore', 'ignore_once', 'rename_both', 'ask'] as const) {
      assert.equal(evaluate(behaviour(`${command} if remote_modified`), base)?.command, command);
    }
  });
});

describe("seed 002's remote_is_master table", () => {
  const remoteIsMaster = BUILTIN_BEHAVIOURS.get('remote_is_master') as Behaviour;
  // The seed's table: rows are the remote's change, columns the local one.
  const table = {
    added: { added: 'import', deleted: 'import', modified: 'import' },
    deleted: { added: 'delete', deleted: 'delete', modified: 'delete' },
    modified: { added: 'import', deleted: 'import', modified: 'import' },
  } as const;
  type Change = keyof typeof table;

  // Real record pairs for every cell one pair of records can produce. Shared history: C created
  // the file ({C:1}), both replicas got it, then each changed it.
  const pairs: Partial<Record<`${Change}/${Change}`, [FileRecord, FileRecord]>> = {
    'added/added': [live({ [L]: 1 }, { content: 'mine' }), live({ [R]: 1 }, { content: 'theirs' })],
    'added/deleted': [live({ [L]: 1 }, { content: 'mine' }), tomb({ [R]: 2 })],
    'deleted/added': [tomb({ [L]: 2 }), live({ [R]: 1 }, { content: 'theirs' })],
    'deleted/deleted': [tomb({ [C]: 1, [L]: 1 }), tomb({ [C]: 1, [R]: 1 })],
    'deleted/modified': [tomb({ [C]: 1, [L]: 1 }), live({ [C]: 1, [R]: 1 }, { content: 'theirs' })],
    'modified/deleted': [live({ [C]: 1, [L]: 1 }, { content: 'mine' }), tomb({ [C]: 1, [R]: 1 })],
    'modified/modified': [live({ [C]: 1, [L]: 1 }, { content: 'mine' }), live({ [C]: 1, [R]: 1 }, { content: 'theirs' })],
  };

  for (const remote of Object.keys(table) as Change[]) {
    for (const local of Object.keys(table[remote]) as Change[]) {
      const expected = table[remote][local];
      const pair = pairs[`${local}/${remote}`];
      it(`local ${local} × remote ${remote} → ${expected}${pair ? '' : ' (situation only)'}`, () => {
        if (!pair) {
          // added against modified cannot come from one pair of records (see describeSituation).
          assert.equal(evaluate(remoteIsMaster, { ...base, local, remote })?.command, expected);
          return;
        }
        const [localRecord, remoteRecord] = pair;
        const s = situation(localRecord, remoteRecord);
        assert.deepEqual([s.local, s.remote], [local, remote]);
        if (local === 'deleted' && remote === 'deleted') {
          // Both deleted is the same content, so the rule's "different" does not hold and the default
          // plan joins the tombstones: the path stays deleted, which is what "delete" asks for.
          assert.equal(evaluate(remoteIsMaster, s), undefined);
          const action = plan(localRecord, remoteRecord);
          assert.ok(action.type === 'join' || action.type === 'take');
          assert.equal(action.record.deleted, true);
          return;
        }
        assert.equal(evaluate(remoteIsMaster, s)?.command, expected);
      });
    }
  }
});
