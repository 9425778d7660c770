import type { Behaviour } from './model.js';
import { parseBehaviour } from './parser.js';

/**
 * The built-in behaviours, as text (what `syncline behaviour` lists).
 *
 * - remote_is_master — seed 002's example, verbatim: remote additions, edits and
 *   deletions replace whatever the local side has; local-only changes are left to the
 *   more general behaviours or the default.
 * - local_is_master — its mirror image: local additions, edits and deletions win over
 *   the remote's (applied here, they are minted as new versions the peer then takes).
 * - newest_wins — by modification time alone: the clearly newer side wins, and within
 *   the clock-skew tolerance both are kept. A causally newer change with an older mtime
 *   (a file restored from a backup) loses; that is what the name promises.
 * - keep_both — the default plan written as a behaviour. It decides every path whose
 *   records differ, so attached to a file or directory it restores the default below a
 *   more general behaviour (a folder-wide remote_is_master, say). Both sides edited:
 *   keep both (the loser becomes a conflict copy). One side changed: that side's state
 *   wins. An edit against a deletion: the edit wins (import when the local deleted,
 *   export when the remote did). Same content: `import` there takes the remote record
 *   exactly as the default does (or nothing, when the local one is newer). The tests
 *   check on random pairs of records that it always decides and always equals plan().
 * - mirror — the local replica as a one-way mirror of the remote: remote additions, edits
 *   and deletions are applied, and any local change (addition, edit, deletion) is
 *   reverted to the remote's state. Reverted local content goes where the replica puts
 *   replaced content (its trash), not lost. Behaviours act where records are planned:
 *   local changes the remote never sends back are only reverted when the remote's
 *   record for that path is planned again, so pair it with a behaviour on the source.
 */
export const BUILTIN_BEHAVIOUR_TEXTS = {
  remote_is_master:
    'remote_is_master=import if different and remote_added/modified; delete if different and remote_deleted',
  local_is_master:
    'local_is_master=export if different and local_added/modified; delete if different and local_deleted',
  newest_wins:
    'newest_wins=import if different and remote_fresher_yes; export if different and remote_fresher_no; ' +
    'rename_both if different and remote_fresher_maybe',
  keep_both:
    'keep_both=rename_both if different and local_added/modified and remote_added/modified; ' +
    'import if different and local_unchanged/deleted and remote_added/modified/deleted; ' +
    'export if different and local_added/modified/deleted and remote_unchanged/deleted; ' +
    'import if same',
  mirror:
    'mirror=import if different and remote_added/modified; delete if different and remote_deleted; ' +
    'import if different and local_added/modified/deleted',
} as const;

export type BuiltinBehaviourName = keyof typeof BUILTIN_BEHAVIOUR_TEXTS;

export const BUILTIN_BEHAVIOURS: ReadonlyMap<string, Behaviour> = new Map(
  Object.entries(BUILTIN_BEHAVIOUR_TEXTS).map(([name, text]) => [name, parseBehaviour(text)]),
);

export function isBuiltinBehaviour(name: string): name is BuiltinBehaviourName {
  return Object.hasOwn(BUILTIN_BEHAVIOUR_TEXTS, name);
}
