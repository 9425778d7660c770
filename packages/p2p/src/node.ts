import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import type { Connection, Libp2p, PeerId, PeerInfo, Stream } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createLogger, type Channel, type Logger } from '@syncline/engine';
import { createLibp2p } from 'libp2p';
import { redialDelay, STABLE_CONNECTION_MS } from './backoff.js';
import { InvalidAddressError, InvalidFolderIdError, NodeNotRunningError, PeerNotTrustedError, PeerUnreachableError } from './errors.js';
import { MAX_FRAME_BYTES } from './framing.js';
import { loadOrCreateIdentity, type Identity } from './identity.js';
import { leanNoise } from './lean-noise.js';
import { cancelAddressManagerDebounce, closeCallbacksRun } from './libp2p-quirks.js';
import { FOLDER_ID_RE, HEADER_TIMEOUT_MS, MAX_HEADER_FRAME_BYTES, MAX_SMALL_FRAME_BYTES, NUDGE_PROTOCOL, OFFER_PROTOCOL, PAIR_PROTOCOL, parseStreamHeader, SYNC_PROTOCOL } from './protocols.js';
import { StreamChannel } from './stream-channel.js';
import { trustGate } from './trust-gate.js';
import type { DiscoveredPeer, IncomingSync, NodeOptions, SynclineNode } from './types.js';

const P2P_CODE = 421;

interface KeptPeer {
  addrs: readonly string[];
  attempt: number;
  timer: NodeJS.Timeout | undefined;
  dialing: boolean;
  connectedAt: number | undefined;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Creates (does not start) the node: loads or creates the identity in `options.home`. */
export async function createNode(options: NodeOptions): Promise<SynclineNode> {
  const identity = await loadOrCreateIdentity(options.home);
  const log = options.logger ?? createLogger('syncline-p2p');
  const libp2p = await createLibp2p({
    start: false,
    privateKey: identity.privateKey,
    addresses: { listen: [...options.listen] },
    transports: [tcp()],
    connectionEncrypters: [leanNoise()],
    streamMuxers: [yamux()],
    connectionGater: trustGate((id) => options.isTrusted(id) || (options.isPairing?.() ?? false), log),
    peerDiscovery: options.mdns ? [mdns()] : [],
    services: { identify: identify() },
    // The monitor aborts a connection whose liveness probe times out; a busy transfer on one
    // event loop can delay the probe by seconds, so give it room.
    connectionMonitor: { pingInterval: 15_000, pingTimeout: { minTimeout: 30_000, maxTimeout: 60_000 } },
  });
  return new Libp2pSynclineNode(libp2p, identity, options.isTrusted, log, options.isPairing ?? (() => false));
}

class Libp2pSynclineNode implements SynclineNode {
  readonly deviceId: string;
  private state: State = 'new';
  private stopped: Promise<void> | undefined;
  private syncHandler: ((incoming: IncomingSync) => Promise<void>) | undefined;
  private nudgeHandler: ((peer: string, folder: string) => void) | undefined;
  private pairHandler: ((peer: string, channel: Channel) => Promise<void>) | undefined;
  private offerHandler: ((peer: string, offer: unknown) => void) | undefined;
  private readonly discovered = new Map<string, string[]>();
  private readonly connectedListeners: ((deviceId: string) => void)[] = [];
  private readonly disconnectedListeners: ((deviceId: string) => void)[] = [];
  private readonly kept = new Map<string, KeptPeer>();
  private readonly channels = new Set<StreamChannel>();
  private readonly handlerRuns = new Set<Promise<void>>();

  constructor(
    private readonly libp2p: Libp2p,
    identity: Identity,
    private readonly isTrusted: (deviceId: string) => boolean,
    private readonly log: Logger,
    private readonly isPairing: () => boolean,
  ) {
    this.deviceId = identity.deviceId;
  }

  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((ma) => ma.toString());
  }

