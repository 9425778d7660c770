export * from './errors.js';
export * from './vector.js';
export * from './hlc.js';
export * from './paths.js';
export * from './record.js';
export * from './conflict-name.js';
export * from './ids.js';
export * from './plan.js';
