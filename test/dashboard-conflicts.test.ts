import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import { conflictCopyPath } from '@syncline/core';
import { loadDismissedCopies } from '@syncline/engine';
import { DiskReplica } from '@syncline/replica';
import { listFolderConflicts, parseConflictCopy, registerConflictMethods, resolveConflicts } from '../packages/daemon/src/api-conflicts.js';
import { ApiServer } from '../packages/daemon/src/api-server.js';
import { tempDir } from './helpers/tmp.js';

const REPLICA = 'abcdefghijk23';
const WHEN = Date.UTC(2025, 2, 4, 17, 5, 9);

async function put(root: string, rel: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), content);
}

async function trashed(root: string): Promise<string[]> {
  const base = path.join(root, '.syncline/trash');
  if (!existsSync(base)) return [];
  const out: string[] = [];
  for (const bucket of await readdir(base)) {
    assert.match(bucket, /^\d{8}-\d{6}-dashboard$/);
    for (const e of await readdir(path.join(base, bucket), { recursive: true, withFileTypes: true })) {
      if (e.isFile()) out.push(path.relative(path.join(base, bucket), path.join(e.parentPath, e.name)));
    }
  }
  return out.sort();
}

describe('conflict methods of the control API (api-conflicts.ts)', () => {
  let dir: string;
  let root: string;
  let cleanup: () => Promise<void>;
  let replica: DiskReplica;
  const folder = () => ({ id: 'docs', path: root, store: replica.store });
  /** What the daemon's watcher does after a change: index the folder. */
  const scan = () => replica.scan();

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('syncline-dash-conflicts-'));
    root = path.join(dir, 'docs');
    await mkdir(root);
    replica = await DiskReplica.open(root);
  });
  afterEach(async () => {
    await replica.close();
    await cleanup();
  });

  it('reads the original, replica and time back from every name core gives a conflict copy', () => {
    for (const original of ['report.txt', 'a/b/photo.tar.gz', '.bashrc', 'Makefile', 'dir.v2/notes', 'x.sync-conflict-20240101-000000-zz.txt']) {
      const copy = conflictCopyPath(original, WHEN, REPLICA);
      assert.deepEqual(parseConflictCopy(copy), { original, replica: REPLICA, versionMs: WHEN }, copy);
    }
    assert.equal(parseConflictCopy('report.txt'), undefined);
    assert.equal(parseConflictCopy('report.sync-conflict-2025-x.txt'), undefined);
  });

  it('lists indexed conflict copies with size, time and peer; skips .syncline, ordinary files and copies gone from disk', async () => {
    const copy = conflictCopyPath('sub/report.txt', WHEN, REPLICA);
    await put(root, 'sub/report.txt', 'mine\n');
    await put(root, copy, 'theirs, longer\n');
    await utimes(path.join(root, copy), 1_700_000_000, 1_700_000_000);
    await put(root, '.syncline/trash/x/' + conflictCopyPath('old.txt', WHEN, REPLICA), 'trashed');
    await put(root, 'plain.txt', 'nothing to see');
    const gone = conflictCopyPath('gone.txt', WHEN, REPLICA);
    await put(root, gone, 'about to go');
    await scan();
    await rm(path.join(root, gone));
    const { items, truncated } = await listFolderConflicts(folder());
    assert.equal(truncated, false);
    assert.deepEqual(items, [{ folder: 'docs', path: 'sub/report.txt', copy, size: 15, mtimeMs: 1_700_000_000_000, peer: REPLICA, versionMs: WHEN, kind: 'conflict-copy' }]);
  });

  it('keep-mine moves the copy into .syncline/trash/<stamp>-dashboard and keeps the original', async () => {
    const copy = conflictCopyPath('report.txt', WHEN, REPLICA);
    await put(root, 'report.txt', 'mine\n');
    await put(root, copy, 'theirs\n');
    assert.deepEqual(await resolveConflicts(folder(), [copy], 'keep-mine'), [{ copy, ok: true }]);
    assert.equal(existsSync(path.join(root, copy)), false);
    assert.equal(await readFile(path.join(root, 'report.txt'), 'utf8'), 'mine\n');
    assert.deepEqual(await trashed(root), [copy]);
  });

  it('take-theirs puts the copy in the original’s place; the original goes to the trash first', async () => {
    const copy = conflictCopyPath('a/report.txt', WHEN, REPLICA);
    await put(root, 'a/report.txt', 'mine\n');
    await put(root, copy, 'theirs\n');
    assert.deepEqual(await resolveConflicts(folder(), [copy], 'take-theirs'), [{ copy, ok: true }]);
    assert.equal(await readFile(path.join(root, 'a/report.txt'), 'utf8'), 'theirs\n');
    assert.equal(existsSync(path.join(root, copy)), false);
    assert.deepEqual(await trashed(root), ['a/report.txt']);
    const bucket = (await readdir(path.join(root, '.syncline/trash')))[0]!;
    assert.equal(await readFile(path.join(root, '.syncline/trash', bucket, 'a/report.txt'), 'utf8'), 'mine\n');
  });

  it('take-theirs where the original became a directory moves the directory to the trash', async () => {
    const copy = conflictCopyPath('thing', WHEN, REPLICA);
    await put(root, 'thing/inside.txt', 'dir content\n');
    await put(root, copy, 'the file\n');
    assert.deepEqual(await resolveConflicts(folder(), [copy], 'take-theirs'), [{ copy, ok: true }]);
    assert.equal(await readFile(path.join(root, 'thing'), 'utf8'), 'the file\n');
    assert.deepEqual(await trashed(root), ['thing/inside.txt']);
  });

  it('keep-both renames nothing and dismisses the copy in the store, as `syncline conflicts` does, until it changes', async () => {
    const copy = conflictCopyPath('report.txt', WHEN, REPLICA);
    await put(root, 'report.txt', 'mine\n');
    await put(root, copy, 'theirs\n');
    await scan();
    assert.equal((await listFolderConflicts(folder())).items.length, 1);
    assert.deepEqual(await resolveConflicts(folder(), [copy], 'keep-both'), [{ copy, ok: true }]);
    assert.equal(await readFile(path.join(root, copy), 'utf8'), 'theirs\n');
    assert.deepEqual(await loadDismissedCopies(replica.store).then((d) => d.map((x) => x.path)), [copy]);
    assert.deepEqual((await listFolderConflicts(folder())).items, []);
    await writeFile(path.join(root, copy), 'theirs, edited\n');
    await scan();
    assert.equal((await listFolderConflicts(folder())).items.length, 1, 'an edited copy shows again');
  });

  it('refuses paths that are not conflict copies, escape the folder or go through a symlink', async () => {
    const outside = path.join(dir, 'outside');
    await put(outside, conflictCopyPath('x.txt', WHEN, REPLICA), 'outside\n');
    await symlink(outside, path.join(root, 'link'));
    await put(root, 'plain.txt', 'plain\n');
    const bad = ['plain.txt', `../outside/${conflictCopyPath('x.txt', WHEN, REPLICA)}`, `link/${conflictCopyPath('x.txt', WHEN, REPLICA)}`, `/etc/${conflictCopyPath('passwd', WHEN, REPLICA)}`, `.syncline/${conflictCopyPath('db', WHEN, REPLICA)}`, conflictCopyPath('gone.txt', WHEN, REPLICA)];
    for (const action of ['keep-mine', 'take-theirs'] as const) {
      const outcomes = await resolveConflicts(folder(), bad, action);
      assert.deepEqual(outcomes.map((o) => o.ok), bad.map(() => false), action);
    }
    assert.equal(await readFile(path.join(outside, conflictCopyPath('x.txt', WHEN, REPLICA)), 'utf8'), 'outside\n');
    assert.equal(await readFile(path.join(root, 'plain.txt'), 'utf8'), 'plain\n');
    assert.deepEqual(await trashed(root), []);
  });

  it('over the WebSocket: conflicts.list, conflicts.resolve with a per-copy outcome, and a conflicts event', async () => {
    const token = 'e'.repeat(64);
    const api = new ApiServer(token);
    registerConflictMethods(api, () => new Map([['docs', { config: { id: 'docs', path: root }, store: replica.store }], ['stopped', { config: { id: 'stopped', path: dir }, store: undefined }]]));
    const port = await api.listen(0);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: { authorization: `Bearer ${token}` } });
    const messages: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    ws.on('message', (raw) => {
      messages.push(JSON.parse(String(raw)) as Record<string, unknown>);
      for (const w of waiters.splice(0)) w();
    });
    const next = async (match: (m: Record<string, unknown>) => boolean) => {
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    let id = 0;
    const call = async (method: string, params: unknown) => {
      const mine = ++id;
      ws.send(JSON.stringify({ id: mine, method, params }));
      return next((m) => m.id === mine);
    };
    try {
      await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
      const copy = conflictCopyPath('report.txt', WHEN, REPLICA);
      await put(root, 'report.txt', 'mine\n');
      await put(root, copy, 'theirs\n');
      await scan();
      const listed = (await call('conflicts.list', {})) as { result: { items: { copy: string }[] } };
      assert.deepEqual(listed.result.items.map((i) => i.copy), [copy]);
      const resolved = (await call('conflicts.resolve', { folder: 'docs', copies: [copy, 'plain.txt'], action: 'take-theirs' })) as { result: { outcomes: { ok: boolean }[] } };
      assert.deepEqual(resolved.result.outcomes.map((o) => o.ok), [true, false]);
      const event = await next((m) => m.event === 'conflicts');
      assert.deepEqual(event.data, { folder: 'docs', action: 'take-theirs', resolved: [copy] });
      assert.equal(await readFile(path.join(root, 'report.txt'), 'utf8'), 'theirs\n');
      const errors = await Promise.all([
        call('conflicts.resolve', { folder: 'nope', copies: [copy], action: 'keep-mine' }),
        call('conflicts.resolve', { folder: 'docs', copies: [copy], action: 'delete-everything' }),
        call('conflicts.resolve', { folder: 'docs', copies: [], action: 'keep-mine' }),
        call('conflicts.list', { folder: 'nope' }),
        call('conflicts.resolve', { folder: 'stopped', copies: [copy], action: 'keep-mine' }),
      ]);
      assert.deepEqual(errors.map((e) => (e.error as { code: string }).code), ['SYNCLINE_NO_FOLDER', 'SYNCLINE_API_BAD_REQUEST', 'SYNCLINE_API_BAD_REQUEST', 'SYNCLINE_NO_FOLDER', 'SYNCLINE_FOLDER_NOT_RUNNING']);
    } finally {
      ws.close();
      await api.stop();
    }
  });
});
