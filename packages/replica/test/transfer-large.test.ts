import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileRecord } from '@syncline/core';
import { serveChunks, type ChunkRequest } from '../src/chunk-reader.js';
import { emptyTransferStats, prepareFiles, SMALL_FILE_MAX, type ChunkSource } from '../src/transfer.js';
import { partialPath } from '../src/tmp.js';
import { makeReplica, STORE_KINDS, type ReplicaFixture } from './helpers/replica-fixture.js';
import { seededBytes } from './helpers/seeded-bytes.js';

const CONTENT = seededBytes(11, 3 * SMALL_FILE_MAX + 12345);

describe('prepareFiles, large files (memory store)', () => {
  let from: ReplicaFixture;
  let to: ReplicaFixture;
  let record: FileRecord;
  beforeEach(async () => {
    from = await makeReplica(STORE_KINDS[0]!);
    to = await makeReplica(STORE_KINDS[0]!);
    await from.write('big', CONTENT);
    await from.scan();
    record = await from.record('big');
    assert.ok(record.chunks.length > 2, 'the content spans several chunks');
  });
  afterEach(async () => {
    await from.close();
    await to.close();
  });

  /** Serves from `from`, passing each reply through `alter`; records what is given back. */
  function sourceOf(alter: (reply: Map<string, Uint8Array>) => void = () => undefined): ChunkSource & { released: Uint8Array[] } {
    const released: Uint8Array[] = [];
    const fetch = async (requests: readonly ChunkRequest[]) => {
      const reply = await serveChunks(from.root, from.store, requests);
      alter(reply);
      return reply;
    };
    return Object.assign(fetch, { released, release: (chunks: Iterable<Uint8Array>) => void released.push(...chunks) });
  }

  it('streams the file into tmp, verifies it, and gives every fetched chunk back', async () => {
    const source = sourceOf();
    const stats = emptyTransferStats();
    const { prepared, problems } = await prepareFiles(to.root, to.store, [record], source, stats, { fsync: false });
    assert.deepEqual(problems, []);
    assert.deepEqual(await readFile(prepared.get(record.hash)!), CONTENT);
    assert.equal(stats.bytesTransferred, CONTENT.length);
    assert.equal(
      source.released.reduce((n, c) => n + c.byteLength, 0),
      CONTENT.length,
    );
  });

  it('refuses content that does not hash to the record, and leaves no partial file', async () => {
    const source = sourceOf((reply) => {
      const [hash, data] = [...reply][0]!;
      const forged = Uint8Array.from(data);
      forged[0] = forged[0]! ^ 1;
      reply.set(hash, forged);
    });
    const { prepared, problems } = await prepareFiles(to.root, to.store, [record], source, emptyTransferStats(), { fsync: false });
    assert.equal(prepared.size, 0);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['hash-mismatch'],
    );
    assert.equal(existsSync(partialPath(to.root, record.hash)), false);
  });

  it('resumes a partial file after its last verified chunk, and still verifies the whole', async () => {
    const first = record.chunks[0]!.size;
    const part = partialPath(to.root, record.hash);
    await mkdir(path.dirname(part), { recursive: true });
    // The first chunk as it should be, then bytes that are not the second chunk.
    await writeFile(part, Buffer.concat([CONTENT.subarray(0, first), Buffer.alloc(1000, 7)]));
    const stats = emptyTransferStats();
    const { prepared, problems } = await prepareFiles(to.root, to.store, [record], sourceOf(), stats, { fsync: false });
    assert.deepEqual(problems, []);
    assert.deepEqual(await readFile(prepared.get(record.hash)!), CONTENT);
    assert.equal(stats.bytesResumed, first);
    assert.equal(stats.bytesTransferred, CONTENT.length - first);
  });
});
