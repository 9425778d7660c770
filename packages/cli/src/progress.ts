import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import { formatBytes } from './format.js';

export interface Progress {
  update(values: { files: number; bytes: number; totalBytes?: number; totalFiles?: number; stage: string }): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

/** A progress bar on stderr when it is a terminal and output is for humans; otherwise nothing. */
export function startProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return silent;
  // Loaded only for a terminal: scripts and benchmarks do not pay for it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {stage} |{bar}| {percentage}% | {files} files | {done} of {all} | {rate}/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update({ files, bytes, totalBytes, stage }) {
      const total = Math.max(totalBytes ?? bytes, bytes, 1);
      const secs = Math.max((Date.now() - started) / 1000, 0.001);
      const payload = { stage: stage.padEnd(8), files, done: formatBytes(bytes), all: formatBytes(total), rate: formatBytes(Math.round(bytes / secs)) };
      if (!running) {
        bar.start(total, bytes, payload);
        running = true;
      } else {
        bar.setTotal(total);
        bar.update(bytes, payload);
      }
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
