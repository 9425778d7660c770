import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { isVersionVector, type VersionVector } from '@syncline/core';
import { isErrno, VectorMetadataMalformedError, VectorMetadataMissingError, VectorUnreadableError } from './errors.js';
import { writeFileAtomically } from './durable-fs.js';

/** The metadata file at a tree's root (seed 004). */
export const METADATA_FILE = '.vector-sync';

/** Temporaries of an atomic metadata write; a crash can leave one at the root, removed on the next sync. */
const METADATA_TMP_PREFIX = `${METADATA_FILE}.tmp-`;
const METADATA_TMP_PATTERN = /^\.vector-sync\.tmp-[0-9a-f]{16}$/;

/** Tree-relative, '/'-separated path → SHA-256 of the content, lowercase hex. */
export type FileHashes = Readonly<Record<string, string>>;

export interface VectorTreeMetadata {
  readonly id: string;
  readonly version_vector: VersionVector;
  readonly file_hashes: FileHashes;
}

export interface LoadedMetadata {
  readonly metadata: VectorTreeMetadata;
  /** The file's text as read, to detect later whether someone else rewrote it. */
  readonly text: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const KEYS = ['id', 'version_vector', 'file_hashes'];

/** Pretty-printed as the seed shows it: two-space indent, trailing newline. */
export function formatVectorTreeMetadata(metadata: VectorTreeMetadata): string {
  const ordered = { id: metadata.id, version_vector: metadata.version_vector, file_hashes: metadata.file_hashes };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Schema check of a metadata file's text; `file` names it in errors. */
export function parseVectorTreeMetadata(text: string, file: string): VectorTreeMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new VectorMetadataMalformedError(file, 'not valid JSON', { cause: err });
  }
  if (!isPlainObject(value)) throw new VectorMetadataMalformedError(file, 'not a JSON object');
  for (const key of Object.keys(value)) {
    if (!KEYS.includes(key)) throw new VectorMetadataMalformedError(file, `unknown field ${JSON.stringify(key)}`);
  }
  const { id, version_vector: vector, file_hashes: hashes } = value;
  if (!isStoredTreeId(id)) throw new VectorMetadataMalformedError(file, '"id" must be a string of 1 to 64 printable characters');
  if (!isVersionVector(vector) || Object.hasOwn(vector, '__proto__')) {
    throw new VectorMetadataMalformedError(file, '"version_vector" must map tree IDs to non-negative integers');
  }
  if (!isPlainObject(hashes)) throw new VectorMetadataMalformedError(file, '"file_hashes" must be an object');
  for (const [p, h] of Object.entries(hashes)) {
    if (!isTreePath(p)) throw new VectorMetadataMalformedError(file, `"file_hashes" holds an invalid path ${JSON.stringify(p)}`);
    if (typeof h !== 'string' || !SHA256_HEX.test(h)) {
      throw new VectorMetadataMalformedError(file, `"file_hashes" holds an invalid SHA-256 for ${JSON.stringify(p)}`);
    }
  }
  return { id, version_vector: vector, file_hashes: hashes as FileHashes };
}

/** Reads and checks `<root>/.vector-sync`; `displayRoot` is how errors name the tree. */
export async function readVectorTreeMetadata(root: string, displayRoot = root): Promise<LoadedMetadata> {
  const file = path.join(root, METADATA_FILE);
  const shown = path.join(displayRoot, METADATA_FILE);
  let text: string;
  try {
    const st = await lstat(file);
    if (!st.isFile()) throw new VectorMetadataMalformedError(shown, 'not a regular file');
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw new VectorMetadataMissingError(shown);
    if (err instanceof VectorMetadataMalformedError) throw err;
    throw new VectorUnreadableError(shown, err);
  }
  return { metadata: parseVectorTreeMetadata(text, shown), text };
}

/** Replaces `<root>/.vector-sync` atomically (temporary, fsync, rename, fsync directory). */
export async function writeVectorTreeMetadata(root: string, metadata: VectorTreeMetadata): Promise<string> {
  const text = formatVectorTreeMetadata(metadata);
  await writeVectorTreeMetadataText(root, text);
  return text;
}

/** Replaces `<root>/.vector-sync` with text already formatted (a journal's record). */
export async function writeVectorTreeMetadataText(root: string, text: string): Promise<void> {
  await writeFileAtomically(path.join(root, METADATA_FILE), text, METADATA_TMP_PREFIX);
}

/** Removes temporaries an interrupted metadata write left at the root; returns their names. */
export async function removeStaleMetadataTemporaries(root: string): Promise<string[]> {
  const names = (await readdir(root)).filter((n) => METADATA_TMP_PATTERN.test(n));
  for (const name of names) await rm(path.join(root, name), { force: true });
  return names;
}

/** A relative, '/'-separated path with no empty, '.', '..' or '.vector-sync' segment. */
export function isTreePath(p: string): boolean {
  if (p.length === 0 || p.includes('\0')) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && s !== METADATA_FILE);
}

function isStoredTreeId(id: unknown): id is string {
  // Lenient on purpose: trees made by other tools may use names `vector init` would refuse.
  return typeof id === 'string' && id.length >= 1 && id.length <= 64 && !/[\u0000-\u001f\u007f]/.test(id) && id !== '__proto__';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
