import { float32AtMost } from '../src/scoringLayout';
import { createRandom } from '../src/random';

/** The next float32 above a float32 `f` (towards +Infinity). */
function nextFloat32Up(f: number): number {
  const scratch = new Float32Array([f]);
  const bits = new Int32Array(scratch.buffer);
  if (Object.is(f, -0) || f === 0) {
    return 2 ** -149;
  }
  bits[0] += f > 0 ? 1 : -1;
  return scratch[0];
}

describe('float32AtMost: the largest float32 <= a double (so x <= t32 is exactly x <= t64 for float32 x)', () => {
  const random = createRandom(3);
  const values = [0, -0, 1, -1, 0.1, -0.1, 1e-45, -1e-45, 3.4e38, 3.5e38, -3.5e38, Infinity, 1 / 3, -(2 ** -149) / 3];
  for (let i = 0; i < 2000; i++) {
    const magnitude = 10 ** (random.nextFloat() * 80 - 40);
    values.push((random.nextFloat() < 0.5 ? -1 : 1) * magnitude * random.nextFloat());
  }

  it('holds for signed zeros, subnormals, the float32 range edges, +Infinity and 2000 random doubles', () => {
    const wrong = values.filter((value) => {
      const result = float32AtMost(value);
      const isFloat32 = Object.is(Math.fround(result), result);
      const largest = result === Infinity || nextFloat32Up(result) > value;
      return !(isFloat32 && result <= value && largest);
    });
    expect(wrong).toEqual([]);
  });
});
