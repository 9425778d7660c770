import { datasetId, datasetSummary, throughputUnit, type DatasetName } from '../../datasets/specs.js';
import type { MachineDescription } from '../lib/environment.js';
import * as format from '../lib/format.js';
import { markdownTable, type Column } from '../lib/markdown-table.js';
import { definedValues, spreadOf, type Spread } from '../lib/stats.js';
import type { LocalOptions } from './options.js';
import type { FirstSyncResult, InsertResult, LocalResults, RescanResult, ResultRow } from './results.js';
import { RSYNC_LABEL } from './tools.js';

export interface ReportMeta {
  options: LocalOptions;
  /** Long directory paths shortened in the text, e.g. `$WORK` for this run's work dir. */
  pathAliases: Record<string, string>;
  /** Build problems that did not stop the syncline runs. */
  buildWarnings: string[];
  machine: MachineDescription;
  startedAt: Date;
  gnuTime: boolean;
}

const SYNCLINE_LABEL = 'syncline sync';
const MiB = 1024 * 1024;

/** The whole report as Markdown; the terminal gets the same text. */
export function renderReport(results: LocalResults, meta: ReportMeta): string {
  const notes = new Notes();
  const sections = [
    header(meta),
    ...results.firstSync.map((result) => firstSyncSection(result, notes)),
    results.rescan === undefined ? undefined : rescanSection(results.rescan, meta.options.runs, notes),
    results.insert === undefined ? undefined : insertSection(results.insert, notes),
    summarySection(results, meta.options),
    notes.render(),
    method(meta),
  ];
  let body = sections.filter((section) => section !== undefined && section !== '').join('\n\n');
  for (const [path, alias] of Object.entries(meta.pathAliases)) body = body.replaceAll(path, alias);
  return `${body}\n\n${pathLegend(meta.pathAliases)}\n`;
}

