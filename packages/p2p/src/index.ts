// First: libp2p needs Promise.withResolvers, which Node 20 lacks.
import './polyfills.js';

export * from './types.js';
export * from './errors.js';
export { createNode } from './node.js';
export { loadOrCreateIdentity, deviceIdOf, IDENTITY_KEY_FILE, type Identity } from './identity.js';
export { StreamChannel, READ_AHEAD_BYTES, STREAM_READ_BUFFER_BYTES, CLOSE_LINGER_MS, type StreamChannelOptions } from './stream-channel.js';
export { encodeFrame, decodeFramePayload, FrameBuffer, FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from './framing.js';
export { toPlainData } from './plain-data.js';
export { SYNC_PROTOCOL, NUDGE_PROTOCOL, MAX_HEADER_FRAME_BYTES, HEADER_TIMEOUT_MS, FOLDER_ID_RE, parseStreamHeader } from './protocols.js';
export { trustGate } from './trust-gate.js';
export { redialDelay, REDIAL_MIN_MS, REDIAL_MAX_MS } from './backoff.js';
export * from './spake2/index.js';
export * from './pairing-code.js';
