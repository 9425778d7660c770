import assert from 'node:assert/strict';
import { compareVectors, conflictCopyPath, plan, type FileRecord, type PathAction, type VersionVector } from '../src/index.js';

const H = (c: string) => c.repeat(64).slice(0, 64);

function rec(partial: Partial<FileRecord> & { version: VersionVector; by: string; t: number }): FileRecord {
  const { t, ...rest } = partial;
  const kind = rest.kind ?? 'file';
  const deleted = rest.deleted ?? false;
  const hash = deleted || kind === 'dir' ? '' : (rest.hash ?? H('a'));
  const size = deleted || kind !== 'file' ? 0 : (rest.size ?? 3);
  return {
    path: 'doc.txt',
    kind,
    deleted,
    size,
    mtimeMs: t,
    mode: 0o644,
    hash,
    chunks: deleted || kind !== 'file' ? [] : [{ hash, size }],
    target: '',
    seq: 7,
    hlc: { t, c: 0 },
    ...rest,
    ...(rest.hash === undefined && kind === 'file' && !deleted ? { hash } : {}),
  };
}

// Named fixtures, Mutagen style: the replica that wrote them, and their vectors.
const fileA1 = rec({ version: { A: 1 }, by: 'A', t: 1000, hash: H('1') });
const fileA2 = rec({ version: { A: 2 }, by: 'A', t: 2000, hash: H('2') });
const fileA1B1 = rec({ version: { A: 1, B: 1 }, by: 'B', t: 3000, hash: H('3') });
const fileA2older = rec({ version: { A: 2 }, by: 'A', t: 500, hash: H('2') });
const fileA1B1same = rec({ version: { A: 1, B: 1 }, by: 'B', t: 3000, hash: H('2') });
const goneA2 = rec({ version: { A: 2 }, by: 'A', t: 2000, deleted: true });
const goneA1B1 = rec({ version: { A: 1, B: 1 }, by: 'B', t: 3000, deleted: true });
const dirA1B1 = rec({ version: { A: 1, B: 1 }, by: 'B', t: 3000, kind: 'dir' });
const linkA1B1 = rec({ version: { A: 1, B: 1 }, by: 'B', t: 3000, kind: 'symlink', target: 'x', hash: H('9'), size: 1 });

type Case = [name: string, local: FileRecord | undefined, remote: FileRecord, expect: Partial<Record<keyof PathAction | 'keep' | 'version' | 'copyPath' | 'hash', unknown>>];

const cases: Case[] = [
  ['absent locally → take', undefined, fileA1, { type: 'take', reason: 'new-remote', hash: H('1') }],
  ['equal vectors → none', fileA1, fileA1, { type: 'none', reason: 'in-sync' }],
  ['local dominates → none', fileA2, fileA1, { type: 'none', reason: 'local-newer' }],
  ['remote dominates → take', fileA1, fileA2, { type: 'take', reason: 'remote-newer', hash: H('2') }],
  ['remote tombstone dominates → take the deletion', fileA1, goneA2, { type: 'take', reason: 'remote-newer' }],
  ['concurrent edits, remote newer → remote keeps the name, local becomes the copy', fileA2, fileA1B1, { type: 'conflict', keep: 'remote', reason: 'concurrent-edit', version: { A: 2, B: 1 }, copyPath: conflictCopyPath('doc.txt', 2000, 'A') }],
  ['concurrent edits, local newer → local keeps the name, remote becomes the copy', fileA1B1, fileA2, { type: 'conflict', keep: 'local', reason: 'concurrent-edit', version: { A: 2, B: 1 }, copyPath: conflictCopyPath('doc.txt', 2000, 'A') }],
  ['concurrent, same content → no conflict, vectors joined', fileA2older, fileA1B1same, { type: 'take', reason: 'same-content', version: { A: 2, B: 1 } }],
  ['concurrent, same content, local newer → join locally', fileA1B1same, fileA2older, { type: 'join', reason: 'same-content', version: { A: 2, B: 1 } }],
  ['local edit vs remote delete → the edit stays', fileA2, goneA1B1, { type: 'join', reason: 'edit-beats-delete', version: { A: 2, B: 1 } }],
  ['local delete vs remote edit → the edit comes back', goneA2, fileA1B1, { type: 'take', reason: 'edit-beats-delete', version: { A: 2, B: 1 }, hash: H('3') }],
  ['both deleted concurrently → joined, no conflict', goneA2, goneA1B1, { type: 'take', reason: 'same-content', version: { A: 2, B: 1 } }],
  ['local file vs remote dir → the dir keeps the name', fileA2, dirA1B1, { type: 'conflict', keep: 'remote', reason: 'dir-beats-file', copyPath: conflictCopyPath('doc.txt', 2000, 'A') }],
  ['local dir vs remote file → the dir keeps the name', dirA1B1, fileA2, { type: 'conflict', keep: 'local', reason: 'dir-beats-file' }],
  ['file vs symlink → newer wins, the other is a copy', fileA2, linkA1B1, { type: 'conflict', keep: 'remote', reason: 'concurrent-edit' }],
];

