import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Dataset } from '../../datasets/generate.js';
import { verifyTree, type Manifest } from '../../datasets/manifest.js';
import { cpuSeconds, megabytes, seconds } from '../lib/format.js';
import { flushDirtyPages, warmTree } from '../lib/page-cache.js';
import { runMeasured, type CommandSpec, type Measurement } from '../lib/measure.js';
import { removeSynclineMetadata } from './context.js';

export type RunOutcome = { ok: true; measurement: Measurement } | { ok: false; failure: string; measurement?: Measurement };

/**
 * Runs one copy into a fresh destination under BENCHMARKING.md's rules:
 * source without Syncline metadata, previous dirty pages written back, source
 * read right before the run, destination verified against the manifest after.
 */
export async function timedCopy(
  dataset: Dataset,
  destination: string,
  spec: CommandSpec,
  options: { createsDestination: boolean; expected?: Manifest },
): Promise<RunOutcome> {
  removeSynclineMetadata(dataset.root);
  mkdirSync(options.createsDestination ? dirname(destination) : destination, { recursive: true });
  flushDirtyPages();
  warmTree(dataset.root);
  const measurement = await runMeasured(spec);
  return checkOutcome(measurement, destination, options.expected ?? dataset.manifest);
}

/** A run counts only when the command succeeded and the destination holds exactly the source's files. */
export function checkOutcome(measurement: Measurement, destination: string, expected: Manifest): RunOutcome {
  if (!measurement.ok) {
    const stderr = measurement.stderrTail.trim() === '' ? '(no stderr)' : measurement.stderrTail;
    return {
      ok: false,
      measurement,
      failure: `exit ${measurement.exitCode ?? 'none'} ${usageFacts(measurement)} from \`${measurement.display}\`; stderr tail:\n${stderr}`,
    };
  }
  const verification = verifyTree(destination, expected);
  if (!verification.ok) {
    return {
      ok: false,
      measurement,
      failure: `exit 0 ${usageFacts(measurement)}, but the destination does not match the source manifest: ${verification.problems.join('; ')}`,
    };
  }
  return { ok: true, measurement };
}

/** A failed run's cost is still worth knowing (e.g. its peak RSS at 100,000 files). */
function usageFacts(measurement: Measurement): string {
  const facts = [`after ${seconds(measurement.wallSeconds)} s`];
  if (measurement.cpuSeconds !== undefined) facts.push(`CPU ${cpuSeconds(measurement.cpuSeconds)} s`);
  if (measurement.peakRssBytes !== undefined) facts.push(`peak RSS ${megabytes(measurement.peakRssBytes)} MB`);
  return facts.join(', ');
}
