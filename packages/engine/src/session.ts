import { randomBytes } from 'node:crypto';
import { base32, type DeferAction, type FileRecord, type PathAction, type PlanOverride } from '@syncline/core';
import { emptyTransferStats, startedEarly, type ApplyProblem, type ChunkRequest, type PreparedFiles, type TransferStats } from '@syncline/replica';
import type { SyncObject } from '@syncline/store';
import type { Channel } from './channel.js';
import { ProtocolError, SessionAbortedError } from './errors.js';
import { MAX_RECORDS_PER_BATCH, MAX_SAMPLES, PROTOCOL_VERSION } from './messages.js';
import { storedPolicy, type PathPolicy } from './behaviours-policy.js';
import { planSession, type SessionPlan } from './planning.js';
import type { SessionReplica } from './replica-port.js';
import { SessionIO } from './session-io.js';
import { log } from './log.js';

/** Points where a test may cut a session short (seed 001: nothing is skipped next time). */
export type SessionStage = 'exchanged' | 'prepared' | 'applied' | 'before-seal';

export interface SessionOptions {
  readonly folder: string;
  /** The initiator picks the common base and issues the seal. */
  readonly role: 'initiator' | 'responder';
  /** End the session when the other side sends nothing for this long (default: wait forever). */
  readonly idleTimeoutMs?: number;
  /** Records per batch (default MAX_RECORDS_PER_BATCH); tests use tiny batches to exercise rounds. */
  readonly batchSize?: number;
  readonly override?: PlanOverride;
  /** Called at each stage; throwing aborts the session there (used by tests). */
  readonly failpoint?: (stage: SessionStage) => void;
  /** Accumulates transfer counters (shared across sessions for a live progress display). */
  readonly transfer?: TransferStats;
  /** Called once the plan is known, before any content moves. */
  readonly onPlanned?: (plan: SessionPlan) => void;
  /**
   * This side's behaviours for the peer (known after hello). Default: what the replica's
   * store holds (storedPolicy); return undefined for the default rules only.
   */
  readonly policyFor?: (peerReplicaId: string) => PathPolicy | undefined | Promise<PathPolicy | undefined>;
}

export interface SessionResult {
  readonly peer: string;
  readonly received: number;
  readonly sent: number;
  /** Records this side wrote while applying. */
  readonly applied: number;
  /** Conflicts this side resolved (the same ones the other side resolved). */
  readonly conflicts: Extract<PathAction, { type: 'conflict' }>[];
  /** True when this side repaired its tree or overrode an unsent change (see README, "Sessions"). */
  readonly nonMirrored: boolean;
  readonly ignored: number;
  /** Remote changes this side's behaviours deferred; ask and ignore_once ones are offered again next session. */
  readonly deferred: DeferAction[];
  readonly problems: ApplyProblem[];
  readonly transfer: TransferStats;
  readonly sealed: SyncObject | undefined;
}

/** Sync object IDs sampled newest first, then exponentially older (seed 001's negotiation). */
export function sampleIndices(count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(count, 4); i++) out.push(i);
  for (let step = 8; step - 1 < count && out.length < MAX_SAMPLES; step *= 2) out.push(step - 1);
  if (count > 0 && out[out.length - 1] !== count - 1 && out.length < MAX_SAMPLES) out.push(count - 1);
  return out;
}

/**
 * One session between this replica and the one at the other end of `channel` (DESIGN.md §5):
 * hello, negotiate the last common sync object, exchange changes since it, plan, fetch what
 * is missing into tmp, wait until both sides have fetched, apply, seal.
 */
export async function runSession(replica: SessionReplica, channel: Channel, options: SessionOptions): Promise<SessionResult> {
  const io = new SessionIO(channel, (hashes) => replica.readChunks(hashes), options.idleTimeoutMs, replica.releaseChunks?.bind(replica));
  const started = Date.now();
  try {
    const result = await sessionSteps(replica, io, options);
    log.debug({ replica: replica.id, peer: result.peer, folder: options.folder, received: result.received, sent: result.sent, applied: result.applied, problems: result.problems.length, ms: Date.now() - started }, 'session sealed');
    return result;
  } catch (err) {
    log.debug({ replica: replica.id, folder: options.folder, err: err instanceof Error ? err.message : String(err) }, 'session aborted');
    if (err instanceof ProtocolError || io.failed instanceof ProtocolError) {
      log.warn({ replica: replica.id, folder: options.folder, err: (io.failed ?? err) instanceof Error ? ((io.failed ?? err) as Error).message : String(err) }, 'protocol error: session closed');
    }
    if (!io.failed) await io.abort(err instanceof Error ? err.message : String(err));
    throw io.failed && !(err instanceof SessionAbortedError) && io.failed !== err ? io.failed : err;
  } finally {
    io.close();
    await io.done;
  }
}

