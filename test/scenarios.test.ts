import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile, lstat } from 'node:fs/promises';
import path from 'node:path';
import { syncPair } from '@syncline/engine';
import { makeReplicas, type ReplicaSet } from './helpers/replicas.js';
import { tempDir } from './helpers/tmp.js';

async function listAll(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const n of (await readdir(path.join(root, rel))).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    if (r === '.syncline') continue;
    out.push(r);
    if ((await lstat(path.join(root, r))).isDirectory()) out.push(...(await listAll(root, r)));
  }
  return out;
}

async function trashFiles(root: string): Promise<string[]> {
  const base = path.join(root, '.syncline', 'trash');
  if (!existsSync(base)) return [];
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const n of await readdir(d)) {
      const p = path.join(d, n);
      if ((await lstat(p)).isDirectory()) await walk(p);
      else out.push(await readFile(p, 'utf8'));
    }
  };
  await walk(base);
  return out;
}

describe('default conflict rules (DESIGN.md §6), end to end on disk', function () {
  this.timeout(120_000);
  let set: ReplicaSet;
  let clocks: number[];
  beforeEach(async () => {
    clocks = [1_000_000, 1_000_000];
    set = await makeReplicas(2, [() => clocks[0]!, () => clocks[1]!]);
  });
  afterEach(() => set.close());
  const [A, B] = [0, 1];
  const file = (r: number, p: string) => path.join(set.roots[r]!, p);

  it('concurrent edits: the newer keeps the name, the other becomes a conflict copy on both sides', async () => {
    await writeFile(file(A, 'notes.txt'), 'base\n');
    await set.sync(A, B);
    await writeFile(file(A, 'notes.txt'), 'edit on A\n');
    await writeFile(file(B, 'notes.txt'), 'edit on B\n');
    clocks[A] = 2_000_000;
    await set.replicas[A]!.scan();
    clocks[B] = 3_000_000; // B's edit is seen later: B wins
    await set.replicas[B]!.scan();
    const [ra] = await syncPair(set.replicas[A]!, set.replicas[B]!);
    for (const r of [A, B]) {
      assert.equal(await readFile(file(r, 'notes.txt'), 'utf8'), 'edit on B\n');
      const copies = (await readdir(set.roots[r]!)).filter((n) => n.startsWith('notes.sync-conflict-'));
      assert.equal(copies.length, 1);
      assert.match(copies[0]!, new RegExp(`^notes\\.sync-conflict-\\d{8}-\\d{6}-${set.replicas[A]!.id}\\.txt$`));
      assert.equal(await readFile(file(r, copies[0]!), 'utf8'), 'edit on A\n');
    }
    assert.ok(ra.conflicts.some((a) => a.path === 'notes.txt'), 'the session reports the conflict');
  });

  it('edit vs delete: the edit wins and the file comes back', async () => {
    await writeFile(file(A, 'keep.txt'), 'v1\n');
    await set.sync(A, B);
    await writeFile(file(A, 'keep.txt'), 'v2 edited\n');
    await rm(file(B, 'keep.txt'));
    await set.sync(A, B);
    for (const r of [A, B]) assert.equal(await readFile(file(r, 'keep.txt'), 'utf8'), 'v2 edited\n');
    assert.deepEqual(await listAll(set.roots[B]!), ['keep.txt']);
  });

  it('file vs directory: the directory keeps the name, the file becomes a conflict copy', async () => {
    await writeFile(file(A, 'thing'), 'base\n');
    await set.sync(A, B);
    await writeFile(file(A, 'thing'), 'file edited on A\n');
    await rm(file(B, 'thing'));
    await mkdir(file(B, 'thing'));
    await writeFile(file(B, 'thing/inside.txt'), 'in the dir\n');
    await set.sync(A, B);
    for (const r of [A, B]) {
      assert.ok((await lstat(file(r, 'thing'))).isDirectory());
      assert.equal(await readFile(file(r, 'thing/inside.txt'), 'utf8'), 'in the dir\n');
      const copies = (await readdir(set.roots[r]!)).filter((n) => n.startsWith('thing.sync-conflict-'));
      assert.equal(copies.length, 1, `replica ${r}: ${await listAll(set.roots[r]!)}`);
      assert.equal(await readFile(file(r, copies[0]!), 'utf8'), 'file edited on A\n');
    }
  });

  it('equal content written on both sides is no conflict', async () => {
    await writeFile(file(A, 'same.txt'), 'identical\n');
    await writeFile(file(B, 'same.txt'), 'identical\n');
    const [ra, rb] = await set.sync(A, B);
    assert.equal(ra.transfer.bytesTransferred + rb.transfer.bytesTransferred, 0);
    for (const r of [A, B]) assert.deepEqual(await listAll(set.roots[r]!), ['same.txt']);
  });

  it('a deleted directory with new contents on the other side is kept', async () => {
    await mkdir(file(A, 'dir'));
    await writeFile(file(A, 'dir/old.txt'), 'old\n');
    await set.sync(A, B);
    await rm(file(A, 'dir'), { recursive: true });
    await writeFile(file(B, 'dir/new.txt'), 'new\n');
    await set.sync(A, B);
    await set.sync(A, B);
    for (const r of [A, B]) assert.deepEqual(await listAll(set.roots[r]!), ['dir', 'dir/new.txt']);
  });

  it('replaced and deleted versions go to .syncline/trash', async () => {
    await writeFile(file(A, 'a.txt'), 'first\n');
    await writeFile(file(A, 'b.txt'), 'doomed\n');
    await set.sync(A, B);
    await writeFile(file(A, 'a.txt'), 'second\n');
    await rm(file(A, 'b.txt'));
    await set.sync(A, B);
    assert.deepEqual((await trashFiles(set.roots[B]!)).sort(), ['doomed\n', 'first\n']);
    assert.deepEqual(await listAll(set.roots[B]!), ['a.txt']);
  });

  it('a file changed after the scan is not overwritten: the local edit is kept and reported', async () => {
    await writeFile(file(A, 'race.txt'), 'v1\n');
    await set.sync(A, B);
    await writeFile(file(A, 'race.txt'), 'v2 from A\n');
    await set.replicas[A]!.scan();
    await set.replicas[B]!.scan();
    await writeFile(file(B, 'race.txt'), 'edited on B after its scan\n');
    const [, rb] = await syncPair(set.replicas[A]!, set.replicas[B]!);
    assert.equal(await readFile(file(B, 'race.txt'), 'utf8'), 'edited on B after its scan\n');
    assert.equal(rb.problems[0]?.code, 'changed-locally');
    // The next sync sees B's edit as concurrent: both versions survive.
    await set.sync(A, B);
    const names = await readdir(set.roots[B]!);
    const texts = await Promise.all(names.filter((n) => n.startsWith('race')).map((n) => readFile(file(B, n), 'utf8')));
    assert.deepEqual(texts.sort(), ['edited on B after its scan\n', 'v2 from A\n']);
  });

  it('never writes through a local symlink (containment)', async () => {
    const outside = await tempDir('syncline-outside-');
    try {
      await mkdir(file(A, 'link'));
      await set.sync(A, B);
      // B turns the directory into a symlink pointing outside; A adds a file inside the directory.
      await rm(file(B, 'link'), { recursive: true });
      await symlink(outside.dir, file(B, 'link'));
      await writeFile(file(A, 'link/payload.txt'), 'must not escape\n');
      await set.sync(A, B);
      await set.sync(A, B);
      assert.deepEqual(await readdir(outside.dir), [], 'nothing was written outside the replica');
      for (const r of [A, B]) assert.equal(await readFile(file(r, 'link/payload.txt'), 'utf8'), 'must not escape\n');
    } finally {
      await outside.cleanup();
    }
  });
});

