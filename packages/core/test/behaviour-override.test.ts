import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  UnknownBehaviourError,
  behaviourOverride,
  commandAction,
  parseBehaviour,
  type Attachment,
  type BehaviourAction,
  type BehaviourOverrideOptions,
  type ApplyingCommand,
} from '../src/behaviour/index.js';
import {
  compareHlc,
  compareVectors,
  conflictCopyPath,
  plan,
  sameContent,
  type FileRecord,
  type PathAction,
} from '../src/index.js';
import { C, L, R, live, tomb } from './behaviour-fixtures.js';

const NOW = 1_800_000_000_000;

function overrideWith(rules: string, extra: Partial<BehaviourOverrideOptions> = {}) {
  const behaviour = parseBehaviour(`under_test=${rules}`);
  return behaviourOverride({
    attachments: [{ behaviour: 'under_test', folder: 'f' }],
    definitions: new Map([[behaviour.name, behaviour]]),
    peer: 'P',
    folder: 'f',
    localReplicaId: L,
    nowMs: () => NOW,
    skewToleranceMs: 2000,
    ...extra,
  });
}

function builtin(name: string) {
  return behaviourOverride({
    attachments: [{ behaviour: name }],
    definitions: new Map(),
    peer: 'P',
    folder: 'f',
    localReplicaId: L,
    nowMs: () => NOW,
  });
}

/** What the local path holds after the action (undefined: nothing, or a tombstone). */
function finalRecord(action: BehaviourAction | PathAction | undefined, local: FileRecord | undefined, remote: FileRecord) {
  const a = action ?? plan(local, remote);
  if (a.type === 'defer') return local;
  return a.type === 'none' ? local : a.record;
}

function assertDominatesBoth(record: FileRecord, local: FileRecord | undefined, remote: FileRecord): void {
  assert.equal(compareVectors(record.version, remote.version), 'after', 'minted version must dominate the remote');
  if (local) assert.equal(compareVectors(record.version, local.version), 'after', 'minted version must dominate the local');
  assert.equal(record.by, L);
  assert.equal(record.seq, 0);
  assert.ok(compareHlc(record.hlc, remote.hlc) > 0 && (!local || compareHlc(record.hlc, local.hlc) > 0));
}

// Shared history: C created the file, both replicas have {C:1}; then each side changed it.
const mine = (options = {}) => live({ [C]: 1, [L]: 1 }, { content: 'mine', mtimeMs: 5_000, ...options });
const theirs = (options = {}) => live({ [C]: 1, [R]: 1 }, { content: 'theirs', mtimeMs: 6_000, ...options });
const older = live({ [C]: 1 }, { content: 'original', mtimeMs: 1_000 });
const newerRemote = live({ [C]: 1, [R]: 1 }, { content: 'theirs', mtimeMs: 6_000 });

