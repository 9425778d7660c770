import type { PathAction } from '../plan.js';
import type { FileRecord } from '../record.js';
import { vectorsEqual } from '../vector.js';
import {
  checkAttachment,
  lookupBehaviour,
  resolveCommand,
  type Attachment,
  type BehaviourDefinitions,
  type Decision,
} from './attachment.js';
import { commandAction, type ApplyingCommand } from './command-action.js';
import { isDeferringCommand, type DeferringCommand, type Situation } from './model.js';
import { DEFAULT_SKEW_TOLERANCE_MS, describeSituation } from './situation.js';

type Decided<A> = A extends PathAction ? Omit<A, 'reason'> & { readonly reason: 'behaviour'; readonly decidedBy: Decision } : never;

/** A plan action a behaviour decided: one of plan.ts's shapes, with the deciding attachment and rule. */
export type BehaviourPathAction = Decided<PathAction>;

/**
 * The path is left unsynced for now: the engine must not count it as synced (so the
 * remote record is offered again in a later session), and for `ask` it puts the path in
 * the user's queue (createAskItem). `ignore` leaves it alone every time the behaviour
 * is consulted; `ignore_once` only this session (the engine may drop a remembered
 * ignore_once when either side changes the path).
 */
export interface DeferAction {
  readonly type: 'defer';
  readonly path: string;
  readonly command: DeferringCommand;
  readonly local: FileRecord | undefined;
  readonly remote: FileRecord;
  readonly situation: Situation;
  readonly decidedBy: Decision;
}

export type BehaviourAction = BehaviourPathAction | DeferAction;

export type BehaviourPlanOverride = (local: FileRecord | undefined, remote: FileRecord) => BehaviourAction | undefined;

export interface BehaviourOverrideOptions {
  readonly attachments: readonly Attachment[];
  readonly definitions: BehaviourDefinitions;
  /** Device ID of the peer on the other end of the session. */
  readonly peer: string;
  readonly folder: string;
  /** The replica planning; it mints the versions for local wins. */
  readonly localReplicaId: string;
  /** Wall clock (ms) for the HLC of minted versions. */
  readonly nowMs: () => number;
  readonly skewToleranceMs?: number;
}

/**
 * A plan override from the attached behaviours: for each path it finds the most
 * specific attachment whose behaviour yields a command and turns the command into an
 * action (see commandAction for the version rules). Undefined means no behaviour
 * decides and the default plan applies; that includes paths whose records carry equal
 * vectors (nothing to decide). Throws at construction when an attachment is invalid
 * or names an unknown behaviour.
 */
export function behaviourOverride(options: BehaviourOverrideOptions): BehaviourPlanOverride {
  const attachments = options.attachments.map(checkAttachment);
  for (const attachment of attachments) lookupBehaviour(options.definitions, attachment.behaviour);
  const tolerance = options.skewToleranceMs ?? DEFAULT_SKEW_TOLERANCE_MS;
  const context = { localReplicaId: options.localReplicaId, nowMs: options.nowMs };

  return (local, remote) => {
    if (local && vectorsEqual(local.version, remote.version)) return undefined;
    const situation = describeSituation(local, remote, tolerance);
    const target = { path: remote.path, peer: options.peer, folder: options.folder };
    const decision = resolveCommand(attachments, options.definitions, target, situation);
    if (!decision) return undefined;
    if (isDeferringCommand(decision.command)) {
      return { type: 'defer', path: remote.path, command: decision.command, local, remote, situation, decidedBy: decision };
    }
    const shape = commandAction(decision.command as ApplyingCommand, local, remote, context);
    return { ...shape, reason: 'behaviour', decidedBy: decision } as BehaviourPathAction;
  };
}
