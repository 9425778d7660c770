import { constants } from 'node:fs';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Ignore } from 'ignore';
import { META_DIR, SynclineError } from '@syncline/core';

/** The ignore file at a replica's root. It is itself a normal, synced file. */
export const IGNORE_FILE = '.synclineignore';

/** The ignore file exists but cannot be read: scanning without its rules could sync what the user excluded. */
export class IgnoreFileError extends SynclineError {
  constructor(readonly file: string, cause: unknown) {
    super(
      'SYNCLINE_IGNORE_FILE_UNREADABLE',
      `cannot read the ignore file ${file} (${(cause as NodeJS.ErrnoException).code ?? String(cause)}): fix its permissions or remove it`,
      { cause },
    );
  }
}

export interface IgnoreRules {
  /** True when no pattern is set: only `.syncline` at the root is ignored. */
  readonly empty: boolean;
  /**
   * Whether a replica-relative path (`/`-separated, no leading `/`) is ignored,
   * by its own pattern or because a parent directory is.
   */
  ignores(relPath: string, isDir: boolean): boolean;
}

/**
 * Rules from gitignore-syntax text. Matching is case-sensitive on every
 * platform, so that replicas on different systems agree on what is synced.
 */
export function parseIgnoreRules(text: string): IgnoreRules {
  const empty = text.split(/\r?\n/).every((line) => line.trim() === '' || line.startsWith('#'));
  // The matcher library is loaded only when there are patterns (most trees have none).
  const matcher: Ignore | undefined = empty ? undefined : loadIgnore()({ ignorecase: false }).add(text);
  return {
    empty,
    ignores(relPath: string, isDir: boolean): boolean {
      if (relPath === META_DIR || relPath.startsWith(`${META_DIR}/`)) return true;
      if (matcher === undefined) return false;
      return matcher.ignores(isDir ? `${relPath}/` : relPath);
    },
  };
}

function loadIgnore(): typeof import('ignore') {
  return createRequire(import.meta.url)('ignore') as typeof import('ignore');
}

/** Loads `<root>/.synclineignore`; a missing file means no rules. Throws IgnoreFileError if it cannot be read. */
export async function loadIgnoreRules(root: string): Promise<IgnoreRules> {
  const file = path.join(root, IGNORE_FILE);
  let text = '';
  try {
    // A symlinked ignore file is synced as a link and not followed: it sets no rules (ELOOP).
    text = await readFile(file, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR' && code !== 'ELOOP') throw new IgnoreFileError(file, err);
  }
  return parseIgnoreRules(text);
}