async function sessionSteps(replica: SessionReplica, io: SessionIO, options: SessionOptions): Promise<SessionResult> {
  const failpoint = options.failpoint ?? (() => undefined);
  const batchSize = options.batchSize ?? MAX_RECORDS_PER_BATCH;
  await io.send({ t: 'hello', protocol: PROTOCOL_VERSION, folder: options.folder, replica: replica.id });
  const hello = await io.expect('hello');
  if (hello.protocol !== PROTOCOL_VERSION) throw new ProtocolError(`the other side speaks protocol ${hello.protocol}, this one ${PROTOCOL_VERSION}`);
  if (hello.folder !== options.folder) throw new ProtocolError(`folder mismatch: "${hello.folder}" vs "${options.folder}"`);
  if (hello.replica === replica.id) throw new ProtocolError('both sides are the same replica');
  const peer = hello.replica;
  const policy = options.policyFor ? await options.policyFor(peer) : await storedPolicy(replica, { peer, folder: options.folder });

  const base = await negotiate(replica, io, peer, options.role);
  const mySince = base?.seqs[replica.id] ?? 0;
  const peerSince = base?.seqs[peer] ?? 0;
  const sentUpTo = replica.store.lastSeq();
  const transfer = options.transfer ?? emptyTransferStats();
  const label = base32(randomBytes(5));

  // Rounds: each side sends one batch of its changes (in sequence order, up to what it had
  // when the session began), plans the other's batch, fetches, waits for the other to have
  // fetched, applies. Memory stays bounded by the batch size, whatever the folder's size.
  let cursor = mySince;
  let lastSent = mySince;
  let myDone = false;
  let theirDone = false;
  let sent = 0;
  let received = 0;
  let applied = 0;
  let ignored = 0;
  let nonMirrored = false;
  const conflicts: SessionResult['conflicts'] = [];
  const problems: ApplyProblem[] = [];
  const deferred: DeferAction[] = [];
  let failedAny = false;
  const source = Object.assign((requests: readonly ChunkRequest[]) => io.fetchChunks(requests), { release: (chunks: Iterable<Uint8Array>) => io.releaseChunks(chunks) });

  /** Applies one prepared round and accounts for it. */
  const applyRound = async (plan: SessionPlan, fetched: PreparedFiles): Promise<void> => {
    const result = await replica.apply(plan.targets, fetched.prepared, label);
    applied += result.committed.length;
    problems.push(...fetched.problems, ...result.problems);
    failedAny ||= fetched.problems.length > 0 || result.failed.size > 0;
    // A change held back (ask, ignore_once) is not synced: the seal must not cover it.
    failedAny ||= plan.deferred.some((d) => d.command !== 'ignore');
    deferred.push(...plan.deferred);
    await policy?.settle({ plan, failed: new Set([...result.failed, ...fetched.problems.map((p) => p.path)]) });
    for (const a of plan.actions) if (a.type === 'conflict') conflicts.push(a);
    // Overriding a local change this side has not sent yet leaves the other side without it:
    // what was written instead must be offered again next time.
    const overrodeUnsent = plan.targets.some((t) => {
      const seq = t.expect?.record.seq ?? 0;
      return seq > lastSent && seq <= sentUpTo && !result.failed.has(t.record.path);
    });
    nonMirrored ||= plan.nonMirrored || overrodeUnsent;
  };

  // A round is applied while the next one is received and its small files prepared ahead
  // (prepareAhead); it is planned only once the previous round is applied and settled, and
  // this side's next changes are read only then, so every step sees what it saw before.
  let applying: Promise<void> | undefined;
  let ahead: Promise<PreparedFiles> | undefined;
  const finishApplying = async () => {
    const round = applying;
    applying = undefined;
    await round;
  };
  try {
    while (!myDone || !theirDone) {
      if (!myDone) {
        await finishApplying();
        const raw = await replica.store.changesSince(cursor, batchSize);
        const batch = raw.filter((r) => r.seq <= sentUpTo);
        myDone = raw.length < batchSize || batch.length < raw.length;
        if (raw.length > 0) cursor = raw[raw.length - 1]!.seq;
        if (batch.length > 0) lastSent = batch[batch.length - 1]!.seq;
        await io.send({ t: 'changes', records: batch, last: myDone });
        sent += batch.length;
      }
      let remote: FileRecord[] = [];
      if (!theirDone) {
        const m = await io.expect('changes');
        remote = m.records;
        theirDone = m.last;
        received += remote.length;
      }
      if (applying && remote.length > 0 && replica.prepareAhead) ahead = startedEarly(replica.prepareAhead(remote, source, transfer));
      await finishApplying();
      const plan = await planSession(replica, remote, { override: options.override, decide: policy?.decide });
      options.onPlanned?.(plan);
      ignored += plan.ignored.length;
      failpoint('exchanged');

      const readyAhead = ahead;
      ahead = undefined;
      const fetched = await replica.prepare(plan.targets, source, transfer, readyAhead ? await readyAhead : undefined);
      failpoint('prepared');
      // The other side may still read our files until it has prepared: apply only after that.
      await io.send({ t: 'prepared' });
      await io.expect('prepared');
      applying = startedEarly(applyRound(plan, fetched));
    }
    await finishApplying();
  } finally {
    // Nothing this session started outlives it; files prepared ahead and never planned go.
    await applying?.catch(() => undefined);
    const unused = await ahead?.catch(() => undefined);
    if (unused) await replica.prepare([], source, transfer, unused).catch(() => undefined);
  }
  failpoint('applied');
  const mine = { t: 'applied' as const, failedAny, nonMirrored, sentUpTo, lastSeq: replica.store.lastSeq() };
  await io.send(mine);
  const theirs = await io.expect('applied');

  // What each side has provably seen of the other's changes (see README, "Sessions"). What a
  // side wrote while applying equals what the other wrote only if neither had to repair its tree.
  const mirrored = !mine.nonMirrored && !theirs.nonMirrored;
  const seqs: Record<string, number> = {
    [replica.id]: theirs.failedAny ? mySince : mirrored ? mine.lastSeq : mine.sentUpTo,
    [peer]: mine.failedAny ? peerSince : mirrored ? theirs.lastSeq : theirs.sentUpTo,
  };
  failpoint('before-seal');
  let sealed: SyncObject;
  if (options.role === 'initiator') {
    sealed = { id: base32(randomBytes(10)), hlc: replica.clock.tick(), seqs };
    await io.send({ t: 'seal', syncObject: sealed });
    await io.expect('sealed');
    await replica.store.putSyncObject(sealed);
  } else {
    sealed = (await io.expect('seal')).syncObject;
    if (sealed.seqs[replica.id] !== seqs[replica.id] || sealed.seqs[peer] !== seqs[peer]) {
      throw new ProtocolError('the seal does not match the sequence numbers both sides reported');
    }
    replica.clock.observe(sealed.hlc);
    await replica.store.putSyncObject(sealed);
    await io.send({ t: 'sealed' });
  }
  return { peer, received, sent, applied, conflicts, nonMirrored, ignored, deferred, problems, transfer, sealed };
}

async function negotiate(replica: SessionReplica, io: SessionIO, peer: string, role: SessionOptions['role']): Promise<SyncObject | undefined> {
  const mine = await replica.store.syncObjects(peer);
  if (role === 'responder') {
    await io.send({ t: 'samples', ids: sampleIndices(mine.length).map((i) => mine[i]!.id) });
    const { id } = await io.expect('base');
    if (id === null) return undefined;
    const found = mine.find((o) => o.id === id);
    if (!found) throw new ProtocolError(`the other side chose sync object ${id}, which this replica never offered`);
    return found;
  }
  const { ids } = await io.expect('samples');
  const known = new Map(mine.map((o) => [o.id, o]));
  const common = ids.map((id) => known.get(id)).find((o) => o !== undefined);
  await io.send({ t: 'base', id: common?.id ?? null });
  return common;
}

export type { PathAction };
