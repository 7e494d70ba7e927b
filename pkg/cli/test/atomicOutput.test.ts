import { existsSync, readdirSync } from 'fs';
import { join } from 'path';
import { InputError } from '../src/errors';
import { writeAtomically } from '../src/output/atomicOutput';
import { tempDir } from './cliHarness';

describe('atomic output', () => {
  it('fails with a message naming the file when a file cannot be created, before any write settles', async () => {
    // The file's temporary twin cannot be created (its directory is missing): the stream errors before any write.
    // Before, that error was dropped and the run ended with exit 0 and no files (an unwritable --output-dir).
    const directory = tempDir();
    const unwritable = join(directory, 'missing', 'scores.csv');
    const run = writeAtomically(directory, async (output) => {
      const writer = output.open(unwritable);
      await writer.write('x'.repeat(2 << 20)); // past the buffer: a real write, waiting on the stream
      await output.writeFile(join(directory, 'summary.json'), '{}');
    });
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(`${unwritable}: cannot write the file (ENOENT); nothing was written`);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('removes every directory level a failed run created, not only the last', async () => {
    const outer = join(tempDir(), 'outer');
    const run = writeAtomically(join(outer, 'middle', 'out'), async (output) => {
      await output.writeFile(join(outer, 'middle', 'out', 'summary.json'), '{}');
      throw new InputError({ source: 'input.csv', line: 2 }, 'bad row');
    });
    await expect(run).rejects.toThrow('input.csv:2: bad row');
    expect(existsSync(outer)).toBe(false);
  });

  it('refuses an output that is one of the run’s inputs, before writing it', async () => {
    const directory = tempDir();
    const input = join(directory, 'scores.csv');
    await writeAtomically(directory, (output) => output.writeFile(input, 'the input\n'));
    const run = writeAtomically(directory, (output) => output.writeFile(input, 'results\n'), [input]);
    await expect(run).rejects.toThrow(`${input}: is the input file (${input}): write the results elsewhere`);
    expect(readdirSync(directory)).toEqual(['scores.csv']);
    expect(existsSync(input)).toBe(true);
  });
});
