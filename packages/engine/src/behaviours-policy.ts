import {
  DEFAULT_SKEW_TOLERANCE_MS,
  behaviourOverride,
  commandAction,
  compareVectors,
  describeSituation,
  type BehaviourPathAction,
  type BehaviourPlanOverride,
  type Decision,
  type DeferAction,
  type FileRecord,
  type PathAction,
} from '@syncline/core';
import { askKey, loadAskQueue, queuedAsk, sameVersions, saveAskQueue, type AskDecision } from './ask-queue.js';
import { definitionsMap, loadBehaviours, type StoredAttachment } from './behaviours-store.js';
import type { SessionPlan } from './planning.js';
import type { SessionReplica } from './replica-port.js';

/**
 * Decides one remote change ahead of the default plan: a plan action (decided by a
 * behaviour or by the user), a deferral (`ask`, `ignore`, `ignore_once`), or undefined
 * for the default.
 */
export type PathDecider = (local: FileRecord | undefined, remote: FileRecord) => PathAction | DeferAction | undefined;

/** What one round of a session did with the remote changes it planned. */
export interface RoundOutcome {
  readonly plan: SessionPlan;
  /** Paths whose target state was not reached. */
  readonly failed: ReadonlySet<string>;
}

/** How one side of a session treats the other side's changes beyond the default rules. */
export interface PathPolicy {
  readonly decide: PathDecider;
  /** Called after each round is applied: keeps the ask queue in step (new asks, settled paths). */
  settle(outcome: RoundOutcome): Promise<void>;
}

/** Who the session is with, as behaviours name it. */
export interface PolicyTarget {
  /** The peer's replica ID (what `hello` says). */
  readonly peer: string;
  /** The session's folder ID. */
  readonly folder: string;
  /** Other names attachments may use for this peer (the daemon: its device ID). */
  readonly peerAliases?: readonly string[];
}

/** The behaviour name shown for actions the user chose with `syncline conflicts --apply`. */
export const USER_DECISION = 'your decision';

/** `careful rule 1: ask if remote_modified (folder attachment)`, or `your decision: import`. */
export function describeDecision(decision: Decision): string {
  if (decision.behaviour === USER_DECISION) return `${USER_DECISION}: ${decision.command}`;
  return `${decision.behaviour} rule ${decision.ruleIndex + 1}: ${decision.ruleText} (${decision.scope} attachment)`;
}

/**
 * The policy from what this replica's store holds: decisions the user recorded on queued
 * paths first, then the attached behaviours (most specific first), then the default.
 * Undefined when the replica has no attachments and nothing queued for this peer. Only
 * what the peer changed is decided (see remoteIsStale).
 *
 * An attachment whose folder is this replica's own ID (how `--folder DIR` is stored for a
 * local folder) applies to whatever folder the session is for.
 */
export async function storedPolicy(
  replica: Pick<SessionReplica, 'id' | 'store'>,
  target: PolicyTarget,
  options: { readonly nowMs?: () => number } = {},
): Promise<PathPolicy | undefined> {
  const nowMs = options.nowMs ?? Date.now;
  const [settings, queue] = await Promise.all([loadBehaviours(replica.store), loadAskQueue(replica.store)]);
  const forThisPeer = new Map(queue.filter((q) => q.peer === target.peer).map((q) => [askKey(q), q]));
  if (settings.attachments.length === 0 && forThisPeer.size === 0) return undefined;

  const override: BehaviourPlanOverride | undefined =
    settings.attachments.length === 0
      ? undefined
      : behaviourOverride({
          attachments: settings.attachments.map((a) => forSession(a, replica.id, target)),
          definitions: definitionsMap(settings.definitions),
          peer: target.peer,
          folder: target.folder,
          localReplicaId: replica.id,
          nowMs,
        });
  const context = { localReplicaId: replica.id, nowMs };

  return {
    decide(local, remote) {
      if (local && remoteIsStale(local, remote)) return undefined;
      const queued = forThisPeer.get(askKey({ peer: target.peer, path: remote.path }));
      if (queued?.decision && sameVersions(queued, local, remote)) return userAction(queued.decision, local, remote, context);
      return override?.(local, remote);
    },

    async settle({ plan, failed }) {
      const asked = plan.deferred.filter((d) => d.command === 'ask');
      const settled = [
        ...plan.actions.map((a) => a.path),
        ...plan.deferred.filter((d) => d.command !== 'ask').map((d) => d.path),
        ...plan.ignored,
      ].filter((p) => !failed.has(p));
      if (asked.length === 0 && !settled.some((p) => forThisPeer.has(askKey({ peer: target.peer, path: p })))) return;

      // Re-read: the queue holds every peer's items, and only this round's paths change.
      const all = new Map((await loadAskQueue(replica.store)).map((q) => [askKey(q), q] as const));
      for (const p of settled) {
        const key = askKey({ peer: target.peer, path: p });
        all.delete(key);
        forThisPeer.delete(key);
      }
      for (const d of asked) {
        const key = askKey({ peer: target.peer, path: d.path });
        const item = queuedAsk(d, target.peer, target.folder, nowMs(), all.get(key));
        all.set(key, item);
        forThisPeer.set(key, item);
      }
      await saveAskQueue(replica.store, [...all.values()]);
    },
  };
}

/**
 * A remote record that this side's record already includes (vector before or equal) is an
 * echo of a state this side has moved past, e.g. the version a behaviour just replaced,
 * offered again. Deciding it again could revert a behaviour's own new version to the
 * state it replaced, and two sides could do that to each other forever; the default plan
 * (nothing to do) applies. So behaviours decide only what the peer changed.
 */
function remoteIsStale(local: FileRecord, remote: FileRecord): boolean {
  const order = compareVectors(remote.version, local.version);
  return order === 'before' || order === 'equal';
}

function forSession(a: StoredAttachment, replicaId: string, target: PolicyTarget): StoredAttachment {
  let out = a;
  if (a.folder === replicaId) out = { ...out, folder: target.folder };
  if (a.peer !== undefined && target.peerAliases?.includes(a.peer)) out = { ...out, peer: target.peer };
  return out;
}

function userAction(
  decision: AskDecision,
  local: FileRecord | undefined,
  remote: FileRecord,
  context: { localReplicaId: string; nowMs: () => number },
): PathAction | DeferAction {
  const decidedBy: Decision = {
    command: decision,
    ruleIndex: 0,
    ruleText: decision,
    behaviour: USER_DECISION,
    attachment: { behaviour: USER_DECISION, path: remote.path },
    scope: 'file',
  };
  if (decision === 'ignore') {
    const situation = describeSituation(local, remote, DEFAULT_SKEW_TOLERANCE_MS);
    return { type: 'defer', path: remote.path, command: 'ignore', local, remote, situation, decidedBy };
  }
  const shape = commandAction(decision, local, remote, context);
  return { ...shape, reason: 'behaviour', decidedBy } as BehaviourPathAction;
}