function header(meta: ReportMeta): string {
  const { machine, options } = meta;
  const scale = options.scale === 1 ? 'full size' : `scale ${options.scale} (not comparable with the targets or the reference figures)`;
  return [
    `# Syncline local benchmark — ${meta.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Datasets at ${scale}; median of ${options.runs} run(s), warm page cache, empty destination, every destination verified against the source's sha256 manifest.`,
    '',
    ...(options.cliPath === undefined ? [] : [`Syncline entry point: \`${options.cliPath}\` (--cli).`, '']),
    ...meta.buildWarnings.flatMap((warning) => {
      const [first, ...rest] = warning.split('\n');
      return [`**Build warning:** ${first}`, ...(rest.length === 0 ? [] : ['', ...rest.map((line) => `    ${line}`)]), ''];
    }),
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, ${machine.filesystem} · Node ${machine.node} · ${machine.rsync} · commit ${machine.gitCommit}`,
  ].join('\n');
}

const TIMING_COLUMNS: Column[] = [
  { title: 'median s', align: 'right' },
  { title: 'min–max s', align: 'right' },
];
const RESOURCE_COLUMNS: Column[] = [
  { title: 'CPU s', align: 'right' },
  { title: 'peak RSS MB', align: 'right' },
];

function firstSyncSection(result: FirstSyncResult, notes: Notes): string {
  const { manifest, spec } = result.dataset;
  const unit = throughputUnit(spec.name);
  const runCount = result.runs;
  const reference = wallSpread(result.rows.find((row) => row.label === RSYNC_LABEL));
  const rows = result.rows.map((row) => {
    const wall = wallSpread(row);
    const failed = row.failure !== undefined ? notes.failed(`${row.label} on ${datasetId(spec)}`, row.failure) : undefined;
    if (failed !== undefined || wall === undefined) return [row.label, failed ?? 'no runs', '', '', '', '', '', ''];
    const perSecond = (unit === 'MB/s' ? manifest.totalBytes / 1e6 : manifest.fileCount) / wall.median;
    return [
      row.label,
      format.seconds(wall.median),
      rangeCell(wall),
      format.throughput(perSecond, unit),
      ...resourceCells(row),
      ratioCell(wall, reference),
    ];
  });
  const title = `## ${datasetId(spec)} — ${datasetSummary(spec.name)}`;
  const facts = `${plural(manifest.fileCount, 'file', 'files')}, ${plural(manifest.directoryCount, 'directory', 'directories')}, ${format.megabytes(manifest.totalBytes)} MB; first sync into an empty destination, ${runCount === 1 ? 'one run' : `median of ${runCount}`}.`;
  const columns: Column[] = [
    { title: 'tool' },
    ...TIMING_COLUMNS,
    { title: unit, align: 'right' },
    ...RESOURCE_COLUMNS,
    { title: '× rsync', align: 'right' },
  ];
  return `${title}\n\n${facts}\n\n${markdownTable(columns, rows)}`;
}

function rescanSection(result: RescanResult, runs: number, notes: Notes): string {
  const reference = wallSpread(result.rows.find((row) => row.label === result.referenceLabel));
  const rows = result.rows.map((row) => {
    const wall = wallSpread(row);
    const failed = row.failure !== undefined ? notes.failed(`${row.label}`, row.failure) : undefined;
    if (failed !== undefined || wall === undefined) return [row.label, failed ?? 'no runs', '', '', '', ''];
    return [row.label, format.seconds(wall.median), rangeCell(wall), ...resourceCells(row), ratioCell(wall, reference)];
  });
  const { manifest } = result.dataset;
  const columns: Column[] = [{ title: 'work' }, ...TIMING_COLUMNS, ...RESOURCE_COLUMNS, { title: '× lstat walk', align: 'right' }];
  return [
    `## No-change re-sync of ${datasetId(result.dataset.spec)} (${format.count(manifest.fileCount)} files)`,
    '',
    `After one \`syncline sync SRC DST\`, the same command again with nothing changed (median of ${runs}), against bare walks of SRC. \`find -printf ''\` reads directories only (no lstat of files); the ratio is to the \`%s\` walk, which lstats every entry. Syncline looks at both trees.`,
    '',
    markdownTable(columns, rows),
  ].join('\n');
}

function insertSection(result: InsertResult, notes: Notes): string {
  const columns: Column[] = [
    { title: 'file size', align: 'right' },
    { title: 'bytesTransferred', align: 'right' },
    { title: 'bytesReused', align: 'right' },
    { title: 're-sync s', align: 'right' },
    ...RESOURCE_COLUMNS,
  ];
  const size = format.bytesHuman(result.fileSize + 1);
  const row =
    result.failure !== undefined
      ? [size, notes.failed('1-byte insert', result.failure), '', '', '', '']
      : [
          size,
          bytesCell(result.bytesTransferred),
          bytesCell(result.bytesReused),
          result.sample === undefined ? 'n/a' : format.seconds(result.sample.wallSeconds),
          ...resourceCells({ samples: result.sample === undefined ? [] : [result.sample] }),
        ];
  const missing =
    result.missingFields.length === 0
      ? ''
      : `\n\n\`syncline sync --json\` printed no ${result.missingFields.map((field) => `\`${field}\``).join(' or ')}: shown as n/a.`;
  return [
    '## 1-byte insert at the start of a large file',
    '',
    'One file of the large set synced into an empty DST, then one byte inserted at the start of the source copy; the re-sync (`syncline sync SRC DST --json`, one run) should copy only the changed chunk and reuse the rest.',
    '',
    markdownTable(columns, [row]),
  ].join('\n') + missing;
}

type Verdict = 'PASS' | 'MISS' | 'FAILED' | 'not run' | 'n/a';

interface TargetLine {
  target: string;
  goal: string;
  measured: string;
  verdict: Verdict;
}

function summarySection(results: LocalResults, options: LocalOptions): string {
  const lines: TargetLine[] = [
    firstSyncTarget(results, 'small', 1.5),
    firstSyncTarget(results, 'large', 1.3),
    firstSyncTarget(results, 'mixed', 1.3),
    rescanTarget(results.rescan),
    insertTarget(results.insert),
    memoryTarget(results),
  ];
  const columns: Column[] = [{ title: 'target' }, { title: 'goal' }, { title: 'measured' }, { title: 'result' }];
  const caution = options.scale === 1 ? '' : `\n\nScaled run (×${options.scale}): the verdicts only show that the harness works.`;
  return `## Summary\n\n${markdownTable(
    columns,
    lines.map((line) => [line.target, line.goal, line.measured, line.verdict]),
  )}${caution}`;
}

function firstSyncTarget(results: LocalResults, name: DatasetName, limit: number): TargetLine {
  const target = `${name} first sync`;
  const goal = `≤ ${limit}× rsync -a`;
  const result = results.firstSync.find((entry) => entry.dataset.spec.name === name);
  if (result === undefined) return { target, goal, measured: '', verdict: 'not run' };
  const syncline = result.rows.find((row) => row.label === SYNCLINE_LABEL);
  const rsync = result.rows.find((row) => row.label === RSYNC_LABEL);
  if (syncline?.failure !== undefined) return { target, goal, measured: 'syncline failed (see notes)', verdict: 'FAILED' };
  const mine = wallSpread(syncline);
  const reference = rsync?.failure === undefined ? wallSpread(rsync) : undefined;
  if (mine === undefined || reference === undefined) return { target, goal, measured: 'rsync failed', verdict: 'n/a' };
  const ratioValue = mine.median / reference.median;
  return {
    target,
    goal,
    measured: `${format.ratio(ratioValue)} (${format.seconds(mine.median)} s vs ${format.seconds(reference.median)} s)`,
    verdict: ratioValue <= limit ? 'PASS' : 'MISS',
  };
}

function rescanTarget(rescan: RescanResult | undefined): TargetLine {
  const target = 'no-change re-sync (small)';
  const goal = '≤ 5× lstat walk';
  if (rescan === undefined) return { target, goal, measured: '', verdict: 'not run' };
  const syncline = rescan.rows.find((row) => row.label.startsWith(SYNCLINE_LABEL));
  if (syncline?.failure !== undefined) return { target, goal, measured: 'syncline failed (see notes)', verdict: 'FAILED' };
  const mine = wallSpread(syncline);
  const reference = wallSpread(rescan.rows.find((row) => row.label === rescan.referenceLabel));
  if (mine === undefined || reference === undefined) return { target, goal, measured: '', verdict: 'n/a' };
  const ratioValue = mine.median / reference.median;
  return {
    target,
    goal,
    measured: `${format.ratio(ratioValue)} (${format.seconds(mine.median)} s vs ${format.seconds(reference.median)} s)`,
    verdict: ratioValue <= 5 ? 'PASS' : 'MISS',
  };
}

function insertTarget(insert: InsertResult | undefined): TargetLine {
  const target = '1-byte insert into a large file';
  const goal = '< 1 MiB copied';
  if (insert === undefined) return { target, goal, measured: '', verdict: 'not run' };
  if (insert.failure !== undefined) return { target, goal, measured: 'syncline failed (see notes)', verdict: 'FAILED' };
  if (insert.bytesTransferred === undefined) return { target, goal, measured: 'bytesTransferred not reported', verdict: 'n/a' };
  return {
    target,
    goal,
    measured: `${format.bytesHuman(insert.bytesTransferred)} of ${format.bytesHuman(insert.fileSize + 1)}`,
    verdict: insert.bytesTransferred < MiB ? 'PASS' : 'MISS',
  };
}

function memoryTarget(results: LocalResults): TargetLine {
  const target = 'peak RSS, first sync of huge';
  const goal = '< 200 MB at 100,000 files';
  const result = results.firstSync.find((entry) => entry.dataset.spec.name === 'huge');
  if (result === undefined) return { target, goal, measured: 'add --only huge', verdict: 'not run' };
  const syncline = result.rows.find((row) => row.label === SYNCLINE_LABEL);
  if (syncline?.failure !== undefined) return { target, goal, measured: 'syncline failed (see notes)', verdict: 'FAILED' };
  const peak = Math.max(...definedValues(syncline?.samples.map((sample) => sample.peakRssBytes) ?? []));
  if (!Number.isFinite(peak)) return { target, goal, measured: 'no RSS (GNU time missing?)', verdict: 'n/a' };
  return {
    target,
    goal,
    measured: `${format.megabytes(peak)} MB at ${format.count(result.dataset.manifest.fileCount)} files`,
    verdict: peak < 200e6 ? 'PASS' : 'MISS',
  };
}

function method(meta: ReportMeta): string {
  return [
    '## Method',
    '',
    '- Each tool copies the dataset into a fresh, empty destination: `cp -a SRC DST`, `rsync -a SRC/ DST/`, `node packages/cli/bin/syncline.js sync SRC DST` (a real child process of the built CLI). Runs are interleaved (cp, rsync, syncline, cp, …) so drift hits all tools alike.',
    '- Before every run: `SRC/.syncline` is removed (a small LevelDB, so that each syncline run scans and hashes the source from scratch, as rsync reads everything), `sync` writes back the previous run\'s dirty pages, and every source file is read to warm the page cache.',
    '- Wall time is taken around the child process; CPU (user + sys) and peak RSS come from GNU time (`%U %S %M`)' +
      (meta.gnuTime ? '.' : ' — missing on this machine, hence n/a.'),
    '- Every destination is compared with the source\'s sha256 manifest (same files, nothing extra, `.syncline/` excluded); a run that fails or does not verify makes its cell FAILED.',
    '- Nothing is deleted during the benchmark (BENCHMARKING.md trap 1): destinations stay in place and go to a trash directory that is emptied after the last run.',
    '- Datasets are generated from fixed seeds (sfc32 for sizes and layout, an AES-256-CTR keystream for content: incompressible) and reused while they match their manifest.',
  ].join('\n');
}

function pathLegend(aliases: Record<string, string>): string {
  const lines = Object.entries(aliases).map(([path, alias]) => `- \`${alias}\` = \`${path}\``);
  return lines.length === 0 ? '' : `Paths:\n\n${lines.join('\n')}`;
}

