import assert from 'node:assert/strict';
import { applySelection, conflictKey, nextSort, pruneSelection, sortConflicts } from '../packages/daemon/web/src/conflict-table.js';
import { formatBytes, shortId } from '../packages/daemon/web/src/format.js';
import { DashboardModel } from '../packages/daemon/web/src/model.js';
import { folderProgress } from '../packages/daemon/web/src/progress.js';
import { RateMeter } from '../packages/daemon/web/src/rates.js';
import type { ConflictItem, FolderStatus } from '../packages/daemon/web/src/types.js';

/** The dashboard's logic without a browser: what events do to the model, progress, rates, sorting, selection. */

const ZERO = { bytesTransferred: 0, bytesReused: 0, bytesResumed: 0, filesPrepared: 0 };
const PEER = '12D3KooWPeerAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const folder = (over: Partial<FolderStatus> = {}): FolderStatus => ({ id: 'docs', path: '/d', devices: [PEER], state: 'idle', transfer: ZERO, totals: ZERO, ...over });

describe('dashboard logic (web/src, no browser)', () => {
  it('a folder goes from waiting, through live progress, to 100 % when the session ends', () => {
    let now = 1_000;
    const m = new DashboardModel(() => now);
    m.loadStatus({ deviceId: 'self', addresses: [], apiPort: 1, folders: [folder()], peers: [{ deviceId: PEER, name: 'laptop', addrs: [], connected: true }] });
    const progress = () => folderProgress(m.folders[0]!, (id) => m.peerName(id));
    assert.equal(progress().headline, 'Waiting for a device');
    assert.equal(progress().percent, 0);

    m.apply('folder', folder({ state: 'syncing' }));
    assert.equal(progress().percent, undefined, 'no totals yet: indeterminate');
    m.apply('progress', { folder: 'docs', peer: PEER, ...ZERO, filesPlanned: 4, bytesPlanned: 4_000_000 });
    now += 1_000;
    m.apply('progress', { folder: 'docs', peer: PEER, ...ZERO, bytesTransferred: 2_000_000, bytesReused: 1_000_000, filesPrepared: 3, filesPlanned: 4, bytesPlanned: 4_000_000 });
    assert.equal(progress().percent, 75);
    assert.equal(progress().headline, 'Syncing with laptop');
    assert.equal(progress().files, '3 of 4 files');
    assert.equal(m.folders[0]!.rate, 2_000_000, 'bytes received per second');
    assert.equal(m.peers[0]!.rate, 2_000_000);

    m.apply('synced', { folder: 'docs', peer: PEER, applied: 4, conflicts: [], problems: [] });
    m.apply('folder', folder({ state: 'idle', lastSync: { peer: PEER, atMs: now, applied: 4 } }));
    assert.equal(progress().percent, 100);
    assert.equal(progress().headline, 'Up to date');
    assert.equal(m.folders[0]!.rate, 0, 'no rate once the session ended');
    assert.deepEqual(m.feed.map((e) => e.text), ['docs: 4 changes from laptop']);
  });

  it('events say when the conflicts list or the peers need fetching; peers come and go in the feed', () => {
    const m = new DashboardModel(() => 0);
    m.loadStatus({ deviceId: 'self', addresses: [], apiPort: 1, folders: [folder()], peers: [{ deviceId: PEER, addrs: [], connected: false }] });
    assert.deepEqual(m.apply('conflict', { folder: 'docs', peer: PEER, copy: 'a.sync-conflict-20250101-000000-x.txt' }), { conflicts: true, peers: false });
    assert.deepEqual(m.apply('synced', { folder: 'docs', peer: PEER, applied: 0, conflicts: [], problems: [] }), { conflicts: false, peers: false });
    assert.deepEqual(m.apply('peer', { deviceId: 'someone-new', connected: true }), { conflicts: false, peers: true });
    m.apply('peer', { deviceId: PEER, connected: true });
    assert.equal(m.peers[0]!.connected, true);
    assert.match(m.feed[0]!.text, /connected$/);
    const entries = m.feed.length;
    m.apply('peer', { deviceId: PEER, connected: false });
    m.apply('peer', { deviceId: PEER, connected: true });
    assert.equal(m.feed.length, entries, 'a quick reconnect replaces the entry instead of piling up');
    assert.match(m.feed[0]!.text, / connected$/);
    assert.deepEqual(m.apply('unknown-event', {}), { conflicts: false, peers: false });
  });

  it('rates: a smoothed byte rate; a counter that goes down is a new session', () => {
    const r = new RateMeter();
    assert.equal(r.update('k', 0, 0), 0);
    assert.equal(r.update('k', 1000, 1000), 1000);
    assert.equal(r.update('k', 4000, 2000), 2000);
    assert.equal(r.update('k', 100, 3000), 0);
    r.reset('k');
    assert.equal(r.total(() => true), 0);
  });

  it('sorts conflicts by each column and selects ranges in the displayed order', () => {
    const item = (copy: string, path: string, size: number, mtimeMs: number, peer: string): ConflictItem => ({ folder: 'docs', path, copy, size, mtimeMs, peer, kind: 'conflict-copy' });
    const items = [item('c1', 'b.txt', 30, 3, 'p2'), item('c2', 'a10.txt', 10, 1, 'p1'), item('c3', 'a9.txt', 20, 2, 'p1')];
    const order = (key: Parameters<typeof sortConflicts>[1], dir: Parameters<typeof sortConflicts>[2]) => sortConflicts(items, key, dir).map((c) => c.copy);
    assert.deepEqual(order('path', 'ascending'), ['c3', 'c2', 'c1'], 'numeric-aware: a9 before a10');
    assert.deepEqual(order('size', 'descending'), ['c1', 'c3', 'c2']);
    assert.deepEqual(order('time', 'ascending'), ['c2', 'c3', 'c1']);
    assert.deepEqual(order('peer', 'ascending'), ['c2', 'c3', 'c1'], 'ties by copy path');
    assert.deepEqual(nextSort({ key: 'path', direction: 'ascending' }, 'path'), { key: 'path', direction: 'descending' });
    assert.deepEqual(nextSort({ key: 'path', direction: 'ascending' }, 'time'), { key: 'time', direction: 'descending' });

    const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
    let sel = applySelection(new Set(), keys, 'k1', true, undefined, false);
    sel = applySelection(sel, keys, 'k3', true, 'k1', true);
    assert.deepEqual([...sel].sort(), ['k1', 'k2', 'k3']);
    sel = applySelection(sel, keys, 'k2', false, 'k3', true);
    assert.deepEqual([...sel].sort(), ['k1'], 'a shift-click that unchecks clears the range');
    assert.deepEqual([...pruneSelection(new Set(['k1', 'gone']), keys)], ['k1']);
    assert.equal(conflictKey({ folder: 'a', copy: 'b' }), 'a\u0000b');
  });

  it('formats sizes and device IDs for people', () => {
    assert.equal(formatBytes(0), '0\u00a0B');
    assert.match(formatBytes(1536), /^1[.,]5\u00a0KB$/);
    assert.equal(formatBytes(250_000_000), '250\u00a0MB');
    assert.equal(shortId(PEER), '12D3KooW…AAAA');
  });
});
