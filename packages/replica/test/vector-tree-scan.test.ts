import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../../../test/helpers/tmp.js';
import {
  scanVectorTree,
  VectorEmptyDirectoryError,
  VectorNestedMetadataError,
  VectorUnsupportedEntryError,
} from '../src/vector-tree/index.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('vector trees: scanning a tree', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  async function put(rel: string, content: string): Promise<void> {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }

  it('hashes every regular file by its relative /-path, sorted, leaving out the root .vector-sync', async () => {
    await put('.vector-sync', '{}');
    await put('b.txt', 'bee');
    await put('a/z/deep.bin', 'deep');
    await put('a.txt', '');
    await put('.hidden', 'h');
    const files = await scanVectorTree(root);
    assert.deepEqual(Object.entries(files), [
      ['.hidden', sha256('h')],
      ['a.txt', sha256('')],
      ['a/z/deep.bin', sha256('deep')],
      ['b.txt', sha256('bee')],
    ]);
  });

  it('a tree with no files scans to {}', async () => {
    await put('.vector-sync', '{}');
    assert.deepEqual(await scanVectorTree(root), {});
  });

  it('refuses a .vector-sync below the root, naming it', async () => {
    await put('sub/.vector-sync', '{}');
    await put('sub/f', 'f');
    await assert.rejects(scanVectorTree(root, '/shown'), (err: unknown) => {
      assert.ok(err instanceof VectorNestedMetadataError);
      assert.match(err.message, /^\/shown\/sub\/\.vector-sync: only the tree's root may hold \.vector-sync/);
      return true;
    });
  });

  it('refuses a directory named .vector-sync below the root too', async () => {
    await put('sub/.vector-sync/f', 'f');
    await assert.rejects(scanVectorTree(root, '/shown'), /\/shown\/sub\/\.vector-sync: only the tree's root/);
  });

  it('refuses an empty directory anywhere, naming it', async () => {
    await put('a/f', 'f');
    await mkdir(path.join(root, 'a/b/c'), { recursive: true });
    await assert.rejects(scanVectorTree(root, '/shown'), (err: unknown) => {
      assert.ok(err instanceof VectorEmptyDirectoryError);
      assert.match(err.message, /^\/shown\/a\/b\/c: empty directory/);
      return true;
    });
  });

  it('refuses a symbolic link, naming it, and never follows it', async () => {
    await put('f', 'f');
    await symlink('/etc', path.join(root, 'link'));
    await assert.rejects(scanVectorTree(root, '/shown'), (err: unknown) => {
      assert.ok(err instanceof VectorUnsupportedEntryError);
      assert.match(err.message, /^\/shown\/link: symbolic link not supported/);
      return true;
    });
  });
});