describe('content-defined chunks keep transfers small', function () {
  this.timeout(300_000);
  let set: ReplicaSet;
  const SIZE = 64 << 20;
  beforeEach(async () => {
    set = await makeReplicas(2);
    await writeFile(path.join(set.roots[0]!, 'big.bin'), randomBytes(SIZE));
    const [ra, rb] = await set.sync(0, 1);
    assert.equal(ra.transfer.bytesTransferred + rb.transfer.bytesTransferred, SIZE);
  });
  afterEach(() => set.close());

  it('renaming a 64 MiB file transfers under 1 MiB', async () => {
    await rename(path.join(set.roots[0]!, 'big.bin'), path.join(set.roots[0]!, 'renamed.bin'));
    const [ra, rb] = await set.sync(0, 1);
    const moved = ra.transfer.bytesTransferred + rb.transfer.bytesTransferred;
    assert.ok(moved < 1 << 20, `transferred ${moved} bytes`);
    assert.equal(rb.transfer.bytesReused, SIZE);
    assert.deepEqual(await readdir(set.roots[1]!).then((n) => n.filter((x) => x !== '.syncline')), ['renamed.bin']);
  });

  it('a 1-byte insert at the start of a 64 MiB file transfers under 1 MiB', async () => {
    const p = path.join(set.roots[0]!, 'big.bin');
    const old = await readFile(p);
    await writeFile(p, Buffer.concat([Buffer.from([0x42]), old]));
    const [ra, rb] = await set.sync(0, 1);
    const moved = ra.transfer.bytesTransferred + rb.transfer.bytesTransferred;
    assert.ok(moved < 1 << 20, `transferred ${moved} bytes`);
    assert.ok((await readFile(path.join(set.roots[1]!, 'big.bin'))).equals(await readFile(p)));
  });

  it('a session cut after fetching resumes from the partial download', async () => {
    const p = path.join(set.roots[0]!, 'big.bin');
    await writeFile(p, randomBytes(8 << 20));
    await set.replicas[0]!.scan();
    await set.replicas[1]!.scan();
    await assert.rejects(
      syncPair(set.replicas[0]!, set.replicas[1]!, {
        failpoint: (side, stage) => {
          if (side === 1 && stage === 'prepared') throw new Error('cut');
        },
      }),
    );
    assert.notEqual((await readFile(path.join(set.roots[1]!, 'big.bin'))).length, 8 << 20, 'nothing applied before the seal point');
    const [, rb] = await set.sync(0, 1);
    assert.equal(rb.transfer.bytesResumed, 8 << 20);
    assert.equal(rb.transfer.bytesTransferred, 0);
    assert.ok((await readFile(path.join(set.roots[1]!, 'big.bin'))).equals(await readFile(p)));
  });
});
