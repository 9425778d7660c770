import type { ConnectionGater, PeerId } from '@libp2p/interface';
import type { Logger } from '@syncline/engine';

/**
 * The connection gate: every peer ID the trust list does not hold is refused at the first
 * hook that knows it — before dialling when we dial by peer ID, right after the Noise
 * handshake otherwise — so an untrusted peer never gets a muxer, let alone a protocol stream.
 */
export function trustGate(isTrusted: (deviceId: string) => boolean, log: Logger): ConnectionGater {
  const refuse = (peer: PeerId, stage: string): boolean => {
    const deviceId = peer.toString();
    let trusted = false;
    try {
      trusted = isTrusted(deviceId);
    } catch (err) {
      log.error({ peer: deviceId, err: err instanceof Error ? err.message : String(err) }, 'the trust check failed: refusing the peer');
    }
    if (!trusted) log.warn({ peer: deviceId, stage }, 'refused an untrusted peer');
    return !trusted;
  };
  return {
    denyDialPeer: (peer) => refuse(peer, 'dial'),
    denyOutboundConnection: (peer) => refuse(peer, 'outbound-connection'),
    denyInboundEncryptedConnection: (peer) => refuse(peer, 'inbound-encrypted'),
    denyOutboundEncryptedConnection: (peer) => refuse(peer, 'outbound-encrypted'),
    denyInboundUpgradedConnection: (peer) => refuse(peer, 'inbound-upgraded'),
    denyOutboundUpgradedConnection: (peer) => refuse(peer, 'outbound-upgraded'),
  };
}