describe('behaviour override: commands → actions', () => {
  describe('import', () => {
    it('takes a dominating remote exactly as the default would', () => {
      const action = builtin('remote_is_master')(older, newerRemote);
      assert.equal(action?.type, 'take');
      assert.deepEqual(finalRecord(action, older, newerRemote), { ...newerRemote, seq: 0 });
      assert.equal(action?.reason, 'behaviour');
      assert.deepEqual(action?.decidedBy, {
        command: 'import',
        ruleIndex: 0,
        ruleText: 'import if different and remote_added/modified',
        behaviour: 'remote_is_master',
        attachment: { behaviour: 'remote_is_master' },
        scope: 'everywhere',
      });
    });

    it('on a concurrent edit the default keeps by HLC: the remote already wins → joined vector, no copy', () => {
      const local = mine({ hlc: { t: 5_000, c: 0 } });
      const remote = theirs({ hlc: { t: 9_000, c: 0 } });
      const action = builtin('remote_is_master')(local, remote);
      assert.equal(action?.type, 'take');
      const record = finalRecord(action, local, remote) as FileRecord;
      assert.ok(sameContent(record, remote));
      assert.deepEqual(record.version, { [C]: 1, [L]: 1, [R]: 1 });
    });

    it('on a concurrent edit the default would keep the local: mints a version of the remote content', () => {
      const local = mine({ hlc: { t: 9_000, c: 0 } });
      const remote = theirs({ hlc: { t: 5_000, c: 0 } });
      const action = builtin('remote_is_master')(local, remote);
      assert.equal(action?.type, 'take');
      const record = finalRecord(action, local, remote) as FileRecord;
      assert.ok(sameContent(record, remote));
      assert.deepEqual(record.version, { [C]: 1, [L]: 2, [R]: 1 });
      assertDominatesBoth(record, local, remote);
      assert.deepEqual(record.hlc, { t: NOW, c: 0 });
    });

    it('reverts a local change the remote has not seen (mirror), with a version above both', () => {
      const local = live({ [C]: 1, [L]: 1 }, { content: 'local edit' });
      const action = builtin('mirror')(local, older);
      assert.equal(action?.type, 'take');
      const record = finalRecord(action, local, older) as FileRecord;
      assert.ok(sameContent(record, older));
      assertDominatesBoth(record, local, older);
      assert.equal(action?.decidedBy.ruleIndex, 2);
    });
  });

  describe('export', () => {
    it('keeps the local content against a concurrent remote edit by minting a version', () => {
      const local = mine({ hlc: { t: 5_000, c: 0 } });
      const remote = theirs({ hlc: { t: 9_000, c: 0 } });
      const action = builtin('local_is_master')(local, remote);
      assert.equal(action?.type, 'join');
      const record = finalRecord(action, local, remote) as FileRecord;
      assert.ok(sameContent(record, local));
      assertDominatesBoth(record, local, remote);
    });

    it('wins against a dominating remote (user rule), and does nothing when the local already dominates', () => {
      const override = overrideWith('export if different');
      const action = override(older, newerRemote);
      assert.equal(action?.type, 'join');
      const record = finalRecord(action, older, newerRemote) as FileRecord;
      assert.ok(sameContent(record, older));
      assertDominatesBoth(record, older, newerRemote);
      const ahead = live({ [C]: 2 }, { content: 'ahead' });
      assert.equal(override(ahead, older)?.type, 'none');
    });

    it('with no local record, exports the absence: a minted tombstone', () => {
      const action = overrideWith('export')(undefined, newerRemote);
      assert.equal(action?.type, 'take');
      const record = finalRecord(action, undefined, newerRemote) as FileRecord;
      assert.equal(record.deleted, true);
      assertDominatesBoth(record, undefined, newerRemote);
    });
  });

  describe('delete', () => {
    it('deletes a remote live file by minting a tombstone that dominates both', () => {
      const override = overrideWith('delete if remote_added/modified');
      for (const local of [undefined, older, tomb({ [C]: 1, [L]: 1 })]) {
        const action = override(local, newerRemote);
        assert.equal(action?.type, local?.deleted ? 'join' : 'take');
        const record = finalRecord(action, local, newerRemote) as FileRecord;
        assert.equal(record.deleted, true);
        assert.equal(record.hash, '');
        assert.equal(record.size, 0);
        assert.deepEqual(record.chunks, []);
        assertDominatesBoth(record, local, newerRemote);
      }
    });

    it('follows a dominating remote deletion exactly as the default would', () => {
      const remote = tomb({ [C]: 1, [R]: 1 });
      const action = builtin('remote_is_master')(older, remote);
      assert.equal(action?.type, 'take');
      assert.deepEqual(finalRecord(action, older, remote), { ...remote, seq: 0 });
    });

    it('beats a concurrent edit (the default would keep the edit)', () => {
      const local = mine();
      const remote = tomb({ [C]: 1, [R]: 1 });
      assert.equal(plan(local, remote).type, 'join');
      const action = builtin('remote_is_master')(local, remote);
      assert.equal(action?.type, 'take');
      const record = finalRecord(action, local, remote) as FileRecord;
      assert.equal(record.deleted, true);
      assertDominatesBoth(record, local, remote);
    });
  });

  describe('rename_both', () => {
    it('on a concurrent edit gives the default conflict: newer keeps the name, a copy of the other', () => {
      const local = mine({ hlc: { t: 9_000, c: 0 } });
      const remote = theirs({ hlc: { t: 5_000, c: 0 } });
      const action = overrideWith('rename_both')(local, remote);
      const expected = plan(local, remote);
      assert.equal(action?.type, 'conflict');
      assert.equal(expected.type, 'conflict');
      if (action?.type !== 'conflict' || expected.type !== 'conflict') return;
      assert.equal(action.keep, 'local');
      assert.deepEqual(action.record, expected.record);
      assert.deepEqual(action.copy, expected.copy);
      assert.equal(action.copy.path, conflictCopyPath(remote.path, remote.hlc.t, remote.by));
      assert.ok(sameContent(action.copy, remote));
    });

    it('keeps both even where the default would overwrite an older local version', () => {
      const action = builtin('newest_wins')(older, live({ [C]: 1, [R]: 1 }, { content: 'theirs', mtimeMs: 1_500 }));
      assert.equal(action?.decidedBy.command, 'rename_both');
      assert.equal(action?.type, 'conflict');
      if (action?.type !== 'conflict') return;
      assert.equal(action.keep, 'remote');
      assert.deepEqual(action.record.version, { [C]: 1, [R]: 1 });
      assert.ok(sameContent(action.copy, older));
      assert.equal(action.copy.path, conflictCopyPath(older.path, older.hlc.t, older.by));
    });

    it('keeps a directory at the name over a file, like the default', () => {
      const local = live({ [C]: 1, [L]: 1 }, { kind: 'dir', hlc: { t: 1, c: 0 } });
      const remote = theirs({ hlc: { t: 9_000, c: 0 } });
      const action = overrideWith('rename_both')(local, remote);
      assert.equal(action?.type, 'conflict');
      if (action?.type !== 'conflict') return;
      assert.equal(action.keep, 'local');
      assert.equal(action.record.kind, 'dir');
      assert.ok(sameContent(action.copy, remote));
    });

    it('keeps the live side against a deletion, resurrecting it with a minted version when needed', () => {
      const remote = tomb({ [C]: 1, [R]: 1 });
      const action = overrideWith('rename_both')(older, remote);
      assert.equal(action?.type, 'join');
      const record = finalRecord(action, older, remote) as FileRecord;
      assert.ok(sameContent(record, older));
      assertDominatesBoth(record, older, remote);
    });
  });

  describe('ask, ignore, ignore_once', () => {
    for (const command of ['ask', 'ignore', 'ignore_once'] as const) {
      it(`${command} defers the path with the remote record and the decision`, () => {
        const local = mine();
        const remote = theirs();
        const action = overrideWith(`${command} if different`)(local, remote);
        assert.equal(action?.type, 'defer');
        if (action?.type !== 'defer') return;
        assert.equal(action.command, command);
        assert.equal(action.path, remote.path);
        assert.equal(action.remote, remote);
        assert.equal(action.local, local);
        assert.deepEqual([action.situation.local, action.situation.remote], ['modified', 'modified']);
        assert.equal(action.decidedBy.behaviour, 'under_test');
        assert.equal(action.decidedBy.scope, 'folder');
      });
    }
  });

  it('decides nothing for equal vectors, unmatched rules, or paths no attachment reaches', () => {
    const record = live({ [C]: 1 });
    assert.equal(overrideWith('ask')(record, { ...record }), undefined);
    assert.equal(overrideWith('ask if same')(mine(), theirs()), undefined);
    assert.equal(overrideWith('ask', { folder: 'other' })(mine(), theirs()), undefined);
  });

  it('keep_both on a directory restores the default below a folder-wide remote_is_master', () => {
    const override = behaviourOverride({
      attachments: [{ behaviour: 'remote_is_master', folder: 'f' }, { behaviour: 'keep_both', path: 'docs' }],
      definitions: new Map(),
      peer: 'P',
      folder: 'f',
      localReplicaId: L,
      nowMs: () => NOW,
    });
    const local = mine({ hlc: { t: 9_000, c: 0 } });
    const remote = theirs();
    const inDocs = override(local, remote);
    assert.equal(inDocs?.decidedBy.behaviour, 'keep_both');
    assert.equal(inDocs?.type, 'conflict');
    const elsewhere = override({ ...local, path: 'x.txt' }, { ...remote, path: 'x.txt' });
    assert.equal(elsewhere?.decidedBy.behaviour, 'remote_is_master');
    assert.equal(elsewhere?.type, 'take');
  });

  it('refuses at construction an attachment naming an unknown behaviour', () => {
    const attachments: Attachment[] = [{ behaviour: 'nope', path: 'a' }];
    assert.throws(
      () => behaviourOverride({ attachments, definitions: new Map(), peer: 'P', folder: 'f', localReplicaId: L, nowMs: () => NOW }),
      UnknownBehaviourError,
    );
  });

  describe("seed 002's remote_is_master, applied", () => {
    // Every cell one pair of records can produce: afterwards the local path holds the
    // remote's content (import) or nothing (delete).
    const cells: [string, FileRecord | undefined, FileRecord, 'import' | 'delete'][] = [
      ['added × added', live({ [L]: 1 }, { content: 'mine' }), live({ [R]: 1 }, { content: 'theirs' }), 'import'],
      ['added × deleted', live({ [L]: 1 }, { content: 'mine' }), tomb({ [R]: 2 }), 'delete'],
      ['deleted × added', tomb({ [L]: 2 }), live({ [R]: 1 }), 'import'],
      ['deleted × deleted', tomb({ [C]: 1, [L]: 1 }), tomb({ [C]: 1, [R]: 1 }), 'delete'],
      ['deleted × modified', tomb({ [C]: 1, [L]: 1 }), theirs(), 'import'],
      ['modified × deleted', mine(), tomb({ [C]: 1, [R]: 1 }), 'delete'],
      ['modified × modified (local newer)', mine({ hlc: { t: 9_000, c: 0 } }), theirs(), 'import'],
      ['modified × modified (remote newer)', mine(), theirs({ hlc: { t: 9_000, c: 0 } }), 'import'],
    ];
    for (const [name, local, remote, expected] of cells) {
      it(`local ${name} → ${expected}`, () => {
        const record = finalRecord(builtin('remote_is_master')(local, remote), local, remote) as FileRecord;
        if (expected === 'import') assert.ok(sameContent(record, remote), 'the local path holds the remote content');
        else assert.equal(record.deleted, true);
        if (local) assert.notEqual(compareVectors(record.version, remote.version), 'before', 'the result supersedes the remote');
      });
    }
  });
});