  async start(): Promise<void> {
    if (this.state === 'running') return;
    if (this.state !== 'new') throw new NodeNotRunningError(this.state === 'starting' ? 'start twice at once' : 'start a stopped node');
    this.state = 'starting';
    try {
      await this.libp2p.handle(SYNC_PROTOCOL, this.onSyncStream, { maxInboundStreams: 64 });
      await this.libp2p.handle(NUDGE_PROTOCOL, this.onNudgeStream, { maxInboundStreams: 16 });
      await this.libp2p.handle(PAIR_PROTOCOL, this.onPairStream, { maxInboundStreams: 4 });
      await this.libp2p.handle(OFFER_PROTOCOL, this.onOfferStream, { maxInboundStreams: 16 });
      this.libp2p.addEventListener('peer:connect', this.onPeerConnect);
      this.libp2p.addEventListener('peer:disconnect', this.onPeerDisconnect);
      this.libp2p.addEventListener('peer:discovery', this.onPeerDiscovery);
      await this.libp2p.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.state = 'running';
    this.log.info({ deviceId: this.deviceId, addresses: this.addresses() }, 'node started');
    for (const deviceId of this.kept.keys()) this.scheduleRedial(deviceId, 0);
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  private async shutDown(): Promise<void> {
    this.state = 'stopping';
    for (const entry of this.kept.values()) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
    }
    for (const channel of this.channels) channel.abort('the node is stopping');
    this.libp2p.removeEventListener('peer:connect', this.onPeerConnect);
    this.libp2p.removeEventListener('peer:disconnect', this.onPeerDisconnect);
    this.libp2p.removeEventListener('peer:discovery', this.onPeerDiscovery);
    try {
      await this.libp2p.stop();
      cancelAddressManagerDebounce(this.libp2p);
      await closeCallbacksRun();
    } finally {
      // Handlers see their channels closed and end; the node is stopped once they have.
      await Promise.allSettled(this.handlerRuns);
      this.state = 'stopped';
      this.log.info({ deviceId: this.deviceId }, 'node stopped');
    }
  }

  async connect(deviceId: string, addrs: readonly string[]): Promise<void> {
    this.assertRunning('connect to a peer');
    const peerId = this.trustedPeerId(deviceId);
    const targets = addrs.map((a) => peerMultiaddr(a, peerId.toString()));
    if (targets.length > 0) {
      await this.libp2p.peerStore.merge(peerId, { multiaddrs: targets.map((ma) => ma.decapsulateCode(P2P_CODE)) });
    }
    let connection: Connection;
    try {
      connection = await this.libp2p.dial(targets.length > 0 ? targets : peerId);
    } catch (err) {
      throw new PeerUnreachableError(peerId.toString(), 'connect to', { cause: err });
    }
    if (!connection.remotePeer.equals(peerId)) {
      await connection.close().catch(() => undefined);
      throw new PeerUnreachableError(peerId.toString(), 'connect to', { cause: new Error(`the address answered as ${connection.remotePeer.toString()}`) });
    }
  }

  keepConnected(deviceId: string, addrs: readonly string[]): void {
    const id = parsePeerId(deviceId).toString();
    for (const a of addrs) peerMultiaddr(a, id);
    const entry = this.kept.get(id);
    if (entry) {
      entry.addrs = [...addrs];
    } else {
      this.kept.set(id, { addrs: [...addrs], attempt: 0, timer: undefined, dialing: false, connectedAt: undefined });
    }
    if (this.state === 'running') this.scheduleRedial(id, 0);
  }

  forget(deviceId: string): void {
    const id = parsePeerId(deviceId).toString();
    const entry = this.kept.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.kept.delete(id);
  }

  async disconnect(deviceId: string): Promise<void> {
    if (this.state !== 'running') return;
    await this.libp2p.hangUp(parsePeerId(deviceId));
  }

  connectedPeers(): string[] {
    return this.libp2p.getPeers().map((p) => p.toString());
  }

  onPeerConnected(cb: (deviceId: string) => void): void {
    this.connectedListeners.push(cb);
  }

  onPeerDisconnected(cb: (deviceId: string) => void): void {
    this.disconnectedListeners.push(cb);
  }

  handleSync(handler: (incoming: IncomingSync) => Promise<void>): void {
    this.syncHandler = handler;
  }

  handleNudge(handler: (peer: string, folder: string) => void): void {
    this.nudgeHandler = handler;
  }

  handlePair(handler: (peer: string, channel: Channel) => Promise<void>): void {
    this.pairHandler = handler;
  }

  handleOffer(handler: (peer: string, offer: unknown) => void): void {
    this.offerHandler = handler;
  }

  async openPair(addr: string): Promise<{ peer: string; channel: Channel }> {
    this.assertRunning('pair with a peer');
    if (!this.isPairing()) throw new NodeNotRunningError('pair without an open pairing (internal)');
    let ma: Multiaddr;
    try {
      ma = multiaddr(addr);
    } catch (err) {
      throw new InvalidAddressError(`${JSON.stringify(addr).slice(0, 120)} is not a multiaddr (expected e.g. /ip4/192.0.2.7/tcp/4001)`, { cause: err });
    }
    let stream: Stream;
    let peer: string;
    try {
      const connection = await this.libp2p.dial(ma);
      peer = connection.remotePeer.toString();
      stream = await connection.newStream(PAIR_PROTOCOL);
    } catch (err) {
      throw new PeerUnreachableError(addr, 'pair with', { cause: err });
    }
    const channel = this.track(new StreamChannel(stream, { peer, log: this.log, maxFrameBytes: MAX_SMALL_FRAME_BYTES }));
    return { peer, channel };
  }

  async sendOffer(deviceId: string, offer: Record<string, unknown>): Promise<void> {
    const channel = await this.openChannel(deviceId, OFFER_PROTOCOL, 'offer a folder to');
    try {
      await channel.send(offer);
    } catch (err) {
      channel.abort('could not send the offer');
      throw new PeerUnreachableError(deviceId, 'offer a folder to', { cause: err });
    }
    channel.close();
  }

  discoveredPeers(): DiscoveredPeer[] {
    return [...this.discovered].map(([deviceId, addrs]) => ({ deviceId, addrs }));
  }

  async dropUntrusted(): Promise<void> {
    if (this.state !== 'running') return;
    const untrusted = this.libp2p.getPeers().filter((p) => !this.trusts(p.toString()));
    await Promise.allSettled(untrusted.map((p) => this.libp2p.hangUp(p)));
  }

  private readonly onPairStream = (stream: Stream, connection: Connection): void => {
    const peer = connection.remotePeer.toString();
    const handler = this.pairHandler;
    if (this.state !== 'running' || !handler || !this.isPairing()) {
      this.log.warn({ peer }, 'refused a pairing stream: no pairing window is open');
      stream.abort(new Error('no pairing window is open'));
      return;
    }
    const channel = this.track(new StreamChannel(stream, { peer, log: this.log, maxFrameBytes: MAX_SMALL_FRAME_BYTES }));
    this.runTracked(
      handler(peer, channel).finally(() => channel.close()),
    );
  };

  private readonly onOfferStream = (stream: Stream, connection: Connection): void => {
    const peer = connection.remotePeer.toString();
    if (!this.admit(stream, peer)) return;
    const channel = this.track(new StreamChannel(stream, { peer, log: this.log, maxFrameBytes: MAX_SMALL_FRAME_BYTES }));
    this.runTracked(
      (async () => {
        let offer: unknown;
        try {
          offer = await channel.receive();
        } catch {
          channel.abort('no offer');
          return;
        }
        channel.close();
        try {
          this.offerHandler?.(peer, offer);
        } catch (err) {
          this.log.warn({ peer, err: err instanceof Error ? err.message : String(err) }, 'the offer handler failed');
        }
      })(),
    );
  };

  async openSync(deviceId: string, folder: string): Promise<Channel> {
    assertFolderId(folder);
    const channel = await this.openChannel(deviceId, SYNC_PROTOCOL, 'open a sync stream to');
    try {
      await channel.send({ folder });
    } catch (err) {
      channel.abort('could not send the stream header');
      throw new PeerUnreachableError(deviceId, 'open a sync stream to', { cause: err });
    }
    return channel;
  }

  async nudge(deviceId: string, folder: string): Promise<void> {
    assertFolderId(folder);
    const channel = await this.openChannel(deviceId, NUDGE_PROTOCOL, 'nudge');
    try {
      await channel.send({ folder });
    } catch (err) {
      channel.abort('could not send the nudge');
      throw new PeerUnreachableError(deviceId, 'nudge', { cause: err });
    }
    channel.close();
  }

  private async openChannel(deviceId: string, protocol: string, what: string): Promise<StreamChannel> {
    this.assertRunning(`${what} a peer`);
    const peerId = this.trustedPeerId(deviceId);
    let stream: Stream;
    try {
      stream = await this.libp2p.dialProtocol(peerId, protocol);
    } catch (err) {
      throw new PeerUnreachableError(peerId.toString(), what, { cause: err });
    }
    return this.track(new StreamChannel(stream, { peer: peerId.toString(), log: this.log }));
  }

  private readonly onSyncStream = (stream: Stream, connection: Connection): void => {
    const peer = connection.remotePeer.toString();
    if (!this.admit(stream, peer)) return;
    const handler = this.syncHandler;
    if (!handler) {
      this.log.warn({ peer, protocol: stream.protocol }, 'refused a sync stream: no sync handler is registered');
      stream.abort(new Error('this node does not accept sync sessions'));
      return;
    }
    const channel = this.track(new StreamChannel(stream, { peer, log: this.log, maxFrameBytes: MAX_HEADER_FRAME_BYTES }));
    this.runTracked(this.serveSync(channel, peer, handler));
  };

  private async serveSync(channel: StreamChannel, peer: string, handler: (incoming: IncomingSync) => Promise<void>): Promise<void> {
    const header = await this.readHeader(channel, peer);
    if (!header) return;
    channel.maxFrameBytes = MAX_FRAME_BYTES;
    try {
      await handler({ peer, folder: header.folder, channel });
    } catch (err) {
      this.log.warn({ peer, folder: header.folder, err: err instanceof Error ? err.message : String(err) }, 'incoming sync session failed');
    } finally {
      channel.close();
    }
  }

  private readonly onNudgeStream = (stream: Stream, connection: Connection): void => {
    const peer = connection.remotePeer.toString();
    if (!this.admit(stream, peer)) return;
    const channel = this.track(new StreamChannel(stream, { peer, log: this.log, maxFrameBytes: MAX_HEADER_FRAME_BYTES }));
    this.runTracked(
      (async () => {
        const header = await this.readHeader(channel, peer);
        if (!header) return;
        channel.close();
        const handler = this.nudgeHandler;
        if (!handler) {
          this.log.debug({ peer, folder: header.folder }, 'nudge ignored: no nudge handler is registered');
          return;
        }
        try {
          handler(peer, header.folder);
        } catch (err) {
          this.log.warn({ peer, folder: header.folder, err: err instanceof Error ? err.message : String(err) }, 'the nudge handler failed');
        }
      })(),
    );
  };

  /** The `{ folder }` header frame, or undefined (logged, stream reset) if it is missing or bad. */
  private async readHeader(channel: StreamChannel, peer: string): Promise<{ folder: string } | undefined> {
    const timer = setTimeout(() => channel.abort(`no stream header within ${HEADER_TIMEOUT_MS} ms`), HEADER_TIMEOUT_MS);
    let frame: unknown;
    try {
      frame = await channel.receive();
    } catch (err) {
      // A framing error was logged by the channel, which also reset the stream.
      this.log.debug({ peer, protocol: channel.stream.protocol, err: err instanceof Error ? err.message : String(err) }, 'no stream header');
      channel.abort('no stream header');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
    try {
      return parseStreamHeader(frame);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ peer, protocol: channel.stream.protocol, err: message }, 'bad stream header from peer: stream reset');
      channel.abort(message);
      return undefined;
    }
  }

