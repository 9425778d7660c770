import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, type CliResult } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at /, 'no stack trace for a user error');
const ok = (r: CliResult, code = 0) => assert.equal(r.code, code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
const read = (root: string, p: string) => readFile(path.join(root, p), 'utf8').catch(() => null);

interface Item {
  index: number;
  type: 'ask' | 'copy';
  path: string;
  of?: string;
  kind: string;
  folders: string[];
  size: number;
  peer: string;
  reason: string;
  decision: string | null;
}

async function trashContents(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(await readFile(p, 'utf8'));
    }
  };
  await walk(path.join(root, '.syncline', 'trash'));
  return out.sort();
}

describe('syncline conflicts (real child processes)', function () {
  this.timeout(180_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  let a: string;
  let b: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('syncline-conflicts-'));
    a = path.join(dir, 'a');
    b = path.join(dir, 'b');
    await mkdir(a);
    await mkdir(b);
  });
  afterEach(() => cleanup());

  const list = async (...args: string[]): Promise<Item[]> => {
    const r = await runCli(['conflicts', a, b, '--json', ...args]);
    assert.ok(r.code === 0 || r.code === 2, r.stderr);
    return JSON.parse(r.stdout).items;
  };

  it('ask parks a path (sync exits 2, both sides untouched); conflicts lists it; --apply import brings the file', async () => {
    await writeFile(path.join(a, 'report.txt'), 'v1\n');
    ok(await runCli(['sync', a, b]));
    ok(await runCli(['behaviour', 'define', 'careful', 'ask if remote_modified', '--dir', b]));
    ok(await runCli(['behaviour', 'attach', 'careful', '--folder', b]));
    await writeFile(path.join(a, 'report.txt'), 'v2, longer\n');

    const first = await runCli(['sync', a, b]);
    ok(first, 2);
    assert.match(first.stdout, /1 path waiting for you/);
    assert.match(first.stdout, /waiting for you: .*\/b\/report\.txt \(modified; careful rule 1: ask if remote_modified \(folder attachment\)\)/);
    assert.match(first.stdout, /decide with: syncline conflicts /);
    assert.equal(await read(a, 'report.txt'), 'v2, longer\n');
    assert.equal(await read(b, 'report.txt'), 'v1\n');
    // Held back, not dropped: the next sync offers A's change again and asks again.
    ok(await runCli(['sync', a, b]), 2);
    assert.equal(await read(b, 'report.txt'), 'v1\n');

    const shown = await runCli(['conflicts', a, b]);
    ok(shown, 2);
    assert.match(shown.stdout, /^#\s+what\s+path\s+size\s+modified\s+peer\s+folder\s+why\n/);
    assert.match(shown.stdout, /\n1\s+ask: modified\s+report\.txt\s+3 B → 11 B\s+\S+ \S+\s+\S+\/a\s+\S+\/b\s+careful rule 1: ask if remote_modified \(folder attachment\)\n/);
    assert.match(shown.stdout, /1 item waiting: decide with --select/);
    const items = await list();
    assert.deepEqual(
      items.map((i) => [i.index, i.type, i.path, i.kind, i.peer, i.folders, i.decision]),
      [[1, 'ask', 'report.txt', 'modified', a, [b], null]],
    );

    const applied = await runCli(['conflicts', a, b, '--select', '1', '--apply', 'import']);
    ok(applied);
    assert.match(applied.stdout, /^import: 1 item decided\nsynced 2 folders, 1 change applied/);
    assert.match(applied.stdout, /nothing waits for you/);
    assert.equal(await read(b, 'report.txt'), 'v2, longer\n');
    ok(await runCli(['sync', a, b]));
    assert.deepEqual(await list(), []);
  });

  it('sorts, selects by ranges and globs, and applies export and ignore to many paths at once', async () => {
    await mkdir(path.join(a, 'photos'));
    const sizes: Record<string, number> = { 'photos/1.jpg': 30, 'photos/2.jpg': 10, 'notes.txt': 20, 'zz.txt': 40 };
    for (const p of Object.keys(sizes)) await writeFile(path.join(a, p), 'old\n');
    ok(await runCli(['sync', a, b]));
    ok(await runCli(['behaviour', 'define', 'careful', 'ask if remote_modified', '--dir', b]));
    ok(await runCli(['behaviour', 'attach', 'careful', '--dir', b, '--peer', a]));
    for (const [p, n] of Object.entries(sizes)) await writeFile(path.join(a, p), 'x'.repeat(n));
    ok(await runCli(['sync', a, b]), 2);

    assert.deepEqual((await list()).map((i) => i.path), ['notes.txt', 'photos/1.jpg', 'photos/2.jpg', 'zz.txt']);
    assert.deepEqual((await list('--sort', 'size', '--desc')).map((i) => [i.index, i.path]), [
      [1, 'zz.txt'],
      [2, 'photos/1.jpg'],
      [3, 'notes.txt'],
      [4, 'photos/2.jpg'],
    ]);
    assert.deepEqual((await list('--sort', 'size', '--select', '2-3')).map((i) => [i.index, i.path]), [
      [2, 'notes.txt'],
      [3, 'photos/1.jpg'],
    ]);

    // Keep B's version of the photos: it goes back to A.
    const exported = await runCli(['conflicts', a, b, '--glob', 'photos/**', '--apply', 'keep-mine', '--json']);
    ok(exported, 2);
    const out = JSON.parse(exported.stdout);
    assert.deepEqual(out.applied.map((x: { path: string }) => x.path), ['photos/1.jpg', 'photos/2.jpg']);
    assert.equal(out.sync.converged, true);
    assert.deepEqual(out.items.map((i: Item) => i.path), ['notes.txt', 'zz.txt']);
    for (const p of ['photos/1.jpg', 'photos/2.jpg']) {
      assert.equal(await read(a, p), 'old\n');
      assert.equal(await read(b, p), 'old\n');
    }

    // Ignore the rest: counted as synced, never asked again, both sides keep what they have.
    ok(await runCli(['conflicts', a, b, '--select', '1-', '--apply', 'ignore']));
    assert.equal(await read(b, 'zz.txt'), 'old\n');
    assert.equal(await read(a, 'zz.txt'), 'x'.repeat(40));
    ok(await runCli(['sync', a, b]));
    assert.deepEqual(await list(), []);
  });

  it('a decision made with one folder listed waits for the next sync', async () => {
    await writeFile(path.join(a, 'f.txt'), '1\n');
    ok(await runCli(['sync', a, b]));
    ok(await runCli(['behaviour', 'define', 'careful', 'ask if different', '--dir', b]));
    ok(await runCli(['behaviour', 'attach', 'careful', '--dir', b, '--path', 'f.txt']));
    await writeFile(path.join(a, 'f.txt'), '2\n');
    ok(await runCli(['sync', a, b]), 2);
    const decided = await runCli(['conflicts', b, '--glob', '**', '--apply', 'take-theirs']);
    ok(decided);
    assert.match(decided.stdout, /the decisions apply at the next sync of this folder with its peer/);
    assert.match(decided.stdout, /decided: import, applies at the next sync/);
    assert.equal(await read(b, 'f.txt'), '1\n');
    ok(await runCli(['sync', a, b]));
    assert.equal(await read(b, 'f.txt'), '2\n');
  });

  describe('conflict copies', () => {
    /** Concurrent edits of notes.txt: B's is scanned later, so it keeps the name; A's becomes the copy. */
    async function makeConflict(): Promise<string> {
      await writeFile(path.join(a, 'notes.txt'), 'base\n');
      ok(await runCli(['sync', a, b]));
      await writeFile(path.join(a, 'notes.txt'), 'mine on A\n');
      // `compare` scans both folders: A's edit gets its time now. A sync scans both folders at
      // once, so without this the order of two edits scanned by the same sync is not fixed.
      ok(await runCli(['compare', a, b]));
      await writeFile(path.join(b, 'notes.txt'), 'theirs on B\n');
      ok(await runCli(['sync', a, b]), 2);
      const items = await list();
      assert.equal(items.length, 1);
      const [copy] = items;
      assert.equal(copy!.type, 'copy');
      assert.equal(copy!.of, 'notes.txt');
      assert.deepEqual(copy!.folders, [a, b]);
      assert.equal(copy!.peer, a, "the copy holds A's version");
      assert.match(copy!.path, /^notes\.sync-conflict-\d{8}-\d{6}-[a-z2-7]{13}\.txt$/);
      assert.equal(await read(b, copy!.path), 'mine on A\n');
      return copy!.path;
    }

    it('keep-mine removes the copy everywhere (it stays in the trash)', async () => {
      const copy = await makeConflict();
      ok(await runCli(['conflicts', a, b, '--select', '1', '--apply', 'keep-mine']));
      for (const root of [a, b]) {
        assert.deepEqual((await readdir(root)).filter((n) => n !== '.syncline'), ['notes.txt']);
        assert.equal(await read(root, 'notes.txt'), 'theirs on B\n');
      }
      assert.ok((await trashContents(a)).includes('mine on A\n'));
      assert.equal(await read(a, copy), null);
    });

    it('take-theirs moves the copy over the original everywhere', async () => {
      await makeConflict();
      ok(await runCli(['conflicts', a, b, '--glob', '*.txt', '--apply', 'take-theirs']));
      for (const root of [a, b]) {
        assert.deepEqual((await readdir(root)).filter((n) => n !== '.syncline'), ['notes.txt']);
        assert.equal(await read(root, 'notes.txt'), 'mine on A\n');
      }
      assert.ok((await trashContents(a)).includes('theirs on B\n'));
    });

    it('keep-both keeps both files and stops listing the copy', async () => {
      const copy = await makeConflict();
      ok(await runCli(['conflicts', a, b, '--select', '1', '--apply', 'keep-both']));
      assert.deepEqual(await list(), []);
      ok(await runCli(['conflicts', a, b]));
      for (const root of [a, b]) assert.equal(await read(root, copy), 'mine on A\n');
    });
  });

  it('refuses unclear requests with exit 1 and no stack trace', async () => {
    ok(await runCli(['sync', a, b]));
    const cases: [string[], RegExp][] = [
      [['--apply', 'import'], /say which items to decide: --select 1-3,7/],
      [['--apply', 'frobnicate', '--select', '1'], /--apply frobnicate: use one of import, export, delete, ignore, keep-both, keep-mine, take-theirs/],
      [['--sort', 'colour'], /--sort colour: sort by one of path, size, time, kind, peer/],
      [['--select', '2'], /cannot select "2": position 2 is past the end: 0 items listed/],
      [['--select', '1', '--glob', '**'], /not both/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['conflicts', a, b, ...args]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      noStack(r.stderr);
    }
    const none = await runCli(['conflicts', a, b]);
    ok(none);
    assert.equal(none.stdout, 'nothing waits for you: no parked paths, no conflict copies\n');
  });
});
