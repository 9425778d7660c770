import { VectorTreeIdError } from './errors.js';

/**
 * A tree ID names a tree in every version vector it ever joins, and users type it.
 * So: 1–64 characters (core's vector schema caps keys at 64), ASCII letters,
 * digits, '.', '_', '-', starting with a letter or digit: no spaces, slashes,
 * control characters or look-alike Unicode.
 */
export const TREE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkTreeId(id: string): string {
  if (id.length === 0) throw new VectorTreeIdError(id, 'empty');
  if (id.length > 64) throw new VectorTreeIdError(id, 'longer than 64 characters');
  if (!/^[A-Za-z0-9]/.test(id)) throw new VectorTreeIdError(id, 'must start with a letter or digit');
  const bad = [...id].find((c) => !/[A-Za-z0-9._-]/.test(c));
  if (bad !== undefined) throw new VectorTreeIdError(id, `${JSON.stringify(bad)} is not allowed`);
  return id;
}
