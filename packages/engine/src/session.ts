import { randomBytes } from 'node:crypto';
import { base32, type FileRecord, type PathAction, type PlanOverride } from '@syncline/core';
import { emptyTransferStats, type ApplyProblem, type TransferStats } from '@syncline/replica';
import type { SyncObject } from '@syncline/store';
import type { Channel } from './channel.js';
import { ProtocolError, SessionAbortedError } from './errors.js';
import { MAX_RECORDS_PER_BATCH, MAX_SAMPLES, PROTOCOL_VERSION } from './messages.js';
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
  /** Plan only: nothing is fetched, written or sealed. */
  readonly dryRun?: boolean;
  readonly override?: PlanOverride;
  /** Called at each stage; throwing aborts the session there (used by tests). */
  readonly failpoint?: (stage: SessionStage) => void;
  /** Accumulates transfer counters (shared across sessions for a live progress display). */
  readonly transfer?: TransferStats;
  /** Called once the plan is known, before any content moves. */
  readonly onPlanned?: (plan: SessionPlan) => void;
}

export interface SessionResult {
  readonly peer: string;
  readonly received: number;
  readonly sent: number;
  readonly plan: SessionPlan;
  readonly applied: FileRecord[];
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
  const io = new SessionIO(channel, (hashes) => replica.readChunks(hashes));
  const started = Date.now();
  try {
    const result = await sessionSteps(replica, io, options);
    log.debug({ replica: replica.id, peer: result.peer, folder: options.folder, received: result.received, sent: result.sent, applied: result.applied.length, problems: result.problems.length, ms: Date.now() - started }, 'session sealed');
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
  await io.send({ t: 'hello', protocol: PROTOCOL_VERSION, folder: options.folder, replica: replica.id });
  const hello = await io.expect('hello');
  if (hello.protocol !== PROTOCOL_VERSION) throw new ProtocolError(`the other side speaks protocol ${hello.protocol}, this one ${PROTOCOL_VERSION}`);
  if (hello.folder !== options.folder) throw new ProtocolError(`folder mismatch: "${hello.folder}" vs "${options.folder}"`);
  if (hello.replica === replica.id) throw new ProtocolError('both sides are the same replica');
  const peer = hello.replica;

  const base = await negotiate(replica, io, peer, options.role);
  const mySince = base?.seqs[replica.id] ?? 0;
  const peerSince = base?.seqs[peer] ?? 0;
  const sentUpTo = replica.store.lastSeq();

  const [sent, remote] = await Promise.all([sendChanges(replica, io, mySince, sentUpTo), receiveChanges(io)]);
  const plan = await planSession(replica, remote, { override: options.override });
  failpoint('exchanged');
  options.onPlanned?.(plan);
  const transfer = options.transfer ?? emptyTransferStats();
  if (options.dryRun) {
    return { peer, received: remote.length, sent, plan, applied: [], problems: [], transfer, sealed: undefined };
  }

  const { prepared, problems } = await replica.prepare(plan.targets, (h) => io.fetchChunks(h), transfer);
  failpoint('prepared');
  // The other side may still read our files until it has prepared: apply only after that.
  await io.send({ t: 'prepared' });
  await io.expect('prepared');

  const label = base32(randomBytes(5));
  const result = await replica.apply(plan.targets, prepared, label);
  const allProblems = [...problems, ...result.problems];
  const failedAny = allProblems.length > 0 || result.failed.size > 0;
  failpoint('applied');
  const mine = { t: 'applied' as const, failedAny, nonMirrored: plan.nonMirrored, sentUpTo, lastSeq: replica.store.lastSeq() };
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
  return { peer, received: remote.length, sent, plan, applied: result.committed, problems: allProblems, transfer, sealed };
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

async function sendChanges(replica: SessionReplica, io: SessionIO, after: number, upTo: number): Promise<number> {
  let cursor = after;
  let sent = 0;
  for (;;) {
    const batch = (await replica.store.changesSince(cursor, MAX_RECORDS_PER_BATCH)).filter((r) => r.seq <= upTo);
    const last = batch.length < MAX_RECORDS_PER_BATCH;
    await io.send({ t: 'changes', records: batch, last });
    sent += batch.length;
    if (last) return sent;
    cursor = batch[batch.length - 1]!.seq;
  }
}

async function receiveChanges(io: SessionIO): Promise<FileRecord[]> {
  const out: FileRecord[] = [];
  for (;;) {
    const m = await io.expect('changes');
    out.push(...m.records);
    if (m.last) return out;
  }
}

export type { PathAction };
