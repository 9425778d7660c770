import type { DeferringCommand, PlanOverride } from '@syncline/core';
import { describeDecision, type PathPolicy } from './behaviours-policy.js';
import { emptyTransferStats, type ApplyProblem, type TransferStats } from '@syncline/replica';
import { memoryChannelPair } from './channel.js';
import type { SessionReplica } from './replica-port.js';
import type { SessionPlan } from './planning.js';
import { runSession, type SessionResult, type SessionStage } from './session.js';

export const LOCAL_FOLDER_ID = 'local';

export interface LocalSyncOptions {
  readonly override?: PlanOverride;
  /** Upper bound on rounds; convergence normally takes two or three. */
  readonly maxRounds?: number;
  /** Test hook: may throw at a stage of a given session to cut it short. */
  readonly failpoint?: (pair: [number, number], side: 0 | 1, stage: SessionStage) => void;
  readonly onSession?: (pair: [number, number], results: [SessionResult, SessionResult]) => void;
  readonly onPlanned?: (replica: number, plan: SessionPlan) => void;
  readonly batchSize?: number;
  /** Live transfer counters, updated while content moves. */
  readonly transfer?: TransferStats;
  /** Each replica's behaviours for a peer; default: what each replica's store holds (see SessionOptions). */
  readonly policyFor?: (replica: number, peerReplicaId: string) => PathPolicy | undefined | Promise<PathPolicy | undefined>;
}

/** A remote change one replica's behaviours held back in the last session that planned it. */
export interface DeferredPath {
  readonly replica: number;
  readonly path: string;
  readonly command: DeferringCommand;
  /** `careful rule 1: ask if remote_modified (folder attachment)` */
  readonly reason: string;
}

export interface LocalSyncReport {
  readonly rounds: number;
  readonly sessions: number;
  readonly converged: boolean;
  readonly filesChanged: number;
  readonly conflicts: number;
  /** Conflict copies made by this sync (paths relative to the folders). */
  readonly conflictCopies: string[];
  readonly problems: (ApplyProblem & { replica: number })[];
  readonly transfer: TransferStats;
  /** Paths held back by behaviours (ask, ignore, ignore_once), per replica. */
  readonly deferred: DeferredPath[];
}

/** Syncs two replicas in this process through an in-memory channel. */
export async function syncPair(
  a: SessionReplica,
  b: SessionReplica,
  options: {
    override?: PlanOverride;
    folder?: string;
    failpoint?: (side: 0 | 1, stage: SessionStage) => void;
    onPlanned?: (side: 0 | 1, plan: SessionPlan) => void;
    batchSize?: number;
    transfer?: TransferStats;
    policyFor?: (side: 0 | 1, peerReplicaId: string) => PathPolicy | undefined | Promise<PathPolicy | undefined>;
  } = {},
): Promise<[SessionResult, SessionResult]> {
  const [ca, cb] = memoryChannelPair();
  const folder = options.folder ?? LOCAL_FOLDER_ID;
  const fp = (side: 0 | 1) => (options.failpoint ? (stage: SessionStage) => options.failpoint!(side, stage) : undefined);
  const policy = (side: 0 | 1) => (options.policyFor ? (peer: string) => options.policyFor!(side, peer) : undefined);
  const results = await Promise.allSettled([
    runSession(a, ca, { folder, role: 'initiator', batchSize: options.batchSize, override: options.override, failpoint: fp(0), transfer: options.transfer, onPlanned: (p) => options.onPlanned?.(0, p), policyFor: policy(0) }),
    runSession(b, cb, { folder, role: 'responder', batchSize: options.batchSize, override: options.override, failpoint: fp(1), transfer: options.transfer, onPlanned: (p) => options.onPlanned?.(1, p), policyFor: policy(1) }),
  ]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return [(results[0] as PromiseFulfilledResult<SessionResult>).value, (results[1] as PromiseFulfilledResult<SessionResult>).value];
}

/**
 * Converges any number of replicas: sessions from the first replica to each other one,
 * round after round, until a round in which no session changed anything.
 */
export async function syncLocal(replicas: readonly SessionReplica[], options: LocalSyncOptions = {}): Promise<LocalSyncReport> {
  const maxRounds = options.maxRounds ?? 8;
  const transfer = options.transfer ?? emptyTransferStats();
  const problems: LocalSyncReport['problems'] = [];
  let sessions = 0;
  let filesChanged = 0;
  const conflictCopies = new Set<string>();
  const deferred = new Map<string, DeferredPath>();
  for (let round = 1; round <= maxRounds; round++) {
    let changedThisRound = false;
    for (let j = 1; j < replicas.length; j++) {
      const pair: [number, number] = [0, j];
      const results = await syncPair(replicas[0]!, replicas[j]!, {
        override: options.override,
        failpoint: options.failpoint ? (side, stage) => options.failpoint!(pair, side, stage) : undefined,
        onPlanned: (side, p) => options.onPlanned?.(pair[side], p),
        batchSize: options.batchSize,
        transfer,
        policyFor: options.policyFor ? (side, peer) => options.policyFor!(pair[side], peer) : undefined,
      });
      sessions++;
      options.onSession?.(pair, results);
      results.forEach((r, side) => {
        const idx = pair[side]!;
        filesChanged += r.applied;
        if (side === 0) for (const a of r.conflicts) conflictCopies.add(a.copy.path);
        for (const p of r.problems) problems.push({ ...p, replica: idx });
        for (const d of r.deferred) {
          deferred.set(`${idx}\0${d.path}`, { replica: idx, path: d.path, command: d.command, reason: describeDecision(d.decidedBy) });
        }
        if (r.applied > 0 || r.nonMirrored || r.problems.length > 0) changedThisRound = true;
      });
    }
    if (!changedThisRound) {
      return { rounds: round, sessions, converged: true, filesChanged, conflicts: conflictCopies.size, conflictCopies: [...conflictCopies].sort(), problems: dedupe(problems), transfer, deferred: [...deferred.values()] };
    }
  }
  return { rounds: maxRounds, sessions, converged: false, filesChanged, conflicts: conflictCopies.size, conflictCopies: [...conflictCopies].sort(), problems: dedupe(problems), transfer, deferred: [...deferred.values()] };
}

function dedupe(problems: LocalSyncReport['problems']): LocalSyncReport['problems'] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.replica}\0${p.path}\0${p.code}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