  /** The defensive re-check of trust on every incoming stream (the gate should already have refused). */
  private admit(stream: Stream, peer: string): boolean {
    if (this.state !== 'running') {
      stream.abort(new Error('the node is stopping'));
      return false;
    }
    if (this.trusts(peer)) return true;
    this.log.warn({ peer, protocol: stream.protocol }, 'refused a stream from an untrusted peer');
    stream.abort(new PeerNotTrustedError(peer));
    return false;
  }

  private readonly onPeerConnect = (evt: CustomEvent<PeerId>): void => {
    const deviceId = evt.detail.toString();
    const entry = this.kept.get(deviceId);
    if (entry) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.connectedAt = Date.now();
    }
    this.log.info({ peer: deviceId }, 'peer connected');
    for (const cb of this.connectedListeners) this.callListener(cb, deviceId);
  };

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    const deviceId = evt.detail.toString();
    this.log.info({ peer: deviceId }, 'peer disconnected');
    const entry = this.kept.get(deviceId);
    if (entry && this.state === 'running') {
      if (entry.connectedAt !== undefined && Date.now() - entry.connectedAt >= STABLE_CONNECTION_MS) entry.attempt = 0;
      entry.connectedAt = undefined;
      this.scheduleRedial(deviceId, redialDelay(entry.attempt++));
    }
    for (const cb of this.disconnectedListeners) this.callListener(cb, deviceId);
  };

  private readonly onPeerDiscovery = (evt: CustomEvent<PeerInfo>): void => {
    const deviceId = evt.detail.id.toString();
    this.discovered.set(deviceId, evt.detail.multiaddrs.map((ma) => ma.toString()));
    if (this.state !== 'running' || !this.trusts(deviceId) || this.isConnected(deviceId)) return;
    this.libp2p.dial(evt.detail.id).catch((err: unknown) => {
      this.log.debug({ peer: deviceId, err: err instanceof Error ? err.message : String(err) }, 'could not dial a discovered peer');
    });
  };

  private scheduleRedial(deviceId: string, delay: number): void {
    const entry = this.kept.get(deviceId);
    if (!entry || this.state !== 'running' || entry.timer !== undefined || entry.dialing) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.redial(deviceId, entry);
    }, delay);
  }

  private async redial(deviceId: string, entry: KeptPeer): Promise<void> {
    if (this.kept.get(deviceId) !== entry || this.state !== 'running' || this.isConnected(deviceId)) return;
    entry.dialing = true;
    try {
      await this.connect(deviceId, entry.addrs);
      return;
    } catch (err) {
      this.log.debug({ peer: deviceId, attempt: entry.attempt, err: err instanceof Error ? err.message : String(err) }, 'redial failed');
    } finally {
      entry.dialing = false;
    }
    if (!this.isConnected(deviceId)) this.scheduleRedial(deviceId, redialDelay(entry.attempt++));
  }

  private isConnected(deviceId: string): boolean {
    return this.libp2p.getConnections(peerIdFromString(deviceId)).some((c) => c.status === 'open');
  }

  private trusts(deviceId: string): boolean {
    try {
      return this.isTrusted(deviceId);
    } catch (err) {
      this.log.error({ peer: deviceId, err: err instanceof Error ? err.message : String(err) }, 'the trust check failed: treating the peer as untrusted');
      return false;
    }
  }

  private trustedPeerId(deviceId: string): PeerId {
    const peerId = parsePeerId(deviceId);
    if (!this.trusts(peerId.toString())) throw new PeerNotTrustedError(peerId.toString());
    return peerId;
  }

  private track(channel: StreamChannel): StreamChannel {
    this.channels.add(channel);
    void channel.done.then(() => this.channels.delete(channel));
    return channel;
  }

  private runTracked(run: Promise<void>): void {
    const tracked = run.catch((err: unknown) => {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'stream handler failed');
    });
    this.handlerRuns.add(tracked);
    void tracked.finally(() => this.handlerRuns.delete(tracked));
  }

  private callListener(cb: (deviceId: string) => void, deviceId: string): void {
    try {
      cb(deviceId);
    } catch (err) {
      this.log.error({ peer: deviceId, err: err instanceof Error ? err.message : String(err) }, 'a peer listener threw');
    }
  }

  private assertRunning(what: string): void {
    if (this.state !== 'running') throw new NodeNotRunningError(what);
  }
}