describe('behaviour override properties (fast-check)', () => {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
  const vector = fc.dictionary(fc.constantFrom(L, R, C), fc.integer({ min: 0, max: 3 }), { noNullPrototype: true });
  const record = fc
    .tuple(vector, fc.constantFrom('live', 'live', 'dead', 'dir'), fc.constantFrom('a', 'b'), fc.nat(20_000), fc.nat(3))
    .map(([v, state, content, t, c]) => {
      const options = { content, mtimeMs: t, hlc: { t, c }, kind: state === 'dir' ? ('dir' as const) : ('file' as const) };
      return state === 'dead' ? tomb(v, options) : live(v, options);
    });
  const pair = fc.tuple(fc.option(record, { nil: undefined }), record);

  it('keep_both is the default plan: it decides every differing pair, with the same action as plan()', () => {
    console.log(`      fast-check seed ${seed} (replay with FC_SEED=${seed})`);
    const keepBoth = builtin('keep_both');
    fc.assert(
      fc.property(pair, ([local, remote]) => {
        const action = keepBoth(local, remote);
        if (local && compareVectors(local.version, remote.version) === 'equal') {
          assert.equal(action, undefined);
          return;
        }
        assert.ok(action, 'keep_both must decide, so that it overrides more general behaviours');
        assert.notEqual(action.type, 'defer');
        const { reason: _r, decidedBy: _d, ...shape } = action as Exclude<BehaviourAction, { type: 'defer' }>;
        const { reason: _dr, ...expected } = plan(local, remote);
        assert.deepEqual(shape, expected);
      }),
      { seed, numRuns: 2000 },
    );
  });

  it('never leaves one vector with two contents: a result either is the default record or dominates both', () => {
    const commands: ApplyingCommand[] = ['import', 'export', 'delete', 'rename_both'];
    fc.assert(
      fc.property(pair, fc.constantFrom(...commands), ([local, remote], command) => {
        if (local && compareVectors(local.version, remote.version) === 'equal') return;
        const shape = commandAction(command, local, remote, { localReplicaId: L, nowMs: () => NOW });
        const after = shape.type === 'none' ? local : shape.record;
        const byDefault = finalRecord(plan(local, remote), local, remote);
        assert.ok(after);
        if (byDefault && compareVectors(after.version, byDefault.version) === 'equal') {
          assert.ok(sameContent(after, byDefault), 'same vector as the default ⇒ same content');
        } else {
          assertDominatesBoth(after, local, remote);
        }
        if (command === 'import') assert.ok(sameContent(after, remote));
        if (command === 'delete') assert.equal(after.deleted, true);
        if (command === 'export') assert.ok(local && !local.deleted ? sameContent(after, local) : after.deleted);
        if (shape.type === 'conflict') assert.ok(!shape.copy.deleted && !sameContent(shape.copy, shape.record));
      }),
      { seed, numRuns: 2000 },
    );
  });
});
