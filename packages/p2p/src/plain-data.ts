import { ProtocolError } from '@syncline/engine';

/** Deeper than any engine message (message → records → record → vector is 4 levels). */
export const MAX_DEPTH = 32;

/**
 * Keys that could reach an object's prototype if a later consumer copied values carelessly.
 * msgpackr already renames a decoded `__proto__` key to `__proto_`, so that spelling is refused
 * too: no Syncline message uses either.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', '__proto_', 'constructor', 'prototype']);

/**
 * Checks that a decoded value is plain data — null, undefined, booleans, numbers, strings,
 * Uint8Array, arrays and objects with the plain prototype — and returns it with Node Buffers
 * turned into plain Uint8Array views (no copy). Anything else (Map, Set, Date, RegExp, Error,
 * other typed arrays, bigint, class instances from extension types) is a ProtocolError.
 */
export function toPlainData(value: unknown): unknown {
  return check(value, 0);
}

function check(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'object':
      break;
    default:
      throw new ProtocolError(`a frame holds a ${typeof value}, which is not plain data`);
  }
  if (value === null) return value;
  if (depth >= MAX_DEPTH) throw new ProtocolError(`a frame nests deeper than ${MAX_DEPTH} levels`);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const array = value as unknown[];
    for (let i = 0; i < array.length; i++) array[i] = check(array[i], depth + 1);
    return array;
  }
  if (proto === Uint8Array.prototype) return value;
  if (proto === Buffer.prototype) {
    const b = value as Buffer;
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    throw new ProtocolError(`a frame holds a ${typeof name === 'string' ? name : 'non-plain object'}, which is not plain data`);
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (FORBIDDEN_KEYS.has(key)) throw new ProtocolError(`a frame holds the forbidden key "${key}"`);
    object[key] = check(object[key], depth + 1);
  }
  return object;
}
