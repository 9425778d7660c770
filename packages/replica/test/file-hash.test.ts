import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../../../test/helpers/tmp.js';
import { chunkLengths, MIN_CHUNK_SIZE } from '../src/chunker.js';
import { EMPTY_SHA256, hashBuffer, hashFile, hashFileSync, READ_BUFFER_SIZE, StreamingHasher } from '../src/file-hash.js';
import { seededBytes } from './helpers/seeded-bytes.js';

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

describe('file-hash', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  async function fileWith(data: Buffer, name = 'f'): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, data);
    return file;
  }

  /** The chunk list must describe the content exactly: lengths from the chunker, each hash over its slice. */
  function assertDescribes(result: { hash: string; size: number; chunks: readonly { hash: string; size: number }[] }, data: Buffer): void {
    assert.equal(result.hash, sha256(data));
    assert.equal(result.size, data.length);
    assert.deepEqual(
      result.chunks.map((c) => c.size),
      chunkLengths(data),
    );
    let offset = 0;
    for (const chunk of result.chunks) {
      assert.equal(chunk.hash, sha256(data.subarray(offset, offset + chunk.size)));
      offset += chunk.size;
    }
  }

  const sizes = [1, 1000, MIN_CHUNK_SIZE - 1, MIN_CHUNK_SIZE, MIN_CHUNK_SIZE + 1, 700_000, READ_BUFFER_SIZE - 1, READ_BUFFER_SIZE, READ_BUFFER_SIZE + 1, 3 * READ_BUFFER_SIZE + 12345];
  for (const size of sizes) {
    it(`matches node:crypto for ${size} bytes, with and without the expected size, sync and async`, async () => {
      const data = seededBytes(size, size);
      const file = await fileWith(data);
      assertDescribes(await hashFile(file), data);
      assertDescribes(await hashFile(file, size), data);
      assertDescribes(hashFileSync(file, size), data);
      assertDescribes(hashBuffer(data), data);
    });
  }

  it('returns the fstat after reading, for the caller to compare with its own lstat', async () => {
    for (const size of [3, 2 * READ_BUFFER_SIZE]) {
      const file = await fileWith(seededBytes(6, size), `f${size}`);
      const before = lstatSync(file);
      for (const result of [await hashFile(file, size), hashFileSync(file, size), await hashFile(file)]) {
        assert.deepEqual(
          [result.stat.ino, result.stat.size, result.stat.mtimeMs, result.stat.ctimeMs],
          [before.ino, before.size, before.mtimeMs, before.ctimeMs],
        );
      }
    }
  });

  it('reads the whole file when it is smaller than expected', async () => {
    const data = seededBytes(5, 5000);
    const file = await fileWith(data);
    assertDescribes(await hashFile(file, 6000), data);
    assertDescribes(await hashFile(file, 2 * READ_BUFFER_SIZE), data);
    assertDescribes(hashFileSync(file, 6000), data);
  });

  it('stops with FileChangedError as soon as the file is bigger than expected', async () => {
    for (const size of [5000, 3 * READ_BUFFER_SIZE]) {
      const file = await fileWith(seededBytes(5, size));
      await assert.rejects(hashFile(file, size - 1), { code: 'SYNCLINE_FILE_CHANGED' });
      assert.throws(() => hashFileSync(file, size - 1), { code: 'SYNCLINE_FILE_CHANGED' });
    }
  });

  it('hashes an empty file as SHA-256 of nothing with no chunks', async () => {
    const file = await fileWith(Buffer.alloc(0));
    for (const result of [await hashFile(file), await hashFile(file, 0), hashFileSync(file)]) {
      assert.deepEqual({ ...result, stat: undefined }, { hash: EMPTY_SHA256, size: 0, chunks: [], stat: undefined });
    }
    assert.equal(EMPTY_SHA256, sha256(''));
  });

  it('makes a small file one chunk whose hash is the file hash', async () => {
    const file = await fileWith(Buffer.from('hello\n'));
    const result = await hashFile(file, 6);
    assert.equal(result.hash, sha256('hello\n'));
    assert.deepEqual(result.chunks, [{ hash: result.hash, size: 6 }]);
  });

  it('streams to the same result as hashing in one piece', () => {
    const data = seededBytes(77, 2 * READ_BUFFER_SIZE + 99);
    const hasher = new StreamingHasher();
    for (let offset = 0; offset < data.length; offset += 100_003) hasher.update(data.subarray(offset, offset + 100_003));
    assert.deepEqual(hasher.digest(), hashBuffer(data));
  });

  it('refuses to follow a symlink', async () => {
    await fileWith(Buffer.from('secret'), 'target');
    await symlink('target', path.join(dir, 'link'));
    await assert.rejects(hashFile(path.join(dir, 'link'), 6), { code: 'ELOOP' });
    assert.throws(() => hashFileSync(path.join(dir, 'link'), 6), { code: 'ELOOP' });
  });

  it('refuses a FIFO or a directory without blocking', async () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    await mkdir(path.join(dir, 'sub'));
    const fifo = path.join(dir, 'fifo');
    await assert.rejects(hashFile(fifo), { code: 'SYNCLINE_NOT_A_FILE' });
    await assert.rejects(hashFile(fifo, 0), { code: 'SYNCLINE_NOT_A_FILE' });
    await assert.rejects(hashFile(fifo, 10 * READ_BUFFER_SIZE), { code: 'SYNCLINE_NOT_A_FILE' });
    const sub = path.join(dir, 'sub');
    await assert.rejects(hashFile(sub), { code: 'SYNCLINE_NOT_A_FILE' });
    await assert.rejects(hashFile(sub, 10), { code: 'EISDIR' });
    await assert.rejects(hashFile(sub, 10 * READ_BUFFER_SIZE), { code: 'EISDIR' });
  });

  it('reports a missing file with its fs error', async () => {
    await assert.rejects(hashFile(path.join(dir, 'nope'), 1), { code: 'ENOENT' });
  });
});
