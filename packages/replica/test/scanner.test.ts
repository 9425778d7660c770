import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { appendFile, chmod, mkdir, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compareHlc } from '@syncline/core';
import { tempDir } from '../../../test/helpers/tmp.js';
import { hashFile } from '../src/file-hash.js';
import { IGNORE_FILE } from '../src/ignore-rules.js';
import { MAX_CHANGED_LISTED, ReplicaRootError, scanReplica } from '../src/scanner.js';
import { ReplicaClock } from '../src/clock.js';
import { makeReplica, sha256, STORE_KINDS, type ReplicaFixture } from './helpers/replica-fixture.js';
import { seededBytes } from './helpers/seeded-bytes.js';

/** A hashFile that counts and records its calls. */
function spyHashFile() {
  const calls: string[] = [];
  return {
    calls,
    hashFile: (absPath: string, expectedSize: number) => {
      calls.push(absPath);
      return hashFile(absPath, expectedSize);
    },
  };
}

/** Every path comes before the directories that contain it. */
function assertContentsFirst(paths: string[]): void {
  paths.forEach((p, i) => {
    for (const later of paths.slice(i + 1)) assert.ok(!later.startsWith(`${p}/`), `${later} after its directory ${p}`);
  });
}

function failWith(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

for (const kind of STORE_KINDS) {
  describe(`scanReplica (${kind.name})`, () => {
    let r: ReplicaFixture;
    beforeEach(async () => (r = await makeReplica(kind)));
    afterEach(() => r.close());

    describe('first scan', () => {
      it('creates a record with a sequence number for every file and directory', async () => {
        const big = seededBytes(1, 300_000);
        await r.write('a.txt', 'alpha');
        await r.write('docs/b.md', 'beta');
        await r.write('docs/deep/big.bin', big);
        await r.write('empty', '');

        const result = await r.scan();

        assert.deepEqual(result.changed.map((c) => c.path).sort(), ['a.txt', 'docs', 'docs/b.md', 'docs/deep', 'docs/deep/big.bin', 'empty']);
        assert.equal(result.entries, 6);
        assert.equal(result.bytesHashed, 5 + 4 + big.length);
        assert.deepEqual(result.problems, []);
        const seqs = result.changed.map((c) => c.seq);
        assert.ok(seqs.every((s) => s > 0));
        assert.equal(new Set(seqs).size, seqs.length);
        assert.equal(r.store.lastSeq(), Math.max(...seqs));
        for (const record of result.changed) {
          assert.deepEqual(record, await r.record(record.path), 'returned as committed');
          assert.deepEqual(record.version, { [r.store.replicaId]: 1 });
          assert.equal(record.by, r.store.replicaId);
          assert.equal(record.deleted, false);
        }

        const a = await r.record('a.txt');
        assert.equal(a.kind, 'file');
        assert.equal(a.hash, sha256('alpha'));
        assert.equal(a.size, 5);
        assert.deepEqual(a.chunks, [{ hash: sha256('alpha'), size: 5 }]);
        assert.equal(a.mode, lstatSync(r.abs('a.txt')).mode & 0o777);
        const bigRecord = await r.record('docs/deep/big.bin');
        assert.equal(bigRecord.hash, sha256(big));
        assert.equal(bigRecord.chunks.reduce((n, c) => n + c.size, 0), big.length);
        const docs = await r.record('docs');
        assert.deepEqual([docs.kind, docs.hash, docs.size, docs.chunks.length], ['dir', '', 0, 0]);
        const empty = await r.record('empty');
        assert.deepEqual([empty.size, empty.chunks.length, empty.hash], [0, 0, sha256('')]);

        const st = lstatSync(r.abs('a.txt'));
        assert.deepEqual((await r.entry('a.txt'))?.stat, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });
      });

      it('stamps changes with increasing HLC times and persists the clock with them', async () => {
        await r.write('x', '1');
        await r.write('y', '2');
        const { changed } = await r.scan();
        assert.ok(compareHlc(changed[1]!.hlc, changed[0]!.hlc) > 0);
        assert.deepEqual(await r.store.getMeta('hlc'), r.clock.current);
        assert.ok(changed.every((c) => compareHlc(c.hlc, r.clock.current) <= 0));
      });

      it('lists a directory before its contents in sequence order', async () => {
        await r.write('p/q/r.txt', 'r');
        const { changed } = await r.scan();
        const seqOf = (p: string) => changed.find((c) => c.path === p)!.seq;
        assert.ok(seqOf('p') < seqOf('p/q') && seqOf('p/q') < seqOf('p/q/r.txt'));
      });

      it('reports progress, ending with the totals', async () => {
        await r.write('a', 'aaa');
        await r.write('d/b', 'bb');
        const seen: { files: number; bytes: number }[] = [];
        const result = await r.scan({ onProgress: (p) => seen.push(p) });
        assert.deepEqual(seen.at(-1), { files: result.entries, bytes: result.bytesHashed });
        assert.deepEqual(seen.at(-1), { files: 3, bytes: 5 });
      });

      it('commits a large scan in several batches', async () => {
        for (let i = 0; i < 10; i++) await r.write(`f${i}`, `content ${i}`);
        const commit = r.store.commit.bind(r.store);
        const batchSizes: number[] = [];
        r.store.commit = (entries, options) => {
          batchSizes.push(entries.length);
          return commit(entries, options);
        };
        const result = await r.scan({ batchSize: 4, concurrency: 3 });
        assert.deepEqual(batchSizes, [4, 4, 2]);
        assert.equal(result.changed.length, 10);
        assert.equal(new Set(result.changed.map((c) => c.seq)).size, 10);
      });

      it('lists at most MAX_CHANGED_LISTED changed records, and counts them all', async () => {
        const count = MAX_CHANGED_LISTED + 5;
        for (let i = 0; i < count; i++) await r.write(`d${i % 7}/f${i}`, `${i}`);
        const result = await r.scan();
        assert.equal(result.changedCount, count + 7);
        assert.equal(result.changed.length, MAX_CHANGED_LISTED);
        assert.equal(new Set(result.changed.map((c) => c.seq)).size, MAX_CHANGED_LISTED);
      });
    });

    describe('rescan', () => {
      it('changes nothing and reads no file when nothing changed', async () => {
        await r.write('a', 'aaa');
        await r.write('d/b', seededBytes(2, 100_000));
        await symlink('a', r.abs('link'));
        await r.scan();
        const lastSeq = r.store.lastSeq();
        const spy = spyHashFile();

        const result = await r.scan({ hashFile: spy.hashFile });

        assert.deepEqual(result.changed, []);
        assert.equal(result.bytesHashed, 0);
        assert.deepEqual(spy.calls, []);
        assert.equal(result.entries, 4);
        assert.equal(r.store.lastSeq(), lastSeq);
      });

      it('gives a modified file a new record: next seq, bumped vector, new hash', async () => {
        await r.write('a', 'one');
        await r.scan();
        const before = await r.record('a');
        await r.write('a', 'two!');

        const { changed } = await r.scan();

        assert.equal(changed.length, 1);
        const after = await r.record('a');
        assert.deepEqual(changed[0], after);
        assert.ok(after.seq > before.seq);
        assert.deepEqual(after.version, { [r.store.replicaId]: 2 });
        assert.equal(after.hash, sha256('two!'));
        assert.ok(compareHlc(after.hlc, before.hlc) > 0);
      });

      it('only refreshes the stat stamp of a file touched without a content change', async () => {
        await r.write('a', 'same');
        await r.scan();
        const before = await r.entry('a');
        await utimes(r.abs('a'), new Date('2020-01-01'), new Date('2020-01-01'));

        const result = await r.scan();

        assert.deepEqual(result.changed, []);
        assert.equal(result.bytesHashed, 4, 'the touched file was read to compare');
        const after = await r.entry('a');
        assert.deepEqual(after?.record, before?.record);
        assert.equal(after?.stat?.mtimeMs, new Date('2020-01-01').getTime());
        const spy = spyHashFile();
        await r.scan({ hashFile: spy.hashFile });
        assert.deepEqual(spy.calls, [], 'the refreshed stamp is trusted next time');
      });

      it('gives a file a new record when its executable bit changes, not for other mode bits', async () => {
        await r.write('run.sh', '#!/bin/sh\n');
        await chmod(r.abs('run.sh'), 0o644);
        await r.scan();

        await chmod(r.abs('run.sh'), 0o755);
        const { changed } = await r.scan();
        assert.equal(changed.length, 1);
        assert.equal(changed[0]!.mode & 0o111, 0o111);
        assert.deepEqual(changed[0]!.version, { [r.store.replicaId]: 2 });

        await chmod(r.abs('run.sh'), 0o711);
        assert.deepEqual((await r.scan()).changed, [], 'same executable bits');
      });

      it('tombstones a deleted file', async () => {
        await r.write('gone.txt', 'bye');
        await r.write('stays.txt', 'hi');
        await r.scan();
        await rm(r.abs('gone.txt'));

        const { changed } = await r.scan();

        assert.deepEqual(changed.map((c) => c.path), ['gone.txt']);
        const tombstone = await r.entry('gone.txt');
        assert.equal(tombstone?.stat, null);
        assert.deepEqual(
          { ...tombstone?.record, hlc: undefined, seq: undefined },
          { ...changed[0], deleted: true, kind: 'file', hash: '', chunks: [], size: 0, target: '', hlc: undefined, seq: undefined },
        );
        assert.deepEqual(tombstone?.record.version, { [r.store.replicaId]: 2 });
        assert.deepEqual((await r.scan()).changed, [], 'a tombstone is written once');
      });

      it('tombstones a deleted directory and everything in it, contents first', async () => {
        await r.write('d/x', 'x');
        await r.write('d/e/y', 'y');
        await r.scan();
        await rm(r.abs('d'), { recursive: true });

        const { changed } = await r.scan();

        assert.deepEqual(changed.map((c) => c.path).sort(), ['d', 'd/e', 'd/e/y', 'd/x']);
        assertContentsFirst(changed.map((c) => c.path));
        assert.ok(changed.every((c) => c.deleted && c.version[r.store.replicaId] === 2));
        assert.equal((await r.record('d')).kind, 'dir');
      });

      it('brings a deleted path back with a vector that supersedes the tombstone', async () => {
        await r.write('a', 'v1');
        await r.scan();
        await rm(r.abs('a'));
        await r.scan();
        await r.write('a', 'v1');

        const { changed } = await r.scan();

        assert.equal(changed.length, 1);
        assert.equal(changed[0]!.deleted, false);
        assert.deepEqual(changed[0]!.version, { [r.store.replicaId]: 3 });
      });

      it('follows a file replaced by a directory and back', async () => {
        await r.write('x', 'file');
        await r.scan();
        await rm(r.abs('x'));
        await r.write('x/inner', 'in');

        let { changed } = await r.scan();
        assert.deepEqual(changed.map((c) => [c.path, c.kind, c.deleted]), [['x', 'dir', false], ['x/inner', 'file', false]]);
        assert.deepEqual((await r.record('x')).version, { [r.store.replicaId]: 2 });

        await rm(r.abs('x'), { recursive: true });
        await r.write('x', 'file again');
        ({ changed } = await r.scan());
        assert.deepEqual(changed.map((c) => [c.path, c.kind, c.deleted]).sort(), [['x', 'file', false], ['x/inner', 'file', true]]);
        assert.deepEqual((await r.record('x')).version, { [r.store.replicaId]: 3 });
      });

      it('matches paths that sort around "/" and outside the BMP with their records', async () => {
        const paths = ['a/x', 'a/x.y/z', 'a.txt', 'a-b/c', 'a0', 'ab/y', '😀', 'Ａ', 'z'];
        for (const p of paths) await r.write(p, p);
        await r.scan();
        assert.deepEqual((await r.scan()).changed, [], 'a rescan finds every stored path where it is');
        await rm(r.abs('a/x'));
        await rm(r.abs('a0'));
        await rm(r.abs('😀'));
        const result = await r.scan();
        assert.deepEqual(result.changed.map((c) => [c.path, c.deleted]).sort(), [['a/x', true], ['a0', true], ['😀', true]].sort());
        assert.equal(result.changedCount, 3);
      });

      it('ignores directory timestamp changes', async () => {
        await r.write('d/a', 'a');
        await r.scan();
        await utimes(r.abs('d'), new Date('2020-01-01'), new Date('2020-01-01'));
        assert.deepEqual((await r.scan()).changed, []);
      });
    });

    describe('symlinks', () => {
      let outside: { dir: string; cleanup: () => Promise<void> };
      beforeEach(async () => {
        outside = await tempDir('syncline-outside-');
        await writeFile(path.join(outside.dir, 'secret.txt'), 'not yours');
      });
      afterEach(() => outside.cleanup());

      it('records a link with its target and never follows it, even to a directory outside', async () => {
        await r.write('real.txt', 'real');
        await symlink(outside.dir, r.abs('out'));
        await symlink('real.txt', r.abs('alias'));
        const spy = spyHashFile();

        const result = await r.scan({ hashFile: spy.hashFile });

        const out = await r.record('out');
        assert.deepEqual([out.kind, out.target, out.hash, out.size, out.chunks.length], ['symlink', outside.dir, sha256(outside.dir), Buffer.byteLength(outside.dir), 0]);
        const alias = await r.record('alias');
        assert.deepEqual([alias.kind, alias.target, alias.hash], ['symlink', 'real.txt', sha256('real.txt')]);
        assert.deepEqual([...(await r.all()).keys()].sort(), ['alias', 'out', 'real.txt']);
        assert.deepEqual(spy.calls, [r.abs('real.txt')], 'only the regular file was read');
        assert.equal(result.bytesHashed, 4);
      });

      it('gives a link a new record when its target changes', async () => {
        await symlink('one', r.abs('l'));
        await r.scan();
        await rm(r.abs('l'));
        await symlink('two', r.abs('l'));
        const { changed } = await r.scan();
        assert.deepEqual(changed.map((c) => [c.path, c.target]), [['l', 'two']]);
        assert.deepEqual(changed[0]!.version, { [r.store.replicaId]: 2 });
      });
    });

    describe('paths that cannot be synced', () => {
      it('skips a FIFO with a special-file problem', async () => {
        await r.write('ok', 'ok');
        execFileSync('mkfifo', [r.abs('pipe')]);

        const result = await r.scan();

        assert.deepEqual(result.problems.map((p) => [p.path, p.code]), [['pipe', 'special-file']]);
        assert.deepEqual([...(await r.all()).keys()], ['ok']);
      });

      it('keeps the record of a file replaced by a FIFO', async () => {
        await r.write('p', 'content');
        await r.scan();
        const before = await r.record('p');
        await rm(r.abs('p'));
        execFileSync('mkfifo', [r.abs('p')]);

        const result = await r.scan();

        assert.deepEqual(result.problems.map((p) => p.code), ['special-file']);
        assert.deepEqual(await r.record('p'), before);
      });

      it('skips a name with a backslash with an invalid-name problem', async () => {
        await r.write('fine', 'x');
        await r.write('back\\slash', 'x');
        const result = await r.scan();
        assert.deepEqual(result.problems.map((p) => [p.path, p.code]), [['back\\slash', 'invalid-name']]);
        assert.match(result.problems[0]!.message, /backslash/);
        assert.deepEqual([...(await r.all()).keys()], ['fine']);
      });

      it('skips a name not in NFC form, and does not tombstone the NFC record it may stand for', async () => {
        const nfc = 'caf\u00e9';
        const nfd = 'cafe\u0301';
        await r.write(nfc, 'x');
        await r.scan();
        await rename(r.abs(nfc), r.abs(nfd));

        const result = await r.scan();

        assert.deepEqual(result.problems.map((p) => [p.path, p.code]), [[nfd, 'invalid-name']]);
        assert.equal((await r.record(nfc)).deleted, false);
      });

      it('reports an unreadable file and keeps its last record', async () => {
        await r.write('locked', 'v1');
        await r.scan();
        const before = await r.record('locked');
        await r.write('locked', 'v2 changed');
        // As root, permission bits do not stop reads: the read fails through the hashFile seam instead.
        const result = await r.scan({
          hashFile: (absPath, size) => (absPath === r.abs('locked') ? Promise.reject(failWith('EACCES')) : hashFile(absPath, size)),
        });
        assert.deepEqual(result.problems.map((p) => [p.path, p.code]), [['locked', 'unreadable']]);
        assert.match(result.problems[0]!.message, /EACCES/);
        assert.deepEqual(await r.record('locked'), before);
        assert.equal((await r.scan()).changed.length, 1, 'read again once readable');
      });

      it('reads a file again when it changed while being read', async () => {
        await r.write('busy', 'start');
        let calls = 0;
        const result = await r.scan({
          hashFile: async (absPath, size) => {
            if (calls++ === 0) await appendFile(absPath, '+more');
            return hashFile(absPath, size);
          },
        });
        assert.equal(calls, 2);
        assert.deepEqual(result.problems, []);
        assert.equal((await r.record('busy')).hash, sha256('start+more'));
      });

      it('gives up on a file that keeps changing while being read, keeping its record', async () => {
        await r.write('busy', 'start');
        await r.scan();
        const before = await r.record('busy');
        await r.write('busy', 'edited');
        let calls = 0;
        const result = await r.scan({
          hashFile: async (absPath, size) => {
            calls++;
            await appendFile(absPath, '+');
            return hashFile(absPath, size);
          },
        });
        assert.equal(calls, 2);
        assert.deepEqual(result.problems.map((p) => [p.path, p.code]), [['busy', 'changed-during-scan']]);
        assert.deepEqual(await r.record('busy'), before);
      });

      it('does not tombstone the contents of a directory it cannot list', async () => {
        await r.write('locked/a', 'a');
        await r.write('locked/sub/b', 'b');
        await r.write('open/c', 'c');
        await r.scan();
        await rm(r.abs('locked/a'));
        await rm(r.abs('open/c'));
        // As root, chmod 000 does not stop readdir, so the walk's readdir fails through its fs seam.
        const result = await r.scan({
          fs: {
            readdir: (absDir) => {
              if (absDir === r.abs('locked')) throw failWith('EACCES');
              return readdirSync(absDir);
            },
          },
        });

        assert.deepEqual(result.problems.map((p) => [p.path, p.code]), [['locked', 'unreadable-dir']]);
        assert.deepEqual(result.changed.map((c) => [c.path, c.deleted]), [['open/c', true]]);
        for (const p of ['locked', 'locked/a', 'locked/sub', 'locked/sub/b']) assert.equal((await r.record(p)).deleted, false, p);
        const next = await r.scan();
        assert.deepEqual(next.changed.map((c) => [c.path, c.deleted]), [['locked/a', true]], 'once readable, the deletion is seen');
      });

      it('does not tombstone the contents of a directory without read permission (needs a non-root user)', async function () {
        if (process.getuid?.() === 0) this.skip();
        await r.write('locked/a', 'a');
        await r.scan();
        chmodSync(r.abs('locked'), 0o000);
        try {
          const result = await r.scan();
          assert.deepEqual(result.problems.map((p) => [p.path, p.code]), [['locked', 'unreadable-dir']]);
          assert.equal((await r.record('locked/a')).deleted, false);
        } finally {
          chmodSync(r.abs('locked'), 0o755);
        }
      });
    });

    describe('ignore rules', () => {
      it('makes no records for ignored files and directories, and records the ignore file itself', async () => {
        await r.write(IGNORE_FILE, '*.log\nbuild/\n');
        await r.write('keep.txt', 'k');
        await r.write('a.log', 'l');
        await r.write('sub/b.log', 'l');
        await r.write('build/out.js', 'o');
        const spy = spyHashFile();

        const result = await r.scan({ hashFile: spy.hashFile });

        assert.deepEqual([...(await r.all()).keys()].sort(), [IGNORE_FILE, 'keep.txt', 'sub']);
        assert.equal(result.entries, 3);
        assert.ok(spy.calls.every((p) => !p.endsWith('.log') && !p.includes('build')));
      });

      it('keeps the record of a path that became ignored, even once it is deleted', async () => {
        await r.write('notes.txt', 'n');
        await r.write('d/inner', 'i');
        await r.scan();
        const notes = await r.record('notes.txt');
        const inner = await r.record('d/inner');
        await r.write(IGNORE_FILE, 'notes.txt\nd/\n');
        await rm(r.abs('notes.txt'));
        await rm(r.abs('d'), { recursive: true });

        const { changed } = await r.scan();

        assert.deepEqual(changed.map((c) => c.path), [IGNORE_FILE]);
        assert.deepEqual(await r.record('notes.txt'), notes);
        assert.deepEqual(await r.record('d/inner'), inner);
      });

      it('never looks inside .syncline', async () => {
        await r.write('.syncline/extra', 'x');
        await r.write('a', 'a');
        const result = await r.scan();
        assert.deepEqual(result.changed.map((c) => c.path), ['a']);
      });
    });

    describe('with paths', () => {
      it('looks only at the given paths and what is below them', async () => {
        await r.write('a.txt', 'a');
        await r.write('b.txt', 'b');
        await r.write('gone.txt', 'g');
        await r.scan();
        await r.write('a.txt', 'a2');
        await r.write('b.txt', 'b2');
        await rm(r.abs('gone.txt'));
        const spy = spyHashFile();

        const result = await r.scan({ paths: ['a.txt'], hashFile: spy.hashFile });

        assert.deepEqual(result.changed.map((c) => c.path), ['a.txt']);
        assert.deepEqual(spy.calls, [r.abs('a.txt')]);
        assert.equal((await r.record('gone.txt')).deleted, false, 'not looked at, not tombstoned');
        assert.deepEqual((await r.scan()).changed.map((c) => c.path).sort(), ['b.txt', 'gone.txt']);
      });

      it('tombstones a given path that no longer exists, and what was below it', async () => {
        await r.write('d/x', 'x');
        await r.write('d/e/y', 'y');
        await r.write('other', 'o');
        await r.scan();
        await rm(r.abs('d'), { recursive: true });
        await rm(r.abs('other'));

        const { changed } = await r.scan({ paths: ['d'] });

        assert.deepEqual(changed.map((c) => [c.path, c.deleted]).sort(), [['d', true], ['d/e', true], ['d/e/y', true], ['d/x', true]]);
        assertContentsFirst(changed.map((c) => c.path));
        assert.equal((await r.record('other')).deleted, false);
      });

      it('creates records for the new directories above a new file', async () => {
        await r.write('n/m/f.txt', 'f');
        await r.write('unrelated.txt', 'u');
        const { changed } = await r.scan({ paths: ['n/m/f.txt'] });
        assert.deepEqual(changed.map((c) => c.path), ['n', 'n/m', 'n/m/f.txt']);
        assert.deepEqual([...(await r.all()).keys()].sort(), ['n', 'n/m', 'n/m/f.txt']);
      });

      it('widens to the ancestor that stopped being a directory', async () => {
        await r.write('w/x', 'x');
        await r.scan();
        await rm(r.abs('w'), { recursive: true });
        await r.write('w', 'now a file');

        const { changed } = await r.scan({ paths: ['w/x'] });

        assert.deepEqual(changed.map((c) => [c.path, c.kind, c.deleted]).sort(), [['w', 'file', false], ['w/x', 'file', true]]);
      });

      it('scans directories given more than once, nested, or with a trailing slash, once', async () => {
        await r.write('d/a', 'a');
        await r.write('d/s/b', 'b');
        const spy = spyHashFile();
        const { changed } = await r.scan({ paths: ['d/s', 'd', 'd/s/b', 'd/'], hashFile: spy.hashFile });
        assert.deepEqual(changed.map((c) => c.path).sort(), ['d', 'd/a', 'd/s', 'd/s/b']);
        assert.equal(spy.calls.length, 2);
      });

      it('silently drops paths inside .syncline, and reports invalid ones', async () => {
        await r.write('a', 'a');
        const result = await r.scan({ paths: ['.syncline/db/LOG', '.syncline', '../escape', 'x\\y'] });
        assert.deepEqual(result.changed, []);
        assert.deepEqual(result.problems.map((p) => [p.path, p.code]), [['../escape', 'invalid-name'], ['x\\y', 'invalid-name']]);
      });

      it('scans the whole tree when the ignore file is among the paths', async () => {
        await r.write('big.bin', 'b');
        await r.write(IGNORE_FILE, '*.bin\n');
        await r.scan();
        assert.equal(await r.entry('big.bin'), undefined);
        await writeFile(r.abs(IGNORE_FILE), '# nothing ignored now\n');
        const { changed } = await r.scan({ paths: [IGNORE_FILE] });
        assert.deepEqual(changed.map((c) => c.path).sort(), [IGNORE_FILE, 'big.bin']);
      });

      it('ignores a given path that the rules ignore', async () => {
        await r.write(IGNORE_FILE, 'tmp/\n');
        await r.scan();
        await r.write('tmp/t', 't');
        assert.deepEqual((await r.scan({ paths: ['tmp/t', 'tmp'] })).changed, []);
      });
    });

    describe('the replica root', () => {
      it('refuses a root without .syncline, so an unmounted drive is not taken for a mass deletion', async () => {
        await r.write('a', 'a');
        await r.scan();
        const { dir: empty, cleanup } = await tempDir();
        try {
          await assert.rejects(scanReplica(empty, r.store, r.clock), (err: unknown) => {
            assert.ok(err instanceof ReplicaRootError);
            assert.equal(err.code, 'SYNCLINE_REPLICA_ROOT_MISSING');
            assert.match(err.message, /mount/);
            return true;
          });
          await assert.rejects(scanReplica(path.join(empty, 'nope'), r.store, new ReplicaClock()), { code: 'SYNCLINE_REPLICA_ROOT_MISSING' });
        } finally {
          await cleanup();
        }
        assert.equal((await r.record('a')).deleted, false);
      });
    });

    it('accepts a root written with a trailing slash', async () => {
      await r.write('a', 'a');
      const result = await scanReplica(`${r.root}/`, r.store, r.clock);
      assert.deepEqual(result.changed.map((c) => c.path), ['a']);
    });

    it('records an empty directory', async () => {
      await mkdir(r.abs('empty-dir'));
      const { changed } = await r.scan();
      assert.deepEqual(changed.map((c) => [c.path, c.kind]), [['empty-dir', 'dir']]);
    });
  });
}
