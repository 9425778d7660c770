import { randomBytes } from 'node:crypto';
import { SynclineError, base32 } from '@syncline/core';
import type { Channel, Logger } from '@syncline/engine';
import {
  generatePairingCode,
  pairingPassword,
  parsePairingCode,
  passwordToScalarAsync,
  startSpake2,
  type SynclineNode,
} from '@syncline/p2p';

export const PAIRING_TTL_MS = 5 * 60_000;
export const PAIRING_MAX_ATTEMPTS = 5;
const AAD = new TextEncoder().encode('syncline/pair/v1');
const REPLY_TIMEOUT_MS = 30_000;

export class PairingError extends SynclineError {
  constructor(message: string, code = 'SYNCLINE_PAIRING_FAILED') {
    super(code, message);
  }
}

interface Secret {
  readonly kind: 'code' | 'invite';
  readonly w: bigint;
  readonly expiresAt: number;
  attemptsLeft: number;
}

export interface PairedPeer {
  readonly deviceId: string;
  readonly name: string;
  readonly addrs: string[];
}

export interface PairingDeps {
  readonly node: SynclineNode;
  readonly name: () => string;
  /** Adds the peer to the trusted devices. */
  readonly trust: (peer: PairedPeer) => Promise<void>;
  readonly event: (name: string, data: Record<string, unknown>) => void;
  readonly log: Logger;
  readonly ttlMs: number;
  readonly now?: () => number;
}

type Msg = Record<string, unknown>;
const bytes = (v: unknown, len: number, what: string): Uint8Array => {
  if (!(v instanceof Uint8Array) || v.length !== len) throw new PairingError(`malformed pairing message (${what})`, 'SYNCLINE_PAIRING_PROTOCOL');
  return v;
};
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length < 300).slice(0, 16) : []);
const text = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 64) : '');

