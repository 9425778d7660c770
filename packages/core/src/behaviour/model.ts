/**
 * The behaviour language (DESIGN.md section 6, seed 002): a behaviour is a name and an
 * ordered list of rules; each rule is a command guarded by conditions over the
 * situation of one path. This module holds the vocabulary; parsing, evaluation and
 * application live beside it.
 */

export const COMMANDS = ['import', 'export', 'delete', 'ignore', 'ignore_once', 'rename_both', 'ask'] as const;
export type Command = (typeof COMMANDS)[number];

/** Commands that leave the path unsynced for now instead of producing a plan action. */
export type DeferringCommand = Extract<Command, 'ask' | 'ignore' | 'ignore_once'>;

/**
 * The dimensions of the parameter space. A condition's written name is the dimension's
 * prefix followed by one value (`remote_size_bigger`); the content flag has no prefix
 * (`different`, `same`).
 */
export const DIMENSIONS = {
  local: { prefix: 'local_', values: ['added', 'deleted', 'modified', 'unchanged'] },
  remote: { prefix: 'remote_', values: ['added', 'deleted', 'modified', 'unchanged'] },
  remote_size: { prefix: 'remote_size_', values: ['bigger', 'smaller', 'same'] },
  remote_fresher: { prefix: 'remote_fresher_', values: ['yes', 'no', 'maybe'] },
  content: { prefix: '', values: ['different', 'same'] },
} as const;

export type DimensionName = keyof typeof DIMENSIONS;
export type DimensionValue<D extends DimensionName> = (typeof DIMENSIONS)[D]['values'][number];
export const DIMENSION_NAMES = Object.keys(DIMENSIONS) as DimensionName[];

export type SideChange = DimensionValue<'local'>;
export type SizeComparison = DimensionValue<'remote_size'>;
export type Freshness = DimensionValue<'remote_fresher'>;
export type ContentComparison = DimensionValue<'content'>;

/** Holds when the situation's value in `dimension` is one of `anyOf` (written `a/b`). */
export type Condition = {
  [D in DimensionName]: { readonly dimension: D; readonly anyOf: readonly DimensionValue<D>[] };
}[DimensionName];

/** A command guarded by conditions that must all hold; no conditions = always. */
export interface Rule {
  readonly command: Command;
  readonly conditions: readonly Condition[];
}

export interface Behaviour {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/** Where one path stands between the two replicas; see describeSituation for the exact meaning. */
export interface Situation {
  readonly local: SideChange;
  readonly remote: SideChange;
  readonly remoteSize: SizeComparison;
  readonly remoteFresher: Freshness;
  readonly content: ContentComparison;
}

const SITUATION_KEY = {
  local: 'local',
  remote: 'remote',
  remote_size: 'remoteSize',
  remote_fresher: 'remoteFresher',
  content: 'content',
} as const satisfies Record<DimensionName, keyof Situation>;

export function situationValue(situation: Situation, dimension: DimensionName): string {
  return situation[SITUATION_KEY[dimension]];
}

export function conditionName(dimension: DimensionName, value: string): string {
  return DIMENSIONS[dimension].prefix + value;
}

/** Every written condition name, in the order users see them listed. */
export const CONDITION_NAMES: readonly string[] = DIMENSION_NAMES.flatMap((d) =>
  DIMENSIONS[d].values.map((v) => conditionName(d, v)),
);

const CONDITION_BY_NAME = new Map<string, { readonly dimension: DimensionName; readonly value: string }>(
  DIMENSION_NAMES.flatMap((d) => DIMENSIONS[d].values.map((v) => [conditionName(d, v), { dimension: d, value: v }] as const)),
);

export function lookupCondition(name: string): { readonly dimension: DimensionName; readonly value: string } | undefined {
  return CONDITION_BY_NAME.get(name);
}

export function isDimensionValue<D extends DimensionName>(dimension: D, value: string): value is DimensionValue<D> {
  return (DIMENSIONS[dimension].values as readonly string[]).includes(value);
}

export function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

export function isDeferringCommand(command: Command): command is DeferringCommand {
  return command === 'ask' || command === 'ignore' || command === 'ignore_once';
}
