const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** A replica ID from 8 random bytes (the caller supplies the randomness). */
export function replicaIdFromBytes(random: Uint8Array): string {
  if (random.length !== 8) throw new RangeError('a replica ID needs 8 random bytes');
  return base32(random);
}

export const REPLICA_ID_RE = /^[a-z2-7]{13}$/;
