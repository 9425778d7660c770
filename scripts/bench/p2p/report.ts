import { datasetId, datasetSummary, throughputUnit } from '../../datasets/specs.js';
import type { MachineDescription } from '../lib/environment.js';
import * as format from '../lib/format.js';
import { markdownTable, type Column } from '../lib/markdown-table.js';
import { definedValues, spreadOf, type Spread } from '../lib/stats.js';
import { LOCAL_LABEL, RSYNC_LABEL } from './first-sync.js';
import type { P2pOptions } from './options.js';
import type { FirstSyncResult, LatencyResult, P2pResults, P2pSample, ProfileSummary } from './results.js';

export interface ReportMeta {
  options: P2pOptions;
  pathAliases: Record<string, string>;
  buildWarnings: string[];
  machine: MachineDescription;
  startedAt: Date;
  gnuTime: boolean;
  sourceDevice: string;
  destinationDevice: string;
  command: string;
}

const TRANSFER_LABEL = 'syncline p2p: share → converged';
const TOTAL_LABEL = 'syncline p2p: source scan + transfer';

export function renderReport(results: P2pResults, meta: ReportMeta): string {
  const notes = new Notes();
  const profiles: ProfileSummary[] = [...results.firstSync.flatMap((r) => r.p2p.profiles), ...(results.latency?.profiles ?? [])];
  const sections = [
    header(meta),
    ...results.firstSync.map((result) => firstSyncSection(result, notes)),
    results.firstSync.length === 0 ? undefined : daemonSection(results.firstSync),
    results.latency === undefined ? undefined : latencySection(results.latency, notes),
    summarySection(results),
    notes.render(),
    profiles.length === 0 ? undefined : profileSection(profiles),
    method(meta),
  ];
  let body = sections.filter((section) => section !== undefined && section !== '').join('\n\n');
  for (const [path, alias] of Object.entries(meta.pathAliases)) body = body.replaceAll(path, alias);
  const legend = Object.entries(meta.pathAliases).map(([path, alias]) => `- \`${alias}\` = \`${path}\``);
  return `${body}\n\n${legend.length === 0 ? '' : `Paths:\n\n${legend.join('\n')}\n`}`;
}

