import { createRandom } from '@telemetry-analyzer/engine';
import { writeShortestFraction } from '../src/output/shortestNumber';

const bytes = new Uint8Array(64);
const decoder = new TextDecoder();
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** What writeShortestFraction writes for `value` (after 3 bytes of something else), or undefined if it gives up. */
function written(value: number): string | undefined {
  bytes.fill(57);
  const end = writeShortestFraction(value, bytes, 3);
  return end < 0 ? undefined : decoder.decode(bytes.subarray(3, end));
}

/** The next double above (+1) or below (-1) a positive double. */
function neighbour(value: number, step: 1 | -1): number {
  bits[0] = value;
  const low = words[0] + step;
  words[1] += low < 0 ? -1 : low > 0xffffffff ? 1 : 0;
  words[0] = low >>> 0;
  return bits[0];
}

describe('writeShortestFraction', () => {
  it('writes what String() writes, or gives up: random doubles, short decimals, ranks, powers of two and their neighbours', () => {
    const random = createRandom(11);
    const values: number[] = [];
    for (let i = 0; i < 300_000; i++) {
      values.push(random.nextFloat(), 0.1 + 0.8 * random.nextFloat());
    }
    for (let digits = 1; digits <= 17; digits++) {
      for (let i = 0; i < 5_000; i++) {
        const decimal = Math.round(random.nextFloat() * 10 ** digits) / 10 ** digits;
        values.push(decimal, neighbour(decimal, 1), neighbour(decimal, -1));
      }
    }
    for (let k = 1; k < 300; k++) {
      for (let n = k; n < k + 300; n++) {
        values.push(k / (2 * n)); // calibrated scores are ranks like these
      }
    }
    for (let bits = 4; bits <= 53; bits++) {
      for (let i = 0; i < 2_000; i++) {
        // dyadic fractions of few bits: exact decimals of up to ~50 digits, some of them halfway at 17 digits
        values.push(Math.floor(random.nextFloat() * 2 ** bits) / 2 ** bits);
      }
    }
    for (const power of [0.125, 0.25, 0.5, 0.1, 0.9]) {
      let below = power;
      let above = power;
      for (let i = 0; i < 2_000; i++) {
        values.push(below, above);
        below = neighbour(below, -1);
        above = neighbour(above, 1);
      }
    }
    let fast = 0;
    const wrong: string[] = [];
    for (const value of values) {
      const text = written(value);
      if (text !== undefined) {
        fast++;
        if (text !== String(value)) {
          wrong.push(`${String(value)} written as ${text}`);
        }
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(fast / values.length).toBeGreaterThan(0.5); // and it does not give up on everything
  });

  it('gives up outside [0.1, 0.9) and on NaN; writes 15, 16 and 17 digits', () => {
    for (const value of [0, 0.09999999999999999, 0.9, 1, -0.5, NaN, Infinity]) {
      expect(written(value)).toBeUndefined();
    }
    expect(written(0.1)).toBe('0.1');
    expect(written(0.5)).toBe('0.5');
    expect(written(0.30000000000000004)).toBe('0.30000000000000004');
    expect(written(0.1 + 0.7)).toBe('0.7999999999999999');
    expect(written(0.4825598470312082)).toBe('0.4825598470312082');
    expect(written(0.509334590806711)).toBe('0.509334590806711');
  });
});
