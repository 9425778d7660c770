export * from './types.js';
export * from './errors.js';
export { LevelStore, openStore, storeDir, type CommitOptions } from './level-store.js';
export { parseIndexEntry, parseStatStamp, parseSyncObject, parseChunkLocation } from './codec.js';