function header(meta: ReportMeta): string {
  const { machine, options } = meta;
  const scale = options.scale === 1 ? 'full size' : `scale ${options.scale} (not comparable with the targets)`;
  return [
    `# Syncline p2p benchmark — ${meta.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Two \`syncline daemon\` processes on 127.0.0.1 (TCP + Noise + yamux, mDNS off). Datasets at ${scale}; median of ${options.runs} run(s), warm page cache, empty destination, every destination verified against the source's sha256 manifest. Command: \`${meta.command}\`.`,
    '',
    ...(meta.options.nodeFlags.length === 0 ? [] : [`**Daemon node flags (experiment):** \`${meta.options.nodeFlags.join(' ')}\``, '']),
    `Session roles: the source daemon (\`${meta.sourceDevice.slice(0, 16)}…\`) has the smaller device ID, so it opens every session (the initiator); the destination (\`${meta.destinationDevice.slice(0, 16)}…\`) responds.`,
    '',
    ...meta.buildWarnings.flatMap((warning) => {
      const [first, ...rest] = warning.split('\n');
      return [`**Build warning:** ${first}`, ...(rest.length === 0 ? [] : ['', ...rest.map((line) => `    ${line}`)]), ''];
    }),
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, ${machine.filesystem} · Node ${machine.node} · ${machine.rsync} · commit ${machine.gitCommit}`,
  ].join('\n');
}

interface Row {
  label: string;
  wall: number[];
  cpu: number[];
  rss: number[];
  rssCell?: string;
}

function firstSyncSection(result: FirstSyncResult, notes: Notes): string {
  const { manifest, spec } = result.dataset;
  const unit = throughputUnit(spec.name);
  const reference = spreadOf(result.references.find((row) => row.label === RSYNC_LABEL)?.samples.map((s) => s.wallSeconds) ?? []);
  const rows: string[][] = [];
  const add = (row: Row, failure: string | undefined): void => {
    const wall = spreadOf(row.wall);
    if (failure !== undefined) {
      rows.push([row.label, notes.failed(`${row.label} on ${datasetId(spec)}`, failure), '', '', '', '', '']);
      return;
    }
    if (wall === undefined) {
      rows.push([row.label, 'no runs', '', '', '', '', '']);
      return;
    }
    const perSecond = (unit === 'MB/s' ? manifest.totalBytes / 1e6 : manifest.fileCount) / wall.median;
    const cpu = spreadOf(row.cpu);
    rows.push([
      row.label,
      format.seconds(wall.median),
      wall.count === 1 ? '(one run)' : format.secondsRange(wall.min, wall.max),
      format.throughput(perSecond, unit),
      cpu === undefined ? 'n/a' : format.cpuSeconds(cpu.median),
      row.rssCell ?? (row.rss.length === 0 ? 'n/a' : format.megabytes(Math.max(...row.rss))),
      reference === undefined ? 'n/a' : format.ratio(wall.median / reference.median),
    ]);
  };
  for (const ref of result.references) {
    add(
      {
        label: ref.label,
        wall: ref.samples.map((s) => s.wallSeconds),
        cpu: definedValues(ref.samples.map((s) => s.cpuSeconds)),
        rss: definedValues(ref.samples.map((s) => s.peakRssBytes)),
      },
      ref.failure,
    );
  }
  const samples = result.p2p.samples;
  const rssCell = samples.length === 0 ? 'n/a' : `${format.megabytes(maxOf(samples, 'sourcePeakRss'))} / ${format.megabytes(maxOf(samples, 'destinationPeakRss'))}`;
  const failure = samples.length === 0 ? result.p2p.failure ?? undefined : undefined;
  add({ label: TRANSFER_LABEL, wall: samples.map((s) => s.transferSeconds), cpu: samples.map((s) => s.sourceTransferCpu + s.destinationTransferCpu), rss: [], rssCell }, failure);
  add(
    {
      label: TOTAL_LABEL,
      wall: samples.map((s) => s.scanSeconds + s.transferSeconds),
      cpu: samples.map((s) => s.sourceScanCpu + s.sourceTransferCpu + s.destinationTransferCpu),
      rss: [],
      rssCell,
    },
    failure,
  );
  const later = samples.length > 0 && result.p2p.failure !== undefined ? notes.failed(`a later p2p run on ${datasetId(spec)}`, result.p2p.failure) : undefined;
  const columns: Column[] = [
    { title: 'tool' },
    { title: 'median s', align: 'right' },
    { title: 'min–max s', align: 'right' },
    { title: unit, align: 'right' },
    { title: 'CPU s', align: 'right' },
    { title: 'peak RSS MB', align: 'right' },
    { title: '× rsync', align: 'right' },
  ];
  return [
    `## ${datasetId(spec)} — ${datasetSummary(spec.name)}`,
    '',
    `${format.count(manifest.fileCount)} files, ${format.count(manifest.directoryCount)} directories, ${format.megabytes(manifest.totalBytes)} MB into an empty destination; ${result.runs === 1 ? 'one run' : `median of ${result.runs}`}. p2p CPU s is both daemons together (source + destination), peak RSS MB is source / destination.${later === undefined ? '' : ` A later p2p run failed: ${later}.`}`,
    '',
    markdownTable(columns, rows),
  ].join('\n');
}

function maxOf(samples: P2pSample[], key: 'sourcePeakRss' | 'destinationPeakRss' | 'sourceIdleRss' | 'destinationIdleRss' | 'sourceScanPeakRss'): number {
  return Math.max(...samples.map((s) => s[key]));
}