function wallSpread(row: Pick<ResultRow, 'samples' | 'failure'> | undefined): Spread | undefined {
  if (row === undefined || row.failure !== undefined) return undefined;
  return spreadOf(row.samples.map((sample) => sample.wallSeconds));
}

function resourceCells(row: Pick<ResultRow, 'samples'>): [string, string] {
  const cpu = spreadOf(definedValues(row.samples.map((sample) => sample.cpuSeconds)));
  const rss = definedValues(row.samples.map((sample) => sample.peakRssBytes));
  return [
    cpu === undefined ? 'n/a' : format.cpuSeconds(cpu.median),
    rss.length === 0 ? 'n/a' : format.megabytes(Math.max(...rss)),
  ];
}

function rangeCell(wall: Spread): string {
  return wall.count === 1 ? '(one run)' : format.secondsRange(wall.min, wall.max);
}

function ratioCell(wall: Spread, reference: Spread | undefined): string {
  return reference === undefined ? 'n/a' : format.ratio(wall.median / reference.median);
}

function bytesCell(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${format.count(bytes)} (${format.bytesHuman(bytes)})`;
}

/** Failure details go below the tables, numbered, so the cells stay short; one note per distinct failure. */
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

function plural(value: number, one: string, many: string): string {
  return `${format.count(value)} ${value === 1 ? one : many}`;
}
