import assert from 'node:assert/strict';
import { Level } from 'level';
import { Packr } from 'msgpackr';
import { SchemaError } from '@syncline/core';
import { tempDir } from '../../../test/helpers/tmp.js';
import { chunkCountKey, chunkKey, LAST_SEQ_KEY, metaKey, orderedBytes, recordKey, REPLICA_ID_KEY, seqKey, stampKey, syncObjectKey } from '../src/keys.js';
import { openStore, StoreCorruptError, type LevelStore } from '../src/index.js';
import { change, chunk, collect, record } from './records.js';

const GARBAGE = Buffer.from([0xc1, 0xff, 0x00, 0x13, 0x37]);
const packr = new Packr({ useRecords: false, structuredClone: false, mapsAsObjects: true });
const PEER = 'bbbbbbbbbbbbb';

/** Asserts a StoreCorruptError naming `keyText` and caused by a SchemaError. */
function corruptAt(keyText: string) {
  return (err: unknown) => {
    assert.ok(err instanceof StoreCorruptError, `expected StoreCorruptError, got ${String(err)}`);
    assert.equal(err.code, 'SYNCLINE_STORE_CORRUPT');
    assert.equal(err.key, JSON.stringify(keyText));
    assert.ok(err.message.includes(JSON.stringify(keyText)), err.message);
    assert.ok(err.cause instanceof SchemaError, 'the schema failure is chained as the cause');
    return true;
  };
}

describe('LevelStore on disk: bookkeeping and corrupted values', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let store: LevelStore;

  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir('syncline-store-corrupt-'));
    store = await openStore(root);
    await store.commit([change('a.txt', { chunks: [chunk('x', 4)] }), change('b.txt')]);
    await store.putSyncObject({ id: 's', hlc: { t: 1, c: 0 }, seqs: { [store.replicaId]: 2, [PEER]: 1 } });
    await store.setMeta('k', 1);
  });

  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  /** Closes the store, overwrites one key through a raw LevelDB handle, reopens. */
  async function overwrite(key: Buffer, value: Buffer): Promise<void> {
    await store.close();
    const raw = new Level<Buffer, Buffer>(store.dbDir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await raw.open();
    await raw.put(key, value);
    await raw.close();
    store = await openStore(root);
  }

  it('reports garbage bytes under a record key as StoreCorruptError naming the key', async () => {
    await overwrite(recordKey('a.txt'), GARBAGE);
    await assert.rejects(store.get('a.txt'), corruptAt('p!a.txt'));
    await assert.rejects(store.getMany(['b.txt', 'a.txt']), corruptAt('p!a.txt'));
    await assert.rejects(collect(store.entries()), corruptAt('p!a.txt'));
    await assert.rejects(store.changesSince(0, 10), corruptAt('p!a.txt'));
    await assert.rejects(store.commit([change('a.txt', { version: 2 })]), corruptAt('p!a.txt'));
    assert.equal((await store.get('b.txt'))?.record.path, 'b.txt', 'other keys stay readable');
  });

  it('reports a well-formed MessagePack record with a bad field, naming the field', async () => {
    const bad = { record: { ...record('a.txt', { seq: 1 }), size: -5 }, stat: null };
    await overwrite(recordKey('a.txt'), packr.pack(bad));
    await assert.rejects(store.get('a.txt'), (err: unknown) => corruptAt('p!a.txt')(err) && /"size"/.test((err as Error).message));
  });

  it('reports a bad stat stamp', async () => {
    await overwrite(recordKey('a.txt'), packr.pack({ record: record('a.txt', { seq: 1 }), stat: { size: 1, mtimeMs: 'x', ctimeMs: 0, ino: 0 } }));
    await assert.rejects(store.get('a.txt'), corruptAt('p!a.txt'));
  });

  it('reports a record stored under another path', async () => {
    await overwrite(recordKey('a.txt'), packr.pack({ record: record('b.txt', { seq: 1 }), stat: null }));
    await assert.rejects(store.get('a.txt'), corruptAt('p!a.txt'));
  });

  it('reports a corrupt path stamp and a corrupt chunk count', async () => {
    await overwrite(stampKey('a.txt'), Buffer.from([0x01, 0x02]));
    await assert.rejects(collect(store.stamps()), corruptAt('t!a.txt'));
    await overwrite(stampKey('a.txt'), Buffer.concat([Buffer.from([0b1000]), Buffer.alloc(32, 0xff)]));
    await assert.rejects(collect(store.stamps({ under: 'a.txt' })), corruptAt('t!a.txt'));
    const hash = chunk('x', 4).hash;
    await overwrite(chunkCountKey(hash), packr.pack('many'));
    await assert.rejects(store.findChunks([hash]), corruptAt(`h!${hash}`));
  });

  it('reports a change-log slot that names a record with another seq', async () => {
    await overwrite(seqKey(2), packr.pack('a.txt'));
    await assert.rejects(store.changesSince(0, 10), corruptAt('s!0000000000000002'));
  });

  it('reports a corrupted chunk location, sync object and setting', async () => {
    const hash = chunk('x', 4).hash;
    await overwrite(chunkKey(hash, 'a.txt'), packr.pack({ path: 'a.txt', offset: -1, size: 4 }));
    await assert.rejects(store.findChunk(hash), corruptAt(`c!${hash}\0a.txt`));

    await overwrite(syncObjectKey(PEER, { t: 1, c: 0 }, 's'), GARBAGE);
    await assert.rejects(store.syncObjects(PEER), corruptAt(`o!${PEER}\0${'1'.padStart(16, '0')}\0${'0'.padStart(16, '0')}\0s`));

    await overwrite(metaKey('k'), GARBAGE);
    await assert.rejects(store.getMeta('k'), corruptAt('m!k'));
  });

  it('refuses to open a store whose replica ID is corrupt, and leaves it unlocked', async () => {
    await store.close();
    const raw = new Level<Buffer, Buffer>(store.dbDir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await raw.open();
    await raw.put(REPLICA_ID_KEY, packr.pack('NOT A REPLICA ID'));
    await raw.close();
    await assert.rejects(openStore(root), corruptAt('i!replica-id'));
    await raw.open(); // would fail with LEVEL_LOCKED if the failed open had kept the database
    await raw.close();
  });

  it('persists the last seq with the entries it numbers', async () => {
    await store.commit([change('c.txt')]);
    await store.close();
    const raw = new Level<Buffer, Buffer>(store.dbDir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    const stored = await raw.get(LAST_SEQ_KEY);
    await raw.close();
    assert.ok(stored);
    assert.equal(packr.unpack(stored), 3);
    store = await openStore(root);
  });

  it('never hands out a seq again, even if the stored last seq was set back', async () => {
    await overwrite(LAST_SEQ_KEY, packr.pack(0));
    assert.equal(store.lastSeq(), 2);
    const [next] = await store.commit([change('c.txt')]);
    assert.equal(next?.seq, 3);
  });

  it('names keys with characters outside the BMP faithfully', async () => {
    await store.commit([change('😀/Ａ')]);
    await overwrite(recordKey('😀/Ａ'), GARBAGE);
    assert.notDeepEqual(orderedBytes('😀'), Buffer.from('😀'), 'such keys are not plain UTF-8');
    await assert.rejects(store.get('😀/Ａ'), corruptAt('p!😀/Ａ'));
  });
});