function parsePeerId(deviceId: string): PeerId {
  try {
    return peerIdFromString(deviceId);
  } catch (err) {
    throw new InvalidAddressError(`${JSON.stringify(deviceId).slice(0, 80)} is not a device ID (expected a libp2p peer ID such as 12D3KooW…)`, { cause: err });
  }
}

/** `addr` as a multiaddr ending in /p2p/<deviceId>; an address of another device is an error. */
function peerMultiaddr(addr: string, deviceId: string): Multiaddr {
  let ma: Multiaddr;
  try {
    ma = multiaddr(addr);
  } catch (err) {
    throw new InvalidAddressError(`${JSON.stringify(addr).slice(0, 120)} is not a multiaddr (expected e.g. /ip4/192.0.2.7/tcp/22000)`, { cause: err });
  }
  const p2p = ma.getComponents().findLast((c) => c.code === P2P_CODE)?.value;
  if (p2p === undefined) return ma.encapsulate(`/p2p/${deviceId}`);
  if (p2p !== deviceId) throw new InvalidAddressError(`the address ${addr} belongs to device ${p2p}, not ${deviceId}`);
  return ma;
}

function assertFolderId(folder: string): void {
  if (typeof folder !== 'string' || !FOLDER_ID_RE.test(folder)) throw new InvalidFolderIdError(String(folder));
}
