import type { Channel, Logger } from '@syncline/engine';

/** What the daemon needs of the network layer (the contract; the implementation may add more). */
export interface NodeOptions {
  /** Node home: the identity key lives at `<home>/identity.key` (mode 0600), created on first start. */
  readonly home: string;
  /** Multiaddrs to listen on, e.g. ['/ip4/127.0.0.1/tcp/0']. */
  readonly listen: readonly string[];
  /** mDNS discovery: on for users, off in tests and demos (never multicast on the host network there). */
  readonly mdns: boolean;
  /** The trust gate: consulted before any protocol stream opens; untrusted peers are refused and logged. */
  readonly isTrusted: (deviceId: string) => boolean;
  /** Where refusals, protocol errors and connection events are logged (default: a pino logger on stderr). */
  readonly logger?: Logger;
  /**
   * True while a pairing window is open (or this node is joining one): the gate then lets
   * untrusted peers connect, but they may use only the pairing protocol.
   */
  readonly isPairing?: () => boolean;
}

/** A peer seen through mDNS. */
export interface DiscoveredPeer {
  readonly deviceId: string;
  readonly addrs: readonly string[];
}

/** An incoming sync stream: the peer asked to run a session for `folder`. */
export interface IncomingSync {
  readonly peer: string;
  readonly folder: string;
  readonly channel: Channel;
}

export interface SynclineNode {
  /** The libp2p peer ID, as a string: the device ID. */
  readonly deviceId: string;
  /** Listen addresses including /p2p/<deviceId>. */
  addresses(): string[];
  start(): Promise<void>;
  /** Idempotent; closes every connection and stream, leaves no timers or sockets. */
  stop(): Promise<void>;
  /** Connects to a trusted peer at the given addresses (reconnection with backoff is the node's job). */
  connect(deviceId: string, addrs: readonly string[]): Promise<void>;
  /** Keeps redialling this peer with backoff while it is disconnected, until forget(). */
  keepConnected(deviceId: string, addrs: readonly string[]): void;
  forget(deviceId: string): void;
  /** Closes every connection to this peer (forget() first, or a kept peer is redialled). */
  disconnect(deviceId: string): Promise<void>;
  connectedPeers(): string[];
  onPeerConnected(cb: (deviceId: string) => void): void;
  onPeerDisconnected(cb: (deviceId: string) => void): void;
  /** Handles incoming `/syncline/sync/1.0.0` streams; the handler runs the session and resolves when done. */
  handleSync(handler: (incoming: IncomingSync) => Promise<void>): void;
  /** Opens a sync stream to a connected peer for `folder`; the caller runs the session as initiator. */
  openSync(deviceId: string, folder: string): Promise<Channel>;
  /** A small notification to a peer: "folder changed here, please sync" (`/syncline/nudge/1.0.0`). */
  nudge(deviceId: string, folder: string): Promise<void>;
  handleNudge(handler: (peer: string, folder: string) => void): void;
  /** Incoming `/syncline/pair/1.0.0` streams, accepted only while `isPairing()`; the handler owns the channel. */
  handlePair(handler: (peer: string, channel: Channel) => Promise<void>): void;
  /** Dials an address (its /p2p/ part optional) on the pairing protocol; only while `isPairing()`. */
  openPair(addr: string): Promise<{ peer: string; channel: Channel }>;
  /** Folder offers between trusted peers (`/syncline/offer/1.0.0`, one frame). */
  handleOffer(handler: (peer: string, offer: unknown) => void): void;
  sendOffer(deviceId: string, offer: Record<string, unknown>): Promise<void>;
  /** Peers mDNS has announced (empty with mDNS off). */
  discoveredPeers(): DiscoveredPeer[];
  /** Hangs up on every connected peer that is not trusted (after a pairing window closes). */
  dropUntrusted(): Promise<void>;
}
