import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable } from '../lib/markdown-table.js';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/**
 * The profiles one process left in `dir` (node --cpu-prof names them
 * CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile): the main thread's (thread 0) and its
 * worker threads' (e.g. the hashing pool).
 */
export function findProfiles(dir: string): { main: string | undefined; workers: string[] } {
  if (!existsSync(dir)) return { main: undefined, workers: [] };
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).sort();
  const thread = (name: string): number => Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(name)?.[1] ?? -1);
  return {
    main: files.filter((name) => thread(name) === 0).map((name) => join(dir, name)).at(-1),
    workers: files.filter((name) => thread(name) > 0).map((name) => join(dir, name)),
  };
}

/** Busy (non-idle) milliseconds of a profile, e.g. of a worker thread. */
export function busyMs(file: string): number {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const idleIds = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) if (!idleIds.has(profile.samples[i]!)) busy += profile.timeDeltas[i] ?? 0;
  return busy / 1000;
}

/**
 * Self time of a V8 CPU profile (node --cpu-prof), by module (package or Node internal) and by
 * function, as Markdown tables: where a daemon's CPU went.
 */
export function summarizeProfile(file: string, top = 15): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    busy += micros;
    const module = moduleOf(frame.url, frame.functionName);
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byModule.set(module, (byModule.get(module) ?? 0) + micros);
  }
  const rows = (map: Map<string, number>): string[][] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => [name, (micros / 1000).toFixed(0), `${((100 * micros) / busy).toFixed(1)} %`]);
  return [
    `profile ${wallMs.toFixed(0)} ms long; main thread busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms (worker threads are not in a --cpu-prof profile)`,
    '',
    markdownTable([{ title: 'module' }, { title: 'self ms', align: 'right' }, { title: 'of busy', align: 'right' }], rows(byModule)),
    '',
    markdownTable([{ title: 'function' }, { title: 'self ms', align: 'right' }, { title: 'of busy', align: 'right' }], rows(byFunction)),
  ].join('\n');
}

function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const nodeModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nodeModules) return nodeModules[1]!;
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace) return `@syncline/${workspace[1]}`;
  const internal = /^node:(?:internal\/)?([^/]+)/.exec(url);
  if (internal) return `node:${internal[1]}`;
  return url;
}

function shortUrl(url: string): string {
  const nodeModules = url.lastIndexOf('node_modules/');
  if (nodeModules >= 0) return url.slice(nodeModules + 'node_modules/'.length);
  const packages = url.lastIndexOf('/packages/');
  if (packages >= 0) return url.slice(packages + 1);
  return url.replace(/^file:\/\//, '');
}