describe('plan (table of named fixtures)', () => {
  for (const [name, local, remote, expect] of cases) {
    it(name, () => {
      const a = plan(local, remote);
      assert.equal(a.type, expect.type);
      if (expect.reason) assert.equal(a.reason, expect.reason);
      if (expect.keep) assert.equal(a.type === 'conflict' && a.keep, expect.keep);
      if (expect.version) assert.deepEqual(a.type !== 'none' && a.record.version, expect.version);
      if (expect.copyPath) assert.equal(a.type === 'conflict' && a.copy.path, expect.copyPath);
      if (expect.hash) assert.equal(a.type !== 'none' && a.record.hash, expect.hash);
      if (a.type !== 'none') assert.equal(a.record.seq, 0, 'planned records get a new sequence number');
    });
  }

  it('both sides reach the same result for every concurrent pair (symmetry)', () => {
    const all = [fileA2, fileA1B1, fileA2older, fileA1B1same, goneA2, goneA1B1, dirA1B1, linkA1B1];
    for (const x of all) {
      for (const y of all) {
        if (compareVectors(x.version, y.version) !== 'concurrent') continue;
        const ax = plan(x, y);
        const ay = plan(y, x);
        const result = (a: PathAction, local: FileRecord) => (a.type === 'none' ? local : a.record);
        const rx = result(ax, x);
        const ry = result(ay, y);
        assert.deepEqual({ ...rx, seq: 0 }, { ...ry, seq: 0 }, `${x.by}/${x.hash} vs ${y.by}/${y.hash}`);
        if (ax.type === 'conflict' || ay.type === 'conflict') {
          assert.ok(ax.type === 'conflict' && ay.type === 'conflict');
          assert.deepEqual({ ...ax.copy }, { ...ay.copy });
        }
      }
    }
  });

  it('an override decides first; undefined defers to the default', () => {
    const forced: PathAction = { type: 'none', path: 'doc.txt', reason: 'in-sync' };
    assert.equal(plan(fileA1, fileA2, { override: () => forced }), forced);
    assert.equal(plan(fileA1, fileA2, { override: () => undefined }).type, 'take');
  });
});

describe('conflict copy names', () => {
  it('follow name.sync-conflict-YYYYMMDD-HHMMSS-<replica>.ext beside the file', () => {
    const t = Date.UTC(2026, 10, 21, 8, 5, 9);
    assert.equal(conflictCopyPath('a/b/report.final.pdf', t, 'abc'), 'a/b/report.final.sync-conflict-20261121-080509-abc.pdf');
    assert.equal(conflictCopyPath('Makefile', t, 'abc'), 'Makefile.sync-conflict-20261121-080509-abc');
    assert.equal(conflictCopyPath('.bashrc', t, 'abc'), '.bashrc.sync-conflict-20261121-080509-abc');
  });
});
