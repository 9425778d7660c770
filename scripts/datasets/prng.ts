import { createHash } from 'node:crypto';

/**
 * A small seeded pseudo-random generator (sfc32) so that every dataset is the
 * same on every machine and every run. Never Math.random in a benchmark.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const digest = createHash('sha256').update(`prng:${seed}`).digest();
    this.a = digest.readUInt32LE(0);
    this.b = digest.readUInt32LE(4);
    this.c = digest.readUInt32LE(8);
    this.d = digest.readUInt32LE(12);
    for (let i = 0; i < 16; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  nextInt(min: number, max: number): number {
    return min + Math.floor(this.nextFloat() * (max - min + 1));
  }

  /** Log-uniform integer in [min, max): equal numbers of files per doubling of size. */
  nextLogUniform(min: number, max: number): number {
    const logMin = Math.log(min);
    const logMax = Math.log(max);
    return Math.min(max - 1, Math.floor(Math.exp(logMin + this.nextFloat() * (logMax - logMin))));
  }
}
