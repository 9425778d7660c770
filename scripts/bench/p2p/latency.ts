import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, waitQuiet, type DaemonPair } from './pair.js';

export const LATENCY_FILE_BYTES = 4096;
const POLL_MS = 5;
const QUIET_MS = 500;

export interface LatencySamples {
  samplesMs: number[];
  sourceCpu: number;
  destinationCpu: number;
}

/**
 * `count` times: once both daemons are idle (no event for 0.5 s), write a new 4 KiB file on
 * the source and time until it is complete on the destination: it appears there by an atomic
 * rename of a verified file, so the right size at the right name means complete (polled every
 * 5 ms; the content is compared afterwards, untimed). CPU is that of both daemons over all
 * samples, quiet waits included.
 */
export async function measureLatency(pair: DaemonPair, count: number, timeoutMs: number, log: (line: string) => void): Promise<LatencySamples> {
  const samplesMs: number[] = [];
  await waitQuiet(pair, QUIET_MS, timeoutMs);
  const before = { source: pair.source.usage(), destination: pair.destination.usage() };
  const stamp = Date.now().toString(36);
  for (let index = 0; index < count; index++) {
    const name = `latency-${stamp}-${String(index).padStart(2, '0')}.bin`;
    const content = randomBytes(LATENCY_FILE_BYTES);
    const target = join(pair.destinationRoot, name);
    const started = performance.now();
    writeFileSync(join(pair.sourceRoot, name), content);
    for (;;) {
      if (sizeOf(target) === LATENCY_FILE_BYTES) break;
      if (performance.now() - started > timeoutMs) throw new Error(`${name} did not reach the destination within ${(timeoutMs / 1000).toFixed(0)} s`);
      await sleep(POLL_MS);
    }
    const elapsed = performance.now() - started;
    if (!readFileSync(target).equals(content)) throw new Error(`${name} arrived with different content`);
    samplesMs.push(elapsed);
    log(`  latency ${index + 1}/${count}  ${elapsed.toFixed(0)} ms`);
    await waitQuiet(pair, QUIET_MS, timeoutMs);
  }
  const after = { source: pair.source.usage(), destination: pair.destination.usage() };
  return {
    samplesMs,
    sourceCpu: (after.source?.cpuSeconds ?? NaN) - (before.source?.cpuSeconds ?? NaN),
    destinationCpu: (after.destination?.cpuSeconds ?? NaN) - (before.destination?.cpuSeconds ?? NaN),
  };
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
