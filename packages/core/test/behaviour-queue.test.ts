import assert from 'node:assert/strict';
import {
  SelectionError,
  askKind,
  behaviourOverride,
  createAskItem,
  globToRegExp,
  parseBehaviour,
  parseRanges,
  selectByGlob,
  selectByRanges,
  sortAskItems,
  type AskItem,
} from '../src/behaviour/index.js';
import { C, L, R, live } from './behaviour-fixtures.js';

function item(path: string, extra: Partial<AskItem> = {}): AskItem {
  return {
    path,
    kind: 'modified',
    entry: 'file',
    localSize: 10,
    remoteSize: 10,
    localMtimeMs: 1000,
    remoteMtimeMs: 1000,
    peer: 'P1',
    folder: 'f',
    reason: 'r',
    createdMs: 0,
    ...extra,
  };
}

describe('ask queue', () => {
  it('builds a queue item from a deferred ask action', () => {
    const behaviour = parseBehaviour('careful=ask if remote_size_bigger');
    const override = behaviourOverride({
      attachments: [{ behaviour: 'careful', path: 'docs' }],
      definitions: new Map([['careful', behaviour]]),
      peer: 'P1',
      folder: 'f',
      localReplicaId: L,
      nowMs: () => 0,
    });
    const local = live({ [C]: 1, [L]: 1 }, { size: 5, mtimeMs: 100 });
    const remote = live({ [C]: 1, [R]: 1 }, { size: 50, mtimeMs: 200 });
    const action = override(local, remote);
    assert.equal(action?.type, 'defer');
    if (action?.type !== 'defer') return;
    assert.deepEqual(createAskItem(action, 'P1', 'f', 42), {
      path: 'docs/report.txt',
      kind: 'conflict',
      entry: 'file',
      localSize: 5,
      remoteSize: 50,
      localMtimeMs: 100,
      remoteMtimeMs: 200,
      peer: 'P1',
      folder: 'f',
      reason: 'careful rule 1: ask if remote_size_bigger (directory attachment)',
      createdMs: 42,
    });
    const gone = override(undefined, { ...remote, size: 50 });
    assert.equal(gone?.type, 'defer');
    if (gone?.type === 'defer') {
      const queued = createAskItem(gone, 'P1', 'f', 1);
      assert.equal(queued.kind, 'added');
      assert.equal(queued.localSize, undefined);
    }
  });

  it('names the kind: both changed is a conflict, else the changed side', () => {
    const base = { remoteSize: 'same', remoteFresher: 'maybe', content: 'different' } as const;
    assert.equal(askKind({ ...base, local: 'modified', remote: 'deleted' }), 'conflict');
    assert.equal(askKind({ ...base, local: 'unchanged', remote: 'deleted' }), 'deleted');
    assert.equal(askKind({ ...base, local: 'added', remote: 'unchanged' }), 'added');
  });

  describe('sorting', () => {
    const items = [
      item('b.txt', { remoteSize: 300, remoteMtimeMs: 5, localMtimeMs: undefined, kind: 'deleted', peer: 'P2', createdMs: 3 }),
      item('a/z.txt', { remoteSize: 100, localSize: 900, remoteMtimeMs: 9, localMtimeMs: undefined, kind: 'conflict', peer: 'P1', createdMs: 1 }),
      item('a.txt', { remoteSize: 200, localSize: undefined, remoteMtimeMs: 7, localMtimeMs: undefined, kind: 'added', peer: 'P3', createdMs: 2 }),
      item('a', { remoteSize: 200, localSize: 0, remoteMtimeMs: 1, localMtimeMs: 1, kind: 'added', peer: 'P1', createdMs: 4 }),
    ];
    const paths = (list: AskItem[]) => list.map((i) => i.path);

    it('by path, directories before their contents', () => {
      assert.deepEqual(paths(sortAskItems(items, 'path')), ['a', 'a/z.txt', 'a.txt', 'b.txt']);
      assert.deepEqual(paths(sortAskItems(items, 'path', 'desc')), ['b.txt', 'a.txt', 'a/z.txt', 'a']);
    });

    it('by size (the larger side), with ties in path order either way', () => {
      assert.deepEqual(paths(sortAskItems(items, 'size')), ['a', 'a.txt', 'b.txt', 'a/z.txt']);
      assert.deepEqual(paths(sortAskItems(items, 'size', 'desc')), ['a/z.txt', 'b.txt', 'a', 'a.txt']);
    });

    it('by time, kind, peer and creation', () => {
      assert.deepEqual(paths(sortAskItems(items, 'time')), ['a', 'b.txt', 'a.txt', 'a/z.txt']);
      assert.deepEqual(paths(sortAskItems(items, 'kind')), ['a/z.txt', 'a', 'a.txt', 'b.txt']);
      assert.deepEqual(paths(sortAskItems(items, 'peer', 'desc')), ['a.txt', 'b.txt', 'a', 'a/z.txt']);
      assert.deepEqual(paths(sortAskItems(items, 'created', 'desc')), ['a', 'b.txt', 'a.txt', 'a/z.txt']);
    });

    it('leaves the input alone', () => {
      const before = paths(items);
      sortAskItems(items, 'size', 'desc');
      assert.deepEqual(paths(items), before);
    });
  });

  describe('range selection', () => {
    it('reads 1-based positions and ranges as shown to the user', () => {
      assert.deepEqual(parseRanges('3-17,20', 25), [...Array.from({ length: 15 }, (_, i) => i + 2), 19]);
      assert.deepEqual(parseRanges(' 5 , 2-3 ,3 ', 5), [1, 2, 4]);
      assert.deepEqual(parseRanges('4-', 6), [3, 4, 5]);
      assert.deepEqual(parseRanges('1-1', 1), [0]);
      const items = ['a', 'b', 'c', 'd'].map((p) => item(p));
      assert.deepEqual(selectByRanges(items, '2,4').map((i) => i.path), ['b', 'd']);
    });

    const bad: [string, number, RegExp][] = [
      ['', 5, /no positions given/],
      ['0', 5, /start at 1/],
      ['17-3', 20, /runs backwards/],
      ['26', 25, /past the end: 25 items/],
      ['3-30', 25, /past the end/],
      ['1,,2', 5, /empty part/],
      ['a', 5, /"a" is not a position/],
      ['3-x', 5, /"3-x" is not a position/],
      ['-3', 5, /not a position/],
      ['1', 0, /past the end: 0 items/],
    ];
    for (const [spec, count, message] of bad) {
      it(`rejects ${JSON.stringify(spec)} for ${count} items`, () => {
        assert.throws(
          () => parseRanges(spec, count),
          (e: unknown) => e instanceof SelectionError && e.code === 'SYNCLINE_SELECTION' && message.test(e.message),
        );
      });
    }
  });

  describe('glob selection', () => {
    const cases: [string, string[], string[]][] = [
      ['*.jpg', ['a.jpg', 'x.y.jpg'], ['dir/a.jpg', 'a.jpeg', 'ajpg']],
      ['**/*.jpg', ['a.jpg', 'd/a.jpg', 'd/e/f.jpg'], ['d/a.png', 'a.jpg/x']],
      ['photos/**', ['photos/a', 'photos/x/y.jpg'], ['photos', 'photosx/a', 'x/photos/a']],
      ['a/**/b', ['a/b', 'a/x/b', 'a/x/y/b'], ['a/xb', 'ab', 'a/b/c']],
      ['**', ['a', 'a/b/c'], []],
      ['file?.txt', ['file1.txt', 'fileé.txt'], ['file10.txt', 'file/.txt', 'file.txt']],
      ['/docs/', ['docs'], ['docs/a']],
      ['report (1).txt', ['report (1).txt'], ['report 1.txt', 'report (1)xtxt']],
      ['d*/*', ['docs/a', 'd/a'], ['docs/a/b', 'x/a']],
      ['*', ['a', 'b.txt'], ['a/b']],
    ];
    for (const [glob, yes, no] of cases) {
      it(`matches ${glob}`, () => {
        const re = globToRegExp(glob);
        for (const p of yes) assert.ok(re.test(p), `${glob} should match ${p}`);
        for (const p of no) assert.ok(!re.test(p), `${glob} should not match ${p}`);
      });
    }

    it('selects items by glob in the order given', () => {
      const items = ['b/x.jpg', 'a.jpg', 'b/y.png'].map((p) => item(p));
      assert.deepEqual(selectByGlob(items, '**/*.jpg').map((i) => i.path), ['b/x.jpg', 'a.jpg']);
    });

    it('rejects empty patterns and empty segments', () => {
      for (const glob of ['', '/', 'a//b']) {
        assert.throws(() => globToRegExp(glob), SelectionError, glob);
      }
    });
  });
});
