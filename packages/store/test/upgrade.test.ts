import assert from 'node:assert/strict';
import { Level } from 'level';
import { Packr } from 'msgpackr';
import { tempDir } from '../../../test/helpers/tmp.js';
import { ALL_CHUNK_COUNTS, ALL_STAMPS, chunkCountKey, FORMAT_KEY } from '../src/keys.js';
import { openStore, StoreOpenError, type LevelStore } from '../src/index.js';
import { change, chunk, collect } from './records.js';

const packr = new Packr({ useRecords: false, structuredClone: false, mapsAsObjects: true });

describe('LevelStore format upgrade', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let store: LevelStore;
  const [x, y] = [chunk('x', 10), chunk('y', 20)];

  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir('syncline-store-upgrade-'));
    store = await openStore(root);
    await store.commit([change('a', { chunks: [x, y] }), change('b', { chunks: [y] }), change('d', { kind: 'dir' }), change('gone', { deleted: true })]);
  });

  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  /** Turns the store into what format 1 wrote: no path stamps, no chunk counts. */
  async function downgradeToFormat1(): Promise<void> {
    await store.close();
    const raw = new Level<Buffer, Buffer>(store.dbDir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await raw.open();
    for (const range of [ALL_STAMPS, ALL_CHUNK_COUNTS]) await raw.clear(range);
    await raw.put(FORMAT_KEY, packr.pack(1));
    await raw.close();
  }

  it('derives the stamps and chunk counts of a format 1 store when it opens', async () => {
    const stampsBefore = (await collect(store.stamps())).flat();
    await downgradeToFormat1();
    store = await openStore(root);
    assert.deepEqual((await collect(store.stamps())).flat(), stampsBefore);
    assert.deepEqual([...(await store.findChunks([x.hash, y.hash])).keys()].sort(), [x.hash, y.hash].sort());
    await store.close();

    const raw = new Level<Buffer, Buffer>(store.dbDir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await raw.open();
    assert.equal(packr.unpack((await raw.get(FORMAT_KEY))!), 2);
    assert.equal(packr.unpack((await raw.get(chunkCountKey(y.hash)))!), 2, 'y lies in two files');
    await raw.close();

    store = await openStore(root);
    await store.commit([change('b', { version: 2, deleted: true })]);
    assert.deepEqual((await store.findChunks([y.hash])).get(y.hash), [{ path: 'a', offset: 10, size: 20 }], 'counts stay in step after the upgrade');
  });

  it('refuses a store of an unknown format', async () => {
    await store.close();
    const raw = new Level<Buffer, Buffer>(store.dbDir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await raw.open();
    await raw.put(FORMAT_KEY, packr.pack(3));
    await raw.close();
    await assert.rejects(openStore(root), StoreOpenError);
  });
});
