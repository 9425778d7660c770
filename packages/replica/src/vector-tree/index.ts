// Seed 004's version-vector trees: `.vector-sync` metadata, scanning, sync and safe replacement.
export {
  VectorCannotStageError,
  VectorEmptyDirectoryError,
  VectorJournalMalformedError,
  VectorJournalMismatchError,
  VectorMetadataMalformedError,
  VectorMetadataMissingError,
  VectorNestedMetadataError,
  VectorReplacementInterruptedError,
  VectorSourceChangedError,
  VectorStagingFailedError,
  VectorTreeExistsError,
  VectorTreeIdError,
  VectorTreeInsideTreeError,
  VectorTreeNotADirectoryError,
  VectorTreesOverlapError,
  VectorUnreadableError,
  VectorUnsupportedEntryError,
} from './errors.js';
export { TREE_ID_PATTERN as VECTOR_TREE_ID_PATTERN, checkTreeId as checkVectorTreeId } from './tree-id.js';
export {
  METADATA_FILE as VECTOR_METADATA_FILE,
  formatVectorTreeMetadata,
  parseVectorTreeMetadata,
  readVectorTreeMetadata,
  type FileHashes as VectorFileHashes,
  type VectorTreeMetadata,
} from './metadata.js';
export { scanVectorTree } from './scan.js';
export { initVectorTree, type InitVectorTreeResult } from './init.js';
export { recoverVectorTree, type VectorRecovery } from './recover.js';
export { replaceVectorTree, type VectorReplaceHook, type VectorReplaceStep } from './replace.js';
export { syncVectorTrees, type SyncVectorTreesOptions, type VectorSyncOutcome, type VectorTreeState } from './sync.js';
