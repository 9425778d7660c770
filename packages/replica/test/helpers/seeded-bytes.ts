/** Deterministic pseudo-random bytes (xorshift32), so content-dependent tests are reproducible. */
export function seededBytes(seed: number, length: number): Buffer {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer, 0, length);
}

/** A fast-check seed: FC_SEED from the environment to replay a failure, else a fresh one. */
export function fastCheckSeed(): number {
  const fromEnv = process.env.FC_SEED;
  return fromEnv !== undefined ? Number(fromEnv) : Math.floor(Math.random() * 0x7fffffff);
}
