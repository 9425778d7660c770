import { lstat, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isErrno, VectorTreeExistsError, VectorTreeInsideTreeError } from './errors.js';
import { fsyncDirectory } from './durable-fs.js';
import { formatVectorTreeMetadata, METADATA_FILE, parseVectorTreeMetadata, type VectorTreeMetadata } from './metadata.js';
import { resolveTreeDirectory } from './resolve.js';
import { checkTreeId } from './tree-id.js';

export interface InitVectorTreeResult {
  readonly path: string;
  readonly metadataFile: string;
  readonly metadata: VectorTreeMetadata;
}

/** `vector init NAME DIR`: writes `DIR/.vector-sync` for a new tree, never over an existing one. */
export async function initVectorTree(name: string, dir: string): Promise<InitVectorTreeResult> {
  const id = checkTreeId(name);
  const tree = await resolveTreeDirectory(dir);
  const outer = await enclosingTreeMetadata(tree.root);
  if (outer !== null) throw new VectorTreeInsideTreeError(tree.display, outer);
  const metadataFile = path.join(tree.display, METADATA_FILE);
  const metadata: VectorTreeMetadata = { id, version_vector: {}, file_hashes: {} };
  let handle;
  try {
    handle = await open(path.join(tree.root, METADATA_FILE), 'wx', 0o644);
  } catch (err) {
    if (isErrno(err, 'EEXIST')) throw new VectorTreeExistsError(metadataFile, await existingId(tree.root, metadataFile));
    throw err;
  }
  try {
    await handle.writeFile(formatVectorTreeMetadata(metadata), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDirectory(tree.root);
  return { path: tree.display, metadataFile, metadata };
}

/** The `.vector-sync` of a tree that already contains `root`, if any. */
async function enclosingTreeMetadata(root: string): Promise<string | null> {
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, METADATA_FILE);
    if (await lstat(candidate).then(() => true, () => false)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

async function existingId(root: string, shown: string): Promise<string | undefined> {
  try {
    return parseVectorTreeMetadata(await readFile(path.join(root, METADATA_FILE), 'utf8'), shown).id;
  } catch {
    return undefined;
  }
}
