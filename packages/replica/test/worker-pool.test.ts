import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../../../test/helpers/tmp.js';
import { flushFileSystem } from '../src/durability.js';
import { hashFileSync, READ_BUFFER_SIZE } from '../src/file-hash.js';
import { WorkerPool } from '../src/worker-pool.js';
import { seededBytes } from './helpers/seeded-bytes.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('WorkerPool', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const pool = new WorkerPool(2);
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('starts a worker ahead with warm(), which does not keep the process alive', async () => {
    // A child process that only warms a pool must exit by itself.
    const poolUrl = new URL('../src/worker-pool.ts', import.meta.url).href;
    const script = `import(${JSON.stringify(poolUrl)}).then(({ WorkerPool }) => { new WorkerPool(1).warm(); console.log('warmed'); });`;
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.equal(out.trim(), 'warmed');
  });

  it('hashes files on worker threads exactly as hashFileSync does here', async () => {
    const sizes = [0, 1000, 3 * READ_BUFFER_SIZE + 17, 5 * READ_BUFFER_SIZE];
    const files = await Promise.all(
      sizes.map(async (size, i) => {
        const file = path.join(dir, `f${i}`);
        await writeFile(file, seededBytes(i + 1, size));
        return file;
      }),
    );
    const results = await Promise.all(files.map((file, i) => pool.hashFile(file, sizes[i]!)));
    results.forEach((result, i) => {
      const here = hashFileSync(files[i]!, sizes[i]!);
      assert.deepEqual({ ...result, stat: undefined }, { ...here, stat: undefined });
      const { size, mtimeMs, ctimeMs, ino, mode } = here.stat;
      assert.deepEqual(result.stat, { size, mtimeMs, ctimeMs, ino, mode });
    });
  });

  it('rejects with the error code of the failure, as the scanner sorts errors by it', async () => {
    await assert.rejects(pool.hashFile(path.join(dir, 'missing'), 10), { code: 'ENOENT' });
    const grown = path.join(dir, 'grown');
    await writeFile(grown, seededBytes(9, 2 * READ_BUFFER_SIZE));
    await assert.rejects(pool.hashFile(grown, READ_BUFFER_SIZE), { code: 'SYNCLINE_FILE_CHANGED' });
  });

  it('reads ranges, keeping only those that hold their chunk', async () => {
    const data = seededBytes(3, 300_000);
    const file = path.join(dir, 'data');
    await writeFile(file, data);
    const range = (offset: number, size: number, hash = sha256(data.subarray(offset, offset + size))) => ({ absPath: file, offset, size, hash, stamp: null });
    const read = await pool.readServed([range(0, 1000), range(1000, 5, '0'.repeat(64)), range(5000, 200_000), { ...range(0, 10), absPath: path.join(dir, 'nope') }, range(299_990, 20)]);
    assert.deepEqual(read.map((d) => d?.length), [1000, undefined, 200_000, undefined, undefined]);
    assert.ok(read[0]!.equals(data.subarray(0, 1000)));
    assert.ok(read[2]!.equals(data.subarray(5000, 205_000)));
  });

  it('refills buffers given back with recycle, and ignores buffers it did not lend', async () => {
    const data = seededBytes(4, 2_000_000);
    const file = path.join(dir, 'data');
    await writeFile(file, data);
    const range = (offset: number, size: number) => ({ absPath: file, offset, size, hash: sha256(data.subarray(offset, offset + size)), stamp: null });
    const first = await pool.readServed([range(0, 1_000_000)]);
    pool.recycle([...first.filter((d) => d !== undefined), Buffer.from('not lent')]);
    const second = await pool.readServed([range(1_000_000, 900_000), range(0, 10)]);
    assert.ok(second[0]!.equals(data.subarray(1_000_000, 1_900_000)));
    assert.ok(second[1]!.equals(data.subarray(0, 10)));
    assert.equal(first[0]!.length, 0, 'the buffer given back was handed to the worker again (detached here)');
  });
});

describe('flushFileSystem', () => {
  it('flushes any number of directories at once, including one whose name holds a newline', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const odd = path.join(dir, 'line\nbreak');
      await mkdir(odd);
      await Promise.all([flushFileSystem(dir, []), flushFileSystem(odd, []), flushFileSystem(dir, [odd])]);
      await flushFileSystem(dir, []);
    } finally {
      await cleanup();
    }
  });
});