async function receive(channel: Channel, type: string): Promise<Msg> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PairingError('the other device stopped answering')), REPLY_TIMEOUT_MS);
  });
  try {
    const m = await Promise.race([channel.receive(), timeout]);
    if (typeof m !== 'object' || m === null || (m as Msg).t !== type) throw new PairingError(`unexpected pairing message (wanted ${type})`, 'SYNCLINE_PAIRING_PROTOCOL');
    return m as Msg;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Pairing (DESIGN.md §7): one side shows a short code (or an invite token's secret), the other
 * types it; SPAKE2 (RFC 9382) over a libp2p stream, bound to both device IDs, proves both know
 * it without revealing it — a wrong guess learns nothing and costs one of a few attempts —
 * and both sides then trust each other's device ID.
 */
export class Pairing {
  private code: Secret | undefined;
  private readonly invites = new Map<string, Secret>();
  private joining = 0;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: PairingDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Whether the gate should let untrusted peers connect (for the pairing protocol only). */
  isOpen(): boolean {
    const t = this.now();
    return this.joining > 0 || (!!this.code && this.code.expiresAt > t) || [...this.invites.values()].some((i) => i.expiresAt > t);
  }

  /** Opens a pairing window: a new code, valid for the TTL, a limited number of attempts. */
  async start(): Promise<{ code: string; expiresAt: number }> {
    const code = generatePairingCode();
    const w = await passwordToScalarAsync(pairingPassword(code));
    const expiresAt = this.now() + this.deps.ttlMs;
    this.code = { kind: 'code', w, expiresAt, attemptsLeft: PAIRING_MAX_ATTEMPTS };
    this.scheduleExpiry();
    this.deps.event('pairing', { state: 'waiting', expiresAt });
    return { code: code.text, expiresAt };
  }

  /** A one-time invite: device ID, addresses and a secret, for peers mDNS cannot see. */
  async createInvite(ttlMs: number): Promise<{ token: string; expiresAt: number }> {
    const id = base32(randomBytes(5));
    const secret = base32(randomBytes(16));
    const w = await passwordToScalarAsync(new TextEncoder().encode(`invite:${secret}`));
    const expiresAt = this.now() + ttlMs;
    this.invites.set(id, { kind: 'invite', w, expiresAt, attemptsLeft: PAIRING_MAX_ATTEMPTS });
    this.scheduleExpiry();
    const payload = { v: 1, d: this.deps.node.deviceId, a: this.deps.node.addresses(), i: id, s: secret, e: expiresAt };
    return { token: `syncline:${Buffer.from(JSON.stringify(payload)).toString('base64url')}`, expiresAt };
  }

  cancel(): void {
    this.code = undefined;
    this.closeIfIdle();
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const next = Math.min(this.code?.expiresAt ?? Infinity, ...[...this.invites.values()].map((i) => i.expiresAt));
    if (!Number.isFinite(next)) return;
    this.expiryTimer = setTimeout(() => {
      const t = this.now();
      if (this.code && this.code.expiresAt <= t) {
        this.code = undefined;
        this.deps.event('pairing', { state: 'expired' });
      }
      for (const [id, i] of this.invites) if (i.expiresAt <= t) this.invites.delete(id);
      this.scheduleExpiry();
      this.closeIfIdle();
    }, Math.max(0, next - this.now()) + 10);
    this.expiryTimer.unref();
  }

  private closeIfIdle(): void {
    if (!this.isOpen()) void this.deps.node.dropUntrusted();
  }

  /** The host's side of one pairing attempt on an incoming stream. */
  async handle(peer: string, channel: Channel): Promise<void> {
    let secret: Secret | undefined;
    try {
      const m1 = await receive(channel, 'pair1');
      const inviteId = typeof m1.invite === 'string' ? m1.invite : '';
      secret = m1.kind === 'invite' ? this.invites.get(inviteId) : this.code;
      if (!secret || secret.expiresAt <= this.now() || secret.attemptsLeft <= 0) {
        await channel.send({ t: 'pair4', ok: false, reason: 'no pairing is open on this device (the code expired, or was used)' });
        return;
      }
      secret.attemptsLeft--;
      const spake = startSpake2({ role: 'B', w: secret.w, idA: utf8(peer), idB: utf8(this.deps.node.deviceId), aad: AAD });
      const result = spake.finish(bytes(m1.pA, 65, 'pA'));
      await channel.send({ t: 'pair2', pB: spake.message, cB: result.confirmation, addrs: this.deps.node.addresses(), name: this.deps.name() });
      const m3 = await receive(channel, 'pair3');
      if (!result.verifyPeer(bytes(m3.cA, 32, 'cA'))) throw new PairingError('the other device typed a wrong code');
      await this.deps.trust({ deviceId: peer, name: text(m1.name), addrs: strs(m3.addrs) });
      this.forget(secret);
      await channel.send({ t: 'pair4', ok: true });
      this.deps.log.info({ peer }, 'paired');
      this.deps.event('pairing', { state: 'paired', deviceId: peer, name: text(m1.name) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.warn({ peer, err: message }, 'a pairing attempt failed');
      await channel.send({ t: 'pair4', ok: false, reason: 'wrong code' }).catch(() => undefined);
      if (secret && secret.attemptsLeft <= 0) {
        this.forget(secret);
        this.deps.event('pairing', { state: 'closed', reason: 'too many wrong attempts' });
      } else this.deps.event('pairing', { state: 'attempt-failed', attemptsLeft: secret?.attemptsLeft ?? 0 });
    } finally {
      this.closeIfIdle();
    }
  }

  /** A code or invite is used once, and closed after too many wrong attempts. */
  private forget(secret: Secret): void {
    if (secret === this.code) this.code = undefined;
    for (const [id, i] of this.invites) if (i === secret) this.invites.delete(id);
  }

  /** The joiner's side: types the code shown on the other device (found at `addr`, or through mDNS). */
  async join(codeText: string, addr?: string): Promise<PairedPeer> {
    const code = parsePairingCode(codeText);
    const w = await passwordToScalarAsync(pairingPassword(code));
    return this.joinWith({ kind: 'code' }, w, addr ? [addr] : undefined);
  }

  async joinInvite(token: string): Promise<PairedPeer> {
    const invite = parseInvite(token);
    if (invite.e <= this.now()) throw new PairingError('this invite has expired; ask for a new one (`syncline invite`)', 'SYNCLINE_INVITE_EXPIRED');
    const w = await passwordToScalarAsync(new TextEncoder().encode(`invite:${invite.s}`));
    const addrs = invite.a.map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${invite.d}`));
    return this.joinWith({ kind: 'invite', invite: invite.i }, w, addrs, invite.d);
  }

  private async joinWith(kind: { kind: 'code' } | { kind: 'invite'; invite: string }, w: bigint, addrs?: string[], expectPeer?: string): Promise<PairedPeer> {
    this.joining++;
    try {
      const candidates = addrs ?? this.discoveredAddrs();
      if (candidates.length === 0) {
        throw new PairingError('no device nearby is showing a pairing code (mDNS found none); give its address with --addr, or use `syncline invite` / `syncline join`', 'SYNCLINE_PAIRING_NO_PEER');
      }
      let lastError: unknown;
      for (const addr of candidates) {
        try {
          return await this.attempt(kind, w, addr, expectPeer);
        } catch (err) {
          lastError = err;
          this.deps.log.debug({ addr, err: err instanceof Error ? err.message : String(err) }, 'pairing candidate failed');
        }
      }
      if (lastError instanceof PairingError) throw lastError;
      throw new PairingError(`could not reach a device to pair with (${lastError instanceof Error ? lastError.message : String(lastError)})`, 'SYNCLINE_PAIRING_NO_PEER');
    } finally {
      this.joining--;
      this.closeIfIdle();
    }
  }

  private discoveredAddrs(): string[] {
    return this.deps.node.discoveredPeers().flatMap((p) => {
      const a = p.addrs.find((x) => x.includes('/tcp/')) ?? p.addrs[0];
      return a ? [a.includes('/p2p/') ? a : `${a}/p2p/${p.deviceId}`] : [];
    });
  }

  private async attempt(kind: { kind: 'code' } | { kind: 'invite'; invite: string }, w: bigint, addr: string, expectPeer?: string): Promise<PairedPeer> {
    const { peer, channel } = await this.deps.node.openPair(addr);
    try {
      if (expectPeer && peer !== expectPeer) throw new PairingError(`the device at ${addr} is not the one in the invite`);
      const spake = startSpake2({ role: 'A', w, idA: utf8(this.deps.node.deviceId), idB: utf8(peer), aad: AAD });
      await channel.send({ t: 'pair1', ...kind, pA: spake.message, name: this.deps.name() });
      const m2 = await receiveOrRefusal(channel);
      const result = spake.finish(bytes(m2.pB, 65, 'pB'));
      if (!result.verifyPeer(bytes(m2.cB, 32, 'cB'))) throw new PairingError('wrong code: the other device does not show this code', 'SYNCLINE_PAIRING_WRONG_CODE');
      await channel.send({ t: 'pair3', cA: result.confirmation, addrs: this.deps.node.addresses() });
      const m4 = await receive(channel, 'pair4');
      if (m4.ok !== true) throw new PairingError('the other device refused the pairing', 'SYNCLINE_PAIRING_WRONG_CODE');
      const paired = { deviceId: peer, name: text(m2.name), addrs: strs(m2.addrs).length > 0 ? strs(m2.addrs) : [addr] };
      await this.deps.trust(paired);
      this.deps.event('pairing', { state: 'paired', deviceId: peer, name: paired.name });
      return paired;
    } finally {
      channel.close();
    }
  }

  stop(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.code = undefined;
    this.invites.clear();
  }
}

async function receiveOrRefusal(channel: Channel): Promise<Msg> {
  const m = (await channel.receive()) as Msg;
  if (typeof m === 'object' && m !== null && m.t === 'pair4') {
    throw new PairingError(`pairing refused: ${text(m.reason) || 'no pairing is open there'}`, 'SYNCLINE_PAIRING_REFUSED');
  }
  if (typeof m !== 'object' || m === null || m.t !== 'pair2') throw new PairingError('unexpected pairing message', 'SYNCLINE_PAIRING_PROTOCOL');
  return m;
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

interface InvitePayload {
  v: number;
  d: string;
  i: string;
  a: string[];
  s: string;
  e: number;
}

export function parseInvite(token: string): InvitePayload {
  const bad = () => new PairingError('this is not a Syncline invite token (it starts with "syncline:")', 'SYNCLINE_BAD_INVITE');
  const body = token.trim().replace(/^syncline:/, '');
  if (body === token.trim()) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const o = v as Partial<InvitePayload>;
  if (o.v !== 1 || typeof o.d !== 'string' || typeof o.i !== 'string' || typeof o.s !== 'string' || !Array.isArray(o.a) || typeof o.e !== 'number') throw bad();
  return { v: 1, d: o.d, i: o.i, a: o.a.filter((x): x is string => typeof x === 'string'), s: o.s, e: o.e };
}
