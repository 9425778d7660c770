#!/usr/bin/env node
import { readFileSync, statSync } from 'node:fs';

// dist/bundle (scripts/bundle.mjs) loads much faster than the ~150 modules of dist/; it is
// used only while it is newer than every `tsc -b` build it was made from, so a rebuild
// without re-bundling runs the new code, just slower. (A build info removed after the
// build, as the Docker image does, is no newer build.)
function freshBundle() {
  const dir = new URL('../dist/bundle/', import.meta.url);
  try {
    const { builds } = JSON.parse(readFileSync(new URL('inputs.json', dir), 'utf8'));
    const bundledAt = statSync(new URL('bin.js', dir)).mtimeMs;
    return builds.every((build) => (statSync(new URL(build, dir), { throwIfNoEntry: false })?.mtimeMs ?? 0) <= bundledAt);
  } catch {
    return false;
  }
}

await import(freshBundle() ? '../dist/bundle/bin.js' : '../dist/bin.js');
