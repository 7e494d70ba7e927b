/**
 * Seeded pseudo-random numbers for the forest: xoshiro128** seeded through splitmix32.
 *
 * Only 32-bit integer operations (Math.imul, shifts, `>>> 0`) and exactly representable double arithmetic are used,
 * so the same seed yields the same sequence, bit for bit, in Node and in every browser engine.
 * Math.random is neither seedable nor reproducible, hence this generator.
 */

/** A stream of uniformly distributed numbers. */
export interface Random {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** Uniform integer in [0, n) without modulo bias; n must be an integer in [1, 2^32]. */
  nextInt(n: number): number;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const TWO_POW_26 = 67108864;

/** splitmix32: spreads a (possibly small or similar) seed over all 32 bits; used only to fill xoshiro's state. */
function splitMix32(state: { value: number }): number {
  state.value = (state.value + 0x9e3779b9) | 0;
  let z = state.value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

class Xoshiro128StarStar implements Random {
  /**
   * The four 32-bit words of the state, in an Int32Array rather than fields: V8 boxes a field's number in a new heap
   * number whenever it is no small integer (31 bits in browsers, where V8 compresses pointers), which half of these
   * words are after every draw; an element is written in place. Bitwise operators read them alike either way.
   */
  private readonly state = new Int32Array(4);

  constructor(seed: number) {
    const seeder = { value: seed | 0 };
    const state = this.state;
    for (let word = 0; word < 4; word++) {
      state[word] = splitMix32(seeder);
    }
    // The all-zero state is the one fixed point of xoshiro; splitmix32 practically never yields it, but be safe.
    if ((state[0] | state[1] | state[2] | state[3]) === 0) {
      state[0] = 1;
    }
  }

  nextUint32(): number {
    const state = this.state;
    const s1 = state[1];
    const product = Math.imul(s1, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9);
    const t = s1 << 9;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = (state[3] << 11) | (state[3] >>> 21);
    return result >>> 0;
  }

  nextFloat(): number {
    // 27 + 26 bits from two draws, the same construction as a 53-bit double mantissa.
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  }

  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`nextInt(n) needs an integer n in [1, 2^32], got ${n}`);
    }
    // Reject the top partial block of 2^32 so that every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let draw = this.nextUint32();
    while (draw >= limit) {
      draw = this.nextUint32();
    }
    return draw % n;
  }
}

/**
 * Creates a generator from a seed, an integer in [0, 2^32) like numpy's / sklearn's random_state.
 * @throws RangeError for a seed that is not such an integer.
 */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) {
    throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
  }
  return new Xoshiro128StarStar(seed);
}
