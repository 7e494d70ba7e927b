import { spawnSync } from 'child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'fs';
import { join } from 'path';
import { InputError } from '../src/errors';
import { writeAtomically } from '../src/output/atomicOutput';
import { CLI, runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

/** Every file of `directory` with its content. */
function contents(directory: string): Record<string, string> {
  return Object.fromEntries(readdirSync(directory).map((name) => [name, readFileSync(join(directory, name), 'utf8')]));
}

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

  it('creates each temporary file before open() returns, so a signal at any later moment finds it to remove', async () => {
    // A SIGTERM while the results were written left `.anomalies.csv.<pid>.<time>.tmp` behind (CI, 2026-12-07): the
    // stream opened its file later on another thread, after the signal's cleanup had found nothing to remove.
    const directory = tempDir();
    const seen = await writeAtomically(directory, async (output) => {
      const names: string[][] = [];
      for (const name of ['scores.csv', 'anomalies.csv']) {
        output.open(join(directory, name));
        names.push(readdirSync(directory).sort());
      }
      return names;
    });
    expect(seen.map((names) => names.map((name) => name.replace(/\.\d+\.[0-9a-z]+\.tmp$/, '.tmp')))).toEqual([
      ['.scores.csv.tmp'],
      ['.anomalies.csv.tmp', '.scores.csv.tmp'],
    ]);
    expect(readdirSync(directory).sort()).toEqual(['anomalies.csv', 'scores.csv']);
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

  it('writes through a symbolic link: the file it names gets the results, the link stays', async () => {
    const [directory, elsewhere] = [tempDir(), tempDir()];
    const target = join(elsewhere, 'model-v1.json');
    writeFileSync(target, 'the previous model');
    const link = join(directory, 'model.json');
    symlinkSync(target, link);
    await writeAtomically(directory, (output) => output.writeFile(link, 'the new model'));
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('the new model');
    expect([readdirSync(directory), readdirSync(elsewhere)]).toEqual([['model.json'], ['model-v1.json']]);
  });

  it('removes an omitted file of a previous run on commit, and leaves a link of that name alone', async () => {
    const directory = tempDir();
    const previous = join(directory, 'model.json');
    writeFileSync(previous, 'a previous run');
    await writeAtomically(directory, async (output) => {
      output.omit(previous);
      await output.writeFile(join(directory, 'summary.json'), '{}');
    });
    expect(readdirSync(directory)).toEqual(['summary.json']);
    const link = join(directory, 'model.json');
    symlinkSync(join(directory, 'nowhere.json'), link);
    await writeAtomically(directory, async (output) => {
      output.omit(link);
      await output.writeFile(join(directory, 'summary.json'), '{}');
    });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('refuses a named pipe, a link to nothing and (as root) a device, leaving each as it was', async () => {
    // A rename over them made each a plain file: `train --model /dev/full` replaced the device (a review, as root).
    const directory = tempDir();
    const pipe = join(directory, 'scores.csv');
    expect(spawnSync('mkfifo', [pipe]).status).toBe(0);
    const dangling = join(directory, 'summary.json');
    symlinkSync(join(directory, 'gone', 'summary.json'), dangling);
    const refused: Array<[string, string]> = [
      [pipe, `${pipe}: is a named pipe, not a file: write the results to a file`],
      [dangling, `${dangling}: is a symbolic link to no file (ENOENT): write the results to a file`],
    ];
    const device = join(directory, 'model.json');
    if (process.getuid?.() === 0 && spawnSync('mknod', [device, 'c', '1', '3']).status === 0) {
      refused.push([device, `${device}: is a character device, not a file: write the results to a file`]);
    }
    for (const [path, message] of refused) {
      await expect(writeAtomically(directory, (output) => output.writeFile(path, 'results'))).rejects.toThrow(message);
    }
    expect(lstatSync(pipe).isFIFO()).toBe(true);
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    if (refused.length > 2) {
      expect(lstatSync(device).isCharacterDevice()).toBe(true);
    }
    expect(readdirSync(directory).sort()).toEqual(refused.map(([path]) => path.slice(directory.length + 1)).sort());
  });

  it('exits 2 when `train --model` names a named pipe, and leaves it a pipe', () => {
    const directory = tempDir();
    const input = writeInput(directory, 'input.csv', toCsv(smallTelemetryRows().slice(0, 300)));
    const pipe = join(directory, 'model.json');
    expect(spawnSync('mkfifo', [pipe]).status).toBe(0);
    const run = runCli(['train', '--input', input, '--model', pipe]);
    expect([run.status, run.stderr.trim()]).toEqual([
      2,
      `telemetry-analyzer: ${pipe}: is a named pipe, not a file: write the results to a file`,
    ]);
    expect(lstatSync(pipe).isFIFO()).toBe(true);
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

  // Needs another user to run the CLI as (setpriv, as root: the CI's case); elsewhere it cannot be set up.
  (process.getuid?.() === 0 ? it : it.skip)(
    "replaces the previous results all or none: one file it may not replace (another user's, in a sticky directory) keeps them whole",
    () => {
      // A directory shared like /tmp (sticky: only a file's owner may replace it). The first run is root's; the
      // second user owns two of its files, so it may replace those and not the others. Before: exit 1 "internal
      // error: EPERM ... rename", the new scores.csv and anomalies.csv beside the old summary.json and report.html.
      const shared = tempDir();
      chmodSync(shared, 0o1777);
      const rows = smallTelemetryRows();
      const first = writeInput(shared, 'first.csv', toCsv(rows.slice(0, 700)));
      const second = writeInput(shared, 'second.csv', toCsv(rows.slice(300)));
      chmodSync(second, 0o644);
      const out = join(shared, 'out');
      expect(runCli(['detect', '-q', '--input', first, '--output-dir', out]).status).toBe(0);
      chmodSync(out, 0o1777);
      chownSync(join(out, 'scores.csv'), 65534, 65534);
      chownSync(join(out, 'anomalies.csv'), 65534, 65534);
      const before = contents(out);
      const run = spawnSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          CLI,
          'detect',
          '-q',
          '-i',
          second,
          '-o',
          out,
        ],
        { encoding: 'utf8' }
      );
      expect(run.stderr).toMatch(/: cannot replace the previous run's file \(EPERM\); nothing was changed\n$/);
      expect(run.status).toBe(2);
      expect(contents(out)).toEqual(before);
    }
  );
});