function daemonSection(results: FirstSyncResult[]): string {
  const median = (values: number[]): string => {
    const spread = spreadOf(values.filter((v) => Number.isFinite(v)));
    return spread === undefined ? 'n/a' : format.cpuSeconds(spread.median);
  };
  const rows = results
    .filter((r) => r.p2p.samples.length > 0)
    .map((r) => {
      const s = r.p2p.samples;
      const transfer = spreadOf(s.map((x) => x.transferSeconds))!;
      const bytes = definedValues(s.map((x) => x.bytesTransferred));
      return [
        datasetId(r.dataset.spec),
        format.seconds(spreadOf(s.map((x) => x.scanSeconds))!.median),
        median(s.map((x) => x.sourceScanCpu)),
        format.seconds(transfer.median),
        median(s.map((x) => x.sourceTransferCpu)),
        median(s.map((x) => x.destinationTransferCpu)),
        `${(100 * (spreadOf(s.map((x) => (x.sourceTransferCpu + x.destinationTransferCpu) / x.transferSeconds))!.median / 2)).toFixed(0)} %`,
        `${format.megabytes(maxOf(s, 'sourceIdleRss'))} → ${format.megabytes(maxOf(s, 'sourceScanPeakRss'))} → ${format.megabytes(maxOf(s, 'sourcePeakRss'))}`,
        `${format.megabytes(maxOf(s, 'destinationIdleRss'))} → ${format.megabytes(maxOf(s, 'destinationPeakRss'))}`,
        bytes.length === 0 ? 'n/a' : format.megabytes(Math.max(...bytes)),
      ];
    });
  const columns: Column[] = [
    { title: 'dataset' },
    { title: 'scan s', align: 'right' },
    { title: 'scan CPU s', align: 'right' },
    { title: 'transfer s', align: 'right' },
    { title: 'source CPU s', align: 'right' },
    { title: 'dest CPU s', align: 'right' },
    { title: 'of 2 cores', align: 'right' },
    { title: 'source RSS MB: idle → scan → end', align: 'right' },
    { title: 'dest RSS MB: idle → end', align: 'right' },
    { title: 'MB received', align: 'right' },
  ];
  return [
    '## Each daemon',
    '',
    'Medians over the runs. Scan: the source daemon hashing the dataset (folder state `scanning` → `idle`). Transfer: the second share → converged; CPU from `/proc/<pid>/stat` (utime + stime, all threads) over that interval; "of 2 cores" = (source + destination CPU) / transfer time / 2. RSS: `VmRSS` of the linked, idle daemon before the scan, then `VmHWM` (peak) from `/proc/<pid>/status` at the end of the scan and at convergence (the largest over the runs). MB received: the destination\'s `totals.bytesTransferred`.',
    '',
    markdownTable(columns, rows),
  ].join('\n');
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function latencySection(result: LatencyResult, notes: Notes): string {
  const columns: Column[] = [
    { title: 'samples', align: 'right' },
    { title: 'median ms', align: 'right' },
    { title: 'p95 ms', align: 'right' },
    { title: 'min–max ms', align: 'right' },
    { title: 'CPU s source / dest', align: 'right' },
  ];
  const row =
    result.failure !== undefined
      ? [String(result.samplesMs.length), notes.failed('change latency', result.failure), '', '', '']
      : [
          String(result.samplesMs.length),
          spreadOf(result.samplesMs)!.median.toFixed(0),
          percentile(result.samplesMs, 95).toFixed(0),
          `${Math.min(...result.samplesMs).toFixed(0)}–${Math.max(...result.samplesMs).toFixed(0)}`,
          `${(result.sourceCpu ?? NaN).toFixed(2)} / ${(result.destinationCpu ?? NaN).toFixed(2)}`,
        ];
  return [
    '## Change latency: a new 4 KiB file on the source until it is complete on the destination',
    '',
    `${result.context} Each sample starts when both daemons have been idle for 0.5 s; the file is written with one \`writeFileSync\`, and the destination path is polled every 5 ms until it has its 4,096 bytes (it appears by an atomic rename of a verified file); the content is compared afterwards. The daemons' default debounce (100 ms) applies. p95 by nearest rank.`,
    '',
    markdownTable(columns, [row]),
    '',
    result.samplesMs.length === 0 ? '' : `Samples (ms): ${result.samplesMs.map((v) => v.toFixed(0)).join(', ')}`,
  ].join('\n');
}

interface Verdict {
  target: string;
  goal: string;
  measured: string;
  verdict: string;
}

function summarySection(results: P2pResults): string {
  const verdicts: Verdict[] = [];
  const find = (name: string): FirstSyncResult | undefined => results.firstSync.find((r) => r.dataset.spec.name === name);
  const rsyncOf = (r: FirstSyncResult): Spread | undefined => spreadOf(r.references.find((x) => x.label === RSYNC_LABEL)?.samples.map((s) => s.wallSeconds) ?? []);
  const ratioVerdict = (name: string, limit: number): void => {
    const r = find(name);
    const target = `${name}: p2p vs rsync -a`;
    const goal = `≤ ${limit}× rsync -a`;
    if (r === undefined) return void verdicts.push({ target, goal, measured: 'not run', verdict: 'not run' });
    const transfer = spreadOf(r.p2p.samples.map((s) => s.transferSeconds));
    const total = spreadOf(r.p2p.samples.map((s) => s.scanSeconds + s.transferSeconds));
    const reference = rsyncOf(r);
    if (transfer === undefined || total === undefined || reference === undefined) return void verdicts.push({ target, goal, measured: 'failed (see notes)', verdict: 'FAILED' });
    const shareRatio = transfer.median / reference.median;
    const totalRatio = total.median / reference.median;
    verdicts.push({
      target: `${target} (share → converged)`,
      goal,
      measured: `${format.ratio(shareRatio)} (${format.seconds(transfer.median)} s vs ${format.seconds(reference.median)} s)`,
      verdict: shareRatio <= limit ? 'PASS' : 'MISS',
    });
    verdicts.push({
      target: `${target} (incl. the source's scan)`,
      goal,
      measured: `${format.ratio(totalRatio)} (${format.seconds(total.median)} s vs ${format.seconds(reference.median)} s)`,
      verdict: totalRatio <= limit ? 'PASS' : 'MISS',
    });
  };
  ratioVerdict('large', 1.3);
  const large = find('large');
  const largeTransfer = large === undefined ? undefined : spreadOf(large.p2p.samples.map((s) => s.transferSeconds));
  if (large !== undefined && largeTransfer !== undefined) {
    const mbps = large.dataset.manifest.totalBytes / 1e6 / largeTransfer.median;
    verdicts.push({ target: 'large: p2p throughput (share → converged)', goal: '≥ 280 MB/s', measured: `${mbps.toFixed(0)} MB/s`, verdict: mbps >= 280 ? 'PASS' : 'MISS' });
  }
  ratioVerdict('small', 2);
  const latency = results.latency;
  if (latency !== undefined) {
    const median = latency.samplesMs.length > 0 && latency.failure === undefined ? spreadOf(latency.samplesMs)!.median : undefined;
    verdicts.push({
      target: 'change latency, 4 KiB file',
      goal: 'median < 300 ms',
      measured: median === undefined ? 'failed (see notes)' : `median ${median.toFixed(0)} ms, p95 ${percentile(latency.samplesMs, 95).toFixed(0)} ms`,
      verdict: median === undefined ? 'FAILED' : median < 300 ? 'PASS' : 'MISS',
    });
  }
  const rssVerdict = (name: string, limitMb: number): void => {
    const r = find(name);
    const target = `peak RSS per daemon, ${name}`;
    const goal = `< ${limitMb} MB at ${name === 'huge' ? '100,000' : '10,000'} files`;
    if (r === undefined) return void verdicts.push({ target, goal, measured: name === 'huge' ? 'add --only huge' : 'not run', verdict: 'not run' });
    if (r.p2p.samples.length === 0) return void verdicts.push({ target, goal, measured: 'failed (see notes)', verdict: 'FAILED' });
    const source = maxOf(r.p2p.samples, 'sourcePeakRss');
    const destination = maxOf(r.p2p.samples, 'destinationPeakRss');
    verdicts.push({
      target,
      goal,
      measured: `source ${format.megabytes(source)} MB, destination ${format.megabytes(destination)} MB at ${format.count(r.dataset.manifest.fileCount)} files`,
      verdict: Math.max(source, destination) < limitMb * 1e6 ? 'PASS' : 'MISS',
    });
  };
  rssVerdict('small', 150);
  rssVerdict('huge', 250);
  const columns: Column[] = [{ title: 'target' }, { title: 'goal' }, { title: 'measured' }, { title: 'result' }];
  return `## Summary\n\n${markdownTable(columns, verdicts.map((v) => [v.target, v.goal, v.measured, v.verdict]))}`;
}

function profileSection(profiles: ProfileSummary[]): string {
  return [
    '## CPU profiles (an extra run per dataset with `node --cpu-prof` on both daemons, not counted above)',
    '',
    ...profiles.flatMap((p) => [`### ${p.label}`, '', `\`${p.file}\``, '', p.text, '']),
  ].join('\n');
}

function method(meta: ReportMeta): string {
  return [
    '## Method',
    '',
    '- Sources are hard links of the generated datasets in this run\'s work dir (same bytes and page cache; the daemons\' `.syncline/` stays out of the shared dataset). Before every run: the source\'s `.syncline/` is removed, `sync` writes back dirty pages, and every source file is read.',
    `- \`rsync -a SRC/ DST/\`${meta.options.localReference ? ` and \`${LOCAL_LABEL.replace(' (local, 1 process)', '')} SRC DST\`` : ''} run as child processes under GNU time (wall time around the process, CPU = user + sys, peak RSS = %M); runs are interleaved with the p2p runs.`,
    '- p2p: two `node packages/cli/bin/syncline.js daemon --home H --listen /ip4/127.0.0.1/tcp/0 --api-port 0 --no-mdns --json` child processes in fresh homes (identity keys fixed for the whole benchmark). Through the CLI: `peer add` on both, `folder add` + `folder share` on the destination (empty folder), then `folder add` on the source; its scan is timed from its `folder` event `scanning` to `idle` on the control API (WebSocket). Then the source\'s `folder.share` (the same API call as `syncline folder share`, sent directly so the CLI\'s ~1 s start-up is not counted) starts the timed transfer, which ends at the destination\'s first `synced`/`idle` event after which the destination holds every file at its size; then the full sha256 verification.',
    '- Daemon CPU from `/proc/<pid>/stat` (utime + stime, all threads), peak RSS from `/proc/<pid>/status` VmHWM, both read while the daemon runs; the daemons are stopped with SIGTERM after each run (none is left running).',
    '- Nothing is deleted during the benchmark (BENCHMARKING.md trap 1): destinations go to a trash directory emptied after the last run.',
    '- The machine has 2 shared cores: two daemons, the timer and other engineers\' work share them; compare ratios within one report.',
  ].join('\n');
}

class Notes {
  private readonly items: { subjects: string[]; detail: string }[] = [];

  failed(what: string, detail: string): string {
    let index = this.items.findIndex((item) => item.detail === detail);
    if (index === -1) index = this.items.push({ subjects: [], detail }) - 1;
    this.items[index]!.subjects.push(what);
    return `FAILED (note ${index + 1})`;
  }

  render(): string {
    if (this.items.length === 0) return '';
    const body = this.items.map(({ subjects, detail }, index) => {
      const [first, ...rest] = detail.split('\n');
      const block = rest.length === 0 ? '' : `\n\n${rest.map((line) => `        ${line}`).join('\n')}\n`;
      return `${index + 1}. **${subjects.join(', ')}**: ${first}${block}`;
    });
    return `## Notes\n\n${body.join('\n')}`;
  }
}
