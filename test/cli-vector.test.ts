import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';
import { initVectorTree, syncVectorTrees } from '../packages/replica/src/vector-tree/index.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const hashesOf = (files: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(files).map(([p, c]) => [p, sha256(c)]).sort(([x], [y]) => (x! < y! ? -1 : 1)));

describe('syncline vector init', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('writes DIR/.vector-sync exactly as seed 004 shows it', async () => {
    const r = await runCli(['vector', 'init', 'MyTree', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(path.join(dir, '.vector-sync'), 'utf8'), '{\n  "id": "MyTree",\n  "version_vector": {},\n  "file_hashes": {}\n}\n');
    assert.equal(r.stdout, `initialised tree "MyTree" in ${dir} (wrote ${path.join(dir, '.vector-sync')})\n`);
  });

  it('--json prints the result', async () => {
    const r = await runCli(['vector', 'init', 'laptop-1', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { action: 'init', id: 'laptop-1', path: dir, metadata_file: path.join(dir, '.vector-sync') });
  });

  it('refuses to overwrite an existing tree, and says so', async () => {
    await initVectorTree('First', dir);
    const before = await readFile(path.join(dir, '.vector-sync'), 'utf8');
    const r = await runCli(['vector', 'init', 'Second', dir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `syncline: ${path.join(dir, '.vector-sync')} already exists (tree "First"); not overwriting it. Remove it first if you really want to start a new tree there\n`);
    assert.equal(await readFile(path.join(dir, '.vector-sync'), 'utf8'), before);
  });

  it('refuses a missing directory and a file, naming the path', async () => {
    const missing = path.join(dir, 'nope');
    const r1 = await runCli(['vector', 'init', 'T', missing]);
    assert.equal(r1.code, 1);
    assert.equal(r1.stderr, `syncline: ${missing}: no such directory\n`);
    const file = path.join(dir, 'file');
    await writeFile(file, 'x');
    const r2 = await runCli(['vector', 'init', 'T', file]);
    assert.equal(r2.code, 1);
    assert.equal(r2.stderr, `syncline: ${file}: not a directory\n`);
    assert.deepEqual(await readdir(dir), ['file']);
  });

  for (const [name, reason] of [
    ['', 'empty'],
    ['my tree', '" " is not allowed'],
    ['-x', 'must start with a letter or digit'],
  ]) {
    it(`refuses the name ${JSON.stringify(name)} (${reason})`, async () => {
      const r = await runCli(['vector', 'init', '--', name as string, dir]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.split('\n').length, 2, 'one line, no stack trace');
      assert.ok(r.stderr.startsWith(`syncline: invalid tree name ${JSON.stringify(name)}: ${reason}. Use 1 to 64 letters`), r.stderr);
      assert.deepEqual(await readdir(dir), []);
    });
  }

  it('refuses a directory inside an existing tree', async () => {
    await initVectorTree('Outer', dir);
    await mkdir(path.join(dir, 'inner'));
    const r = await runCli(['vector', 'init', 'Inner', path.join(dir, 'inner')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^syncline: ${esc(path.join(dir, 'inner'))} is inside the tree of ${esc(path.join(dir, '.vector-sync'))}`));
    assert.deepEqual(await readdir(path.join(dir, 'inner')), []);
  });
});

describe('syncline vector sync', () => {
  let parent: string;
  let a: string;
  let b: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir: parent, cleanup } = await tempDir());
    a = path.join(parent, 'a');
    b = path.join(parent, 'b');
  });
  afterEach(() => cleanup());

  const BASE = { 'notes.txt': 'one', 'photos/cat.jpg': 'meow', 'photos/old/dog.jpg': 'woof' };

  /** Two trees A and B, synced once, holding BASE with version vectors {A:1, B:1}. */
  async function syncedTrees(): Promise<void> {
    await writeTree(a, BASE);
    await writeTree(b, BASE);
    await initVectorTree('A', a);
    await initVectorTree('B', b);
    assert.equal((await syncVectorTrees(a, b)).action, 'none');
  }

  it('identical trees: no file touched; both metadata files record the join and the files', async () => {
    await writeTree(a, BASE);
    await writeTree(b, BASE);
    await initVectorTree('A', a);
    await initVectorTree('B', b);
    const r = await runCli(['vector', 'sync', a, b]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `nothing to do: ${a} and ${b} are identical (3 files); version vector {A:1, B:1} recorded in both\n`);
    assert.deepEqual(await metadata(a), { id: 'A', version_vector: { A: 1, B: 1 }, file_hashes: hashesOf(BASE) });
    assert.deepEqual(await metadata(b), { id: 'B', version_vector: { A: 1, B: 1 }, file_hashes: hashesOf(BASE) });
    assert.deepEqual(await readTree(b), BASE);
    assert.deepEqual((await readdir(parent)).sort(), ['a', 'b']);
  });

  it('A changed only: B is replaced by A, its old files go to the trash, both record {A:2, B:1}', async () => {
    await syncedTrees();
    const changed = { 'notes.txt': 'two', 'photos/cat.jpg': 'meow', 'new.txt': 'new' };
    await writeFile(path.join(a, 'notes.txt'), 'two');
    await writeFile(path.join(a, 'new.txt'), 'new');
    await rm(path.join(a, 'photos/old'), { recursive: true });
    const r = await runCli(['vector', 'sync', a, b]);
    assert.equal(r.code, 0, r.stderr);
    const trash = path.join(parent, '.b.vector-sync-trash');
    const [bucket] = await readdir(trash);
    assert.equal(
      r.stdout,
      `replaced ${b} by ${a} (3 files: 2 written, 1 removed); version vector {A:2, B:1} recorded in both; previous files kept in ${path.join(trash, bucket!)}\n`,
    );
    assert.equal(r.stderr, '');
    assert.deepEqual(await readTree(b), changed);
    assert.deepEqual(await readTree(a), changed);
    assert.deepEqual(await metadata(a), { id: 'A', version_vector: { A: 2, B: 1 }, file_hashes: hashesOf(changed) });
    assert.deepEqual(await metadata(b), { id: 'B', version_vector: { A: 2, B: 1 }, file_hashes: hashesOf(changed) });
    assert.deepEqual(await readTree(path.join(trash, bucket!)), { 'notes.txt': 'one', 'photos/old/dog.jpg': 'woof' });
    assert.deepEqual((await readdir(parent)).sort(), ['.b.vector-sync-trash', 'a', 'b']);
  });

  it('B changed only: A is replaced by B (--json)', async () => {
    await syncedTrees();
    await writeFile(path.join(b, 'photos/cat.jpg'), 'purr');
    const r = await runCli(['vector', 'sync', a, b, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    const expected = { ...BASE, 'photos/cat.jpg': 'purr' };
    const [bucket] = await readdir(path.join(parent, '.a.vector-sync-trash'));
    assert.deepEqual(out, {
      action: 'replaced',
      a: { path: a, id: 'A', changed: false, vector: { A: 1, B: 1 }, files: 3 },
      b: { path: b, id: 'B', changed: true, vector: { A: 1, B: 2 }, files: 3 },
      recovered: [],
      replaced: 'a',
      joined: { A: 1, B: 2 },
      written: 1,
      removed: 0,
      trash: path.join(parent, '.a.vector-sync-trash', bucket!),
      notes: [],
    });
    assert.deepEqual(await readTree(a), expected);
    assert.deepEqual(await metadata(a), { id: 'A', version_vector: { A: 1, B: 2 }, file_hashes: hashesOf(expected) });
    assert.deepEqual(await metadata(b), { id: 'B', version_vector: { A: 1, B: 2 }, file_hashes: hashesOf(expected) });
    assert.deepEqual(await readTree(path.join(parent, '.a.vector-sync-trash', bucket!)), { 'photos/cat.jpg': 'meow' });
  });

  it('both changed: exit 2, the vectors named, nothing touched', async () => {
    await syncedTrees();
    await writeFile(path.join(a, 'notes.txt'), 'from a');
    await writeFile(path.join(b, 'notes.txt'), 'from b');
    const before = await snapshot(parent);
    const r = await runCli(['vector', 'sync', a, b]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stdout,
      `conflict: ${a} and ${b} both changed since they were last synced: ${a} has version vector {A:2, B:1}, ${b} has {A:1, B:2}, ` +
        'and neither is before the other. Nothing was changed. Make the two trees identical by hand, then run "syncline vector sync" again\n',
    );
    assert.deepEqual(await snapshot(parent), before);
    const json = await runCli(['vector', 'sync', a, b, '--json']);
    assert.equal(json.code, 2);
    const out = JSON.parse(json.stdout) as { action: string; a: { vector: object }; b: { vector: object } };
    assert.equal(out.action, 'conflict');
    assert.deepEqual([out.a.vector, out.b.vector], [{ A: 2, B: 1 }, { A: 1, B: 2 }]);
    assert.deepEqual(await snapshot(parent), before);
  });

  describe('refuses, naming the path, and changes nothing', () => {
    async function expectError(args: string[], message: string): Promise<void> {
      const before = await snapshot(parent);
      const r = await runCli(['vector', 'sync', ...args]);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `syncline: ${message}\n`);
      assert.deepEqual(await snapshot(parent), before);
    }

    it('a .vector-sync in a subdirectory', async () => {
      await syncedTrees();
      await writeFile(path.join(a, 'photos/.vector-sync'), '{}');
      await expectError([a, b], `${path.join(a, 'photos/.vector-sync')}: only the tree's root may hold .vector-sync. Move or remove it, then run again`);
    });

    it('an empty directory', async () => {
      await syncedTrees();
      await mkdir(path.join(b, 'photos/empty'));
      await expectError(
        [a, b],
        `${path.join(b, 'photos/empty')}: empty directory; a version-vector tree may not hold empty directories. Remove it or put a file in it, then run again`,
      );
    });

    it('a symbolic link', async () => {
      await syncedTrees();
      await symlink('notes.txt', path.join(a, 'link'));
      await expectError(
        [a, b],
        `${path.join(a, 'link')}: symbolic link not supported in a version-vector tree (only regular files and directories). Replace or remove it, then run again`,
      );
    });

    it('missing metadata', async () => {
      await writeTree(a, BASE);
      await writeTree(b, BASE);
      await initVectorTree('A', a);
      await expectError([a, b], `${path.join(b, '.vector-sync')} not found: this directory is not a version-vector tree. Run "syncline vector init NAME DIR" first`);
    });

    it('malformed metadata', async () => {
      await syncedTrees();
      await writeFile(path.join(b, '.vector-sync'), '{"id": "B", "version_vector": {"A": "one"}, "file_hashes": {}}\n');
      await expectError(
        [a, b],
        `${path.join(b, '.vector-sync')} is malformed: "version_vector" must map tree IDs to non-negative integers. ` +
          'Fix or restore the file (it must hold {"id", "version_vector", "file_hashes"})',
      );
    });

    it('the same directory twice, or one tree inside the other', async () => {
      await syncedTrees();
      await expectError([a, path.join(a, '.')], `${a} and ${a} are the same directory; give two separate trees`);
      await expectError([a, path.join(a, 'photos')], `${path.join(a, 'photos')} is inside ${a}; give two separate trees`);
      await expectError([path.join(a, 'photos'), a], `${path.join(a, 'photos')} is inside ${a}; give two separate trees`);
    });

    it('a directory that does not exist', async () => {
      await syncedTrees();
      await expectError([a, path.join(parent, 'c')], `${path.join(parent, 'c')}: no such directory`);
    });
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function metadata(dir: string): Promise<unknown> {
  return JSON.parse(await readFile(path.join(dir, '.vector-sync'), 'utf8'));
}

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
}

/** Every file under root but the root's .vector-sync. */
async function readTree(root: string): Promise<Record<string, string>> {
  const all = Object.entries(await snapshot(root));
  return Object.fromEntries(all.filter(([p]) => p !== '.vector-sync' && !p.endsWith('/')));
}

/** Every file under root (metadata included) by relative path, and every directory as '<dir>/'. */
async function snapshot(root: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(out, { [`${p}/`]: '' }, await snapshot(root, p));
    else if (entry.isSymbolicLink()) out[p] = `-> ${await readFile(path.join(root, p), 'utf8').catch(() => '?')}`;
    else out[p] = await readFile(path.join(root, p), 'utf8');
  }
  return out;
}
