import { SeededRandom } from './prng.js';

/** The datasets of the local benchmark; sizes follow /work/shared/BENCHMARKING.md's reference table. */
export const DATASET_NAMES = ['small', 'large', 'mixed', 'huge'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export function isDatasetName(value: string): value is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(value);
}

/** Bump when the generator changes what it writes: old copies on disk then no longer match. */
export const GENERATOR_VERSION = 1;

const KiB = 1024;
const MiB = 1024 * KiB;

export interface FilePlan {
  /** Relative path with forward slashes. */
  path: string;
  size: number;
}

export interface DatasetPlan {
  directories: string[];
  files: FilePlan[];
}

/** Everything that decides a dataset's bytes; two equal specs give identical trees. */
export interface DatasetSpec {
  name: DatasetName;
  scale: number;
  seed: string;
  generatorVersion: number;
}

interface DatasetDefinition {
  /** Human description at full scale. */
  summary: string;
  /** Many small files are reported in files/s, big ones in MB/s. */
  throughputUnit: 'files/s' | 'MB/s';
  seed: string;
  plan(scale: number, random: SeededRandom): DatasetPlan;
}

const DEFINITIONS: Record<DatasetName, DatasetDefinition> = {
  small: {
    summary: '10,000 files × 1–16 KiB in 200 directories, 2–3 levels',
    throughputUnit: 'files/s',
    seed: 'small-1',
    plan: (scale, random) =>
      treeOfFiles(random, scaled(10_000, scale), scaled(200, scale), () => random.nextInt(1 * KiB, 16 * KiB)),
  },
  large: {
    summary: '4 files × 256 MiB of random (incompressible) bytes',
    throughputUnit: 'MB/s',
    seed: 'large-1',
    plan: (scale) => ({
      directories: [],
      files: [0, 1, 2, 3].map((index) => ({
        path: `large-${index}.bin`,
        size: Math.max(64 * KiB, Math.round(256 * MiB * scale)),
      })),
    }),
  },
  mixed: {
    // Log-uniform sizes average ~0.93 MB (1.86 GB expected); seed 31 draws 1.95 GB,
    // the total of the reference run in BENCHMARKING.md.
    summary: '2,000 files, log-uniform 1 KiB–8 MiB (1.95 GB), 40 directories',
    throughputUnit: 'MB/s',
    seed: 'mixed-31',
    plan: (scale, random) =>
      treeOfFiles(random, scaled(2_000, scale), scaled(40, scale), () => random.nextLogUniform(1 * KiB, 8 * MiB)),
  },
  huge: {
    summary: '100,000 files × 0–2 KiB in 1,000 directories',
    throughputUnit: 'files/s',
    seed: 'huge-1',
    plan: (scale, random) =>
      treeOfFiles(random, scaled(100_000, scale), scaled(1_000, scale), () => random.nextInt(0, 2 * KiB)),
  },
};

export function datasetSpec(name: DatasetName, scale: number): DatasetSpec {
  return { name, scale, seed: DEFINITIONS[name].seed, generatorVersion: GENERATOR_VERSION };
}

export function datasetSummary(name: DatasetName): string {
  return DEFINITIONS[name].summary;
}

export function throughputUnit(name: DatasetName): 'files/s' | 'MB/s' {
  return DEFINITIONS[name].throughputUnit;
}

/** Directory name of a dataset under the bench dir: `small`, or `small@0.01` when scaled. */
export function datasetId(spec: DatasetSpec): string {
  return spec.scale === 1 ? spec.name : `${spec.name}@${spec.scale}`;
}

/** The paths and sizes of a dataset, drawn from its seed (the content comes from a keystream). */
export function planDataset(spec: DatasetSpec): DatasetPlan {
  const random = new SeededRandom(`${spec.seed}:plan`);
  return DEFINITIONS[spec.name].plan(spec.scale, random);
}

function scaled(count: number, scale: number): number {
  return Math.max(1, Math.round(count * scale));
}

/**
 * `fileCount` files spread over `directoryCount` nested directories: every
 * directory gets at least one file (no empty directories to argue about),
 * the rest land in directories picked at random.
 */
function treeOfFiles(
  random: SeededRandom,
  fileCount: number,
  directoryCount: number,
  drawSize: () => number,
): DatasetPlan {
  const directories = directoryTree(random, Math.min(directoryCount, fileCount));
  const files: FilePlan[] = [];
  for (let index = 0; index < fileCount; index++) {
    const directory =
      index < directories.length ? directories[index]! : directories[random.nextInt(0, directories.length - 1)]!;
    files.push({ path: `${directory}/f${String(index).padStart(6, '0')}.dat`, size: drawSize() });
  }
  return { directories, files };
}

/**
 * A random tree of `count` directories at most 3 levels deep: about 4% sit at
 * the top (8 of 200), each other one hangs below a random earlier directory
 * of depth 1 or 2. Parents always come before their children.
 */
function directoryTree(random: SeededRandom, count: number): string[] {
  const topLevel = Math.max(1, Math.round(count * 0.04));
  const paths: string[] = [];
  const canHaveChildren: string[] = [];
  for (let index = 0; index < count; index++) {
    const name = `d${String(index).padStart(4, '0')}`;
    const parent = index < topLevel ? undefined : canHaveChildren[random.nextInt(0, canHaveChildren.length - 1)];
    const path = parent === undefined ? name : `${parent}/${name}`;
    paths.push(path);
    if (path.split('/').length < 3) canHaveChildren.push(path);
  }
  return paths;
}
