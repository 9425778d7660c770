import { SynclineError } from '@syncline/core';

/** DIR does not exist or is not a directory. */
export class VectorTreeNotADirectoryError extends SynclineError {
  constructor(readonly path: string, detail: string) {
    super('SYNCLINE_VECTOR_NOT_A_DIRECTORY', `${path}: ${detail}`);
  }
}

/** `vector init` on a directory that already holds a tree. */
export class VectorTreeExistsError extends SynclineError {
  constructor(readonly path: string, existingId: string | undefined) {
    const which = existingId === undefined ? '' : ` (tree ${JSON.stringify(existingId)})`;
    super(
      'SYNCLINE_VECTOR_ALREADY_INITIALISED',
      `${path} already exists${which}; not overwriting it. Remove it first if you really want to start a new tree there`,
    );
  }
}

/** `vector init` inside a directory that already belongs to a tree. */
export class VectorTreeInsideTreeError extends SynclineError {
  constructor(readonly path: string, readonly outerMetadata: string) {
    super(
      'SYNCLINE_VECTOR_INSIDE_TREE',
      `${path} is inside the tree of ${outerMetadata}; a tree cannot contain another tree. Choose a directory outside it`,
    );
  }
}

export class VectorTreeIdError extends SynclineError {
  constructor(readonly id: string, reason: string) {
    super(
      'SYNCLINE_VECTOR_INVALID_ID',
      `invalid tree name ${JSON.stringify(id)}: ${reason}. Use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
}

export class VectorMetadataMissingError extends SynclineError {
  constructor(readonly path: string) {
    super(
      'SYNCLINE_VECTOR_METADATA_MISSING',
      `${path} not found: this directory is not a version-vector tree. Run "syncline vector init NAME DIR" first`,
    );
  }
}

export class VectorMetadataMalformedError extends SynclineError {
  constructor(readonly path: string, reason: string, options?: { cause?: unknown }) {
    super(
      'SYNCLINE_VECTOR_METADATA_MALFORMED',
      `${path} is malformed: ${reason}. Fix or restore the file (it must hold {"id", "version_vector", "file_hashes"})`,
      options,
    );
  }
}

/** A `.vector-sync` anywhere but the tree's root (seed 004: an error). */
export class VectorNestedMetadataError extends SynclineError {
  constructor(readonly path: string) {
    super(
      'SYNCLINE_VECTOR_NESTED_METADATA',
      `${path}: only the tree's root may hold .vector-sync. Move or remove it, then run again`,
    );
  }
}

/** An empty directory inside the tree (seed 004: an error). */
export class VectorEmptyDirectoryError extends SynclineError {
  constructor(readonly path: string) {
    super(
      'SYNCLINE_VECTOR_EMPTY_DIRECTORY',
      `${path}: empty directory; a version-vector tree may not hold empty directories. Remove it or put a file in it, then run again`,
    );
  }
}

/** Symbolic links, sockets, FIFOs and devices: a tree holds only regular files and directories. */
export class VectorUnsupportedEntryError extends SynclineError {
  constructor(readonly path: string, kind: string) {
    super(
      'SYNCLINE_VECTOR_UNSUPPORTED_ENTRY',
      `${path}: ${kind} not supported in a version-vector tree (only regular files and directories). Replace or remove it, then run again`,
    );
  }
}

export class VectorUnreadableError extends SynclineError {
  constructor(readonly path: string, cause: unknown) {
    super(
      'SYNCLINE_VECTOR_UNREADABLE',
      `${path}: cannot read (${errnoText(cause)}). Check its permissions, then run again`,
      { cause },
    );
  }
}

/** The two directories given to `vector sync` are the same tree or nested. */
export class VectorTreesOverlapError extends SynclineError {
  constructor(detail: string) {
    super('SYNCLINE_VECTOR_TREES_OVERLAP', `${detail}; give two separate trees`);
  }
}

/** A replacement needs room beside the target, on the same filesystem. */
export class VectorCannotStageError extends SynclineError {
  constructor(readonly target: string, reason: string, options?: { cause?: unknown }) {
    super(
      'SYNCLINE_VECTOR_CANNOT_STAGE',
      `cannot replace ${target}: ${reason}. Syncline stages the new files and keeps the old ones beside the tree, so its parent directory must be writable and on the same filesystem (on a USB drive, keep the tree in a folder of the drive, not at its root)`,
      options,
    );
  }
}

/** The source tree changed while it was being copied; nothing was replaced. */
export class VectorSourceChangedError extends SynclineError {
  constructor(readonly path: string) {
    super(
      'SYNCLINE_VECTOR_SOURCE_CHANGED',
      `${path} changed while it was being copied; nothing was replaced. Run the sync again`,
    );
  }
}

/** Staging failed before anything in the target was touched. */
export class VectorStagingFailedError extends SynclineError {
  constructor(readonly path: string, cause: unknown) {
    super(
      'SYNCLINE_VECTOR_STAGING_FAILED',
      `cannot copy to ${path} (${errnoText(cause)}); nothing was replaced.` +
        (isErrno(cause, 'EEXIST') ? ' Two files differ only in letter case and the target filesystem ignores case?' : ''),
      { cause },
    );
  }
}

/** A replacement stopped after its journal was written; the next sync completes it. */
export class VectorReplacementInterruptedError extends SynclineError {
  constructor(readonly target: string, readonly journal: string, cause: unknown) {
    super(
      'SYNCLINE_VECTOR_INTERRUPTED',
      `replacing ${target} was interrupted (${cause instanceof Error ? cause.message : String(cause)}); ` +
        `its journal ${journal} is kept and the next "syncline vector sync" of this tree completes it`,
      { cause },
    );
  }
}

export class VectorJournalMalformedError extends SynclineError {
  constructor(readonly path: string, reason: string) {
    super(
      'SYNCLINE_VECTOR_JOURNAL_MALFORMED',
      `${path} (journal of an interrupted replacement) is malformed: ${reason}. ` +
        `Check the tree by hand (old files are in the trash beside it), then delete the journal and run again`,
    );
  }
}

/** A journal beside a tree whose metadata no longer matches it: the directory is not the tree it was written for. */
export class VectorJournalMismatchError extends SynclineError {
  constructor(readonly journal: string, readonly tree: string, readonly staging: string, readonly trash: string) {
    super(
      'SYNCLINE_VECTOR_JOURNAL_MISMATCH',
      `${journal} records an interrupted replacement of ${tree}, but ${tree}/.vector-sync no longer matches it, so it was not resumed. ` +
        `Check ${tree} by hand (files already replaced are in ${trash}, new ones in ${staging}), then delete the journal and run again`,
    );
  }
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

function errnoText(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return err instanceof Error ? err.message : String(err);
}
