import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { serveChunks } from '../src/chunk-reader.js';
import { makeReplica, STORE_KINDS, type ReplicaFixture } from './helpers/replica-fixture.js';
import { seededBytes } from './helpers/seeded-bytes.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

for (const kind of STORE_KINDS) {
  describe(`serveChunks (${kind.name})`, () => {
    let r: ReplicaFixture;
    beforeEach(async () => (r = await makeReplica(kind)));
    afterEach(() => r.close());

    /** The requests a peer would make for every chunk of `path` as indexed. */
    async function requestsFor(path: string) {
      const record = await r.record(path);
      let offset = 0;
      return record.chunks.map((c) => {
        const request = { hash: c.hash, path, offset, size: c.size };
        offset += c.size;
        return request;
      });
    }

    for (const size of [5000, 3 << 20]) {
      it(`serves the chunks of an unchanged file, and none of a file rewritten since its scan (${size} bytes)`, async () => {
        const content = seededBytes(7, size);
        await r.write('f', content);
        await r.scan();
        const requests = await requestsFor('f');
        const served = await serveChunks(r.root, r.store, requests);
        assert.equal(served.size, requests.length);
        for (const q of requests) assert.equal(sha256(served.get(q.hash)!), q.hash);

        const rewritten = Buffer.from(content);
        rewritten[0] = rewritten[0]! ^ 0xff;
        rewritten[rewritten.length - 1] = rewritten[rewritten.length - 1]! ^ 0xff;
        await writeFile(r.abs('f'), rewritten);
        await utimes(r.abs('f'), new Date(1_000_000_000_000), new Date(1_000_000_000_000));
        const after = await serveChunks(r.root, r.store, requests);
        for (const [hash, data] of after) assert.equal(sha256(data), hash, 'whatever is served holds the chunk asked for');
        assert.ok(!after.has(requests[0]!.hash) && !after.has(requests.at(-1)!.hash), 'the changed chunks are not served');
      });
    }

    it('serves nothing from a path the index does not hold', async () => {
      await r.write('indexed', 'abc');
      await r.scan();
      await r.write('secret', 'abc');
      const served = await serveChunks(r.root, r.store, [{ hash: sha256(Buffer.from('abc')), path: 'secret', offset: 0, size: 3 }]);
      assert.deepEqual([...served.values()].map((d) => Buffer.from(d).toString()), ['abc'], 'found where the index says it lies');
      const none = await serveChunks(r.root, r.store, [{ hash: sha256(Buffer.from('zzz')), path: 'secret', offset: 0, size: 3 }]);
      assert.equal(none.size, 0);
    });
  });
}
