/**
 * All-or-nothing output: every file is written under a temporary name inside the target directory and renamed
 * over its final name only when the whole run succeeded (a rename within one directory is atomic). On failure or
 * Ctrl-C the temporary files are removed, so the directory holds either the previous run's files or the new ones,
 * never a half-written file; a directory this run created is removed again. A run killed outright (SIGKILL) cannot
 * clean up: a later run writing the same file removes the temporary ones left (removeOrphanedTemporaries). A file of
 * the output set that this run does not produce (detect's model.json when no model came out of it) is named with
 * omit(): a previous run's copy is removed on commit, so it is never shown beside this run's results. The commit
 * replaces all the previous files or none (swapInSync).
 */
import {
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  type WriteStream,
} from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { InputError } from '../errors';
import { cleanUpOnInterrupt } from '../interruptCleanup';

const BUFFER_BYTES = 1 << 20;

/** Appends text (or UTF-8 bytes) to a file through a buffer, honouring the stream's backpressure. */
export class TextFileWriter {
  private buffered: Array<string | Uint8Array> = [];
  /** Characters or bytes buffered: near enough to bytes to decide when to write. */
  private bufferedSize = 0;
  /** The stream's first error (it may come before any write: the file could not be created). */
  private failure?: Error;

  /**
   * @param describe turns the stream's error into the one thrown (a file the user can act on)
   */
  constructor(
    private readonly stream: WriteStream,
    private readonly describe: (error: Error) => Error = (error) => error
  ) {
    // Kept, not only awaited: an error before a write would otherwise go unseen, and a write waiting for 'drain'
    // on the destroyed stream would never settle (the process then ran out of work and exited 0, writing nothing).
    stream.on('error', (error) => (this.failure ??= this.describe(error)));
  }

  private throwIfFailed(): void {
    if (this.failure) {
      throw this.failure;
    }
  }

  async write(text: string | Uint8Array): Promise<void> {
    if (text.length === 0) {
      return;
    }
    this.buffered.push(text);
    this.bufferedSize += text.length;
    if (this.bufferedSize >= BUFFER_BYTES) {
      await this.flush();
    }
  }

  async flush(): Promise<void> {
    this.throwIfFailed();
    if (this.buffered.length === 0) {
      return;
    }
    const chunks = this.buffered;
    this.buffered = [];
    this.bufferedSize = 0;
    let ready = true;
    for (const chunk of chunks) {
      ready = this.stream.write(chunk);
    }
    if (!ready) {
      await new Promise<void>((resolve, reject) => {
        const settle = () => {
          this.stream.off('drain', settle);
          this.stream.off('close', settle);
          if (this.failure) {
            reject(this.failure);
          } else {
            resolve();
          }
        };
        // A destroyed stream never drains; it closes (after its 'error').
        this.stream.once('drain', settle);
        this.stream.once('close', settle);
        if (this.stream.destroyed) {
          settle();
        }
      });
    }
    this.throwIfFailed();
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      if (this.stream.destroyed) {
        reject(this.failure ?? new Error('the output stream was closed'));
        return;
      }
      this.stream.once('error', () => reject(this.failure));
      this.stream.end(resolve);
    });
  }
}

interface PendingFile {
  finalPath: string;
  tempPath: string;
  writer: TextFileWriter;
}

/** A file that could not be created or written: said of its final name, which is what the user gave. */
export function cannotWrite(path: string, error: Error): InputError {
  return new InputError(
    { source: path },
    `cannot write the file (${(error as NodeJS.ErrnoException).code ?? error.message}); nothing was written`
  );
}

/** Output files of one run, in one directory (`--output-dir`) or as single files (`--model`). */
export class AtomicOutput {
  private readonly files: PendingFile[] = [];
  /** The names found in each directory written to (listing()). */
  private readonly listings = new Map<string, string[]>();
  /** Files of the output set this run does not write: a previous run's copy goes on commit. */
  private readonly omitted: string[] = [];
  /** Directories this run created, the deepest last. */
  private readonly createdDirectories: string[];
  /** Unregisters abortSync from the Ctrl-C / SIGTERM cleanups. */
  private readonly forgetOnInterrupt: () => void;

  /**
   * @param inputs files this run reads: an output that is one of them is refused (it would replace the input)
   */
  constructor(
    directory: string,
    private readonly inputs: readonly string[] = []
  ) {
    if (existsSync(directory) && !statSync(directory).isDirectory()) {
      throw new InputError({ source: directory }, 'is not a directory: give a directory for the results');
    }
    this.createdDirectories = createDirectory(directory);
    this.forgetOnInterrupt = cleanUpOnInterrupt(() => this.abortSync());
  }

  /** The names in a directory written to, read once (each file opened there looks for its leftovers in it). */
  private listing(directory: string): string[] {
    let names = this.listings.get(directory);
    if (names === undefined) {
      try {
        names = readdirSync(directory);
      } catch {
        names = []; // not readable: writing the file will say so
      }
      this.listings.set(directory, names);
    }
    return names;
  }

  /**
   * A writer for `path`; the file appears under that name only on commit(). A symbolic link is written through (the
   * file it names is replaced, the link kept); a device, a named pipe or a socket is refused (renamed over, /dev/full
   * became a plain file: a review, the CLI running as root).
   */
  open(named: string): TextFileWriter {
    const path = regularFileTarget(named);
    this.refuseInput(path);
    removeOrphanedTemporaries(dirname(path), basename(path), this.listing(dirname(path)));
    const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
    // Created here, synchronously, and listed before a signal's cleanup can run: a stream's own open comes later, on
    // another thread, and a SIGTERM in between left the file behind (the cleanup had found nothing to remove yet).
    let descriptor: number;
    try {
      descriptor = openSync(tempPath, 'wx');
    } catch (error) {
      throw cannotWrite(path, error as Error);
    }
    const writer = new TextFileWriter(createWriteStream(tempPath, { fd: descriptor }), (error) =>
      cannotWrite(path, error)
    );
    this.files.push({ finalPath: path, tempPath, writer });
    return writer;
  }

  async writeFile(path: string, text: string): Promise<void> {
    const writer = this.open(path);
    await writer.write(text);
  }

  /**
   * `path` belongs to the output set but this run does not produce it: a file of that name is removed on commit.
   * Anything but a regular file of that name (a link, a device) is left alone: no previous run wrote it.
   */
  omit(path: string): void {
    this.refuseInput(path);
    if (!isLink(path) && (!existsSync(path) || lstatSync(path).isFile())) {
      this.omitted.push(path);
    }
  }

  /** An output name that is one of the run's inputs is refused: replacing or removing it would lose the input. */
  private refuseInput(path: string): void {
    for (const input of this.inputs) {
      if (sameFile(input, path)) {
        throw new InputError({ source: path }, `is the input file (${input}): write the results elsewhere`);
      }
    }
  }

  /** Closes every file and moves it to its final name. */
  async commit(): Promise<void> {
    for (const file of this.files) {
      await file.writer.close();
    }
    // A final name taken by a directory is said first, in its own words; any other failure to rename is swapInSync's.
    for (const file of this.files) {
      if (existsSync(file.finalPath) && statSync(file.finalPath).isDirectory()) {
        throw new InputError({ source: file.finalPath }, 'is a directory; cannot replace it with the output file');
      }
    }
    this.swapInSync();
    this.files.length = 0;
    this.release();
  }

  /**
   * Puts the new files in place of the previous run's, all or none. Synchronous, so no signal handler runs in the
   * middle. The previous files (and those this run omits) are first moved aside; only once all of them moved are the
   * new ones renamed in; any failure puts back what had moved, so the directory keeps the previous results whole. A
   * rename fails where a file cannot be replaced: another user's file in a sticky directory such as /tmp (EPERM).
   */
  private swapInSync(): void {
    const aside: Array<{ path: string; backup: string }> = [];
    const placed: string[] = [];
    const undo = () => {
      for (const path of placed) {
        tryUnlink(path);
      }
      for (const { path, backup } of aside) {
        try {
          renameSync(backup, path);
        } catch {
          // not expected (it was just renamed away within this directory); the other files are still put back
        }
      }
    };
    const previous = [
      ...this.omitted.filter((path) => !isDirectory(path)), // a directory is not a file a run wrote: left alone
      ...this.files.map((file) => file.finalPath),
    ];
    for (const path of previous) {
      const backup = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.previous`);
      try {
        renameSync(path, backup);
        aside.push({ path, backup });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          continue; // no previous file of that name
        }
        undo();
        throw new InputError(
          { source: path },
          `cannot replace the previous run's file (${(error as NodeJS.ErrnoException).code}); nothing was changed`
        );
      }
    }
    for (const file of this.files) {
      try {
        renameSync(file.tempPath, file.finalPath);
        placed.push(file.finalPath);
      } catch (error) {
        undo();
        throw new InputError(
          { source: file.finalPath },
          `cannot put the output file in place (${(error as NodeJS.ErrnoException).code}); nothing was changed`
        );
      }
    }
    for (const { backup } of aside) {
      tryUnlink(backup);
    }
    this.omitted.length = 0;
  }

  /** Removes the temporary files (and the directory if this run created it and it is empty). */
  async abort(): Promise<void> {
    for (const file of this.files) {
      await file.writer.close().catch(() => undefined);
    }
    this.abortSync();
  }

  private abortSync(): void {
    for (const file of this.files) {
      try {
        unlinkSync(file.tempPath);
      } catch {
        // already gone
      }
    }
    this.files.length = 0;
    this.omitted.length = 0;
    for (const directory of [...this.createdDirectories].reverse()) {
      try {
        rmdirSync(directory);
      } catch {
        break; // not empty: something else was put there meanwhile; leave it and its parents
      }
    }
    this.release();
  }

  private release(): void {
    this.forgetOnInterrupt();
  }
}

/** Temporary files untouched for this long may be a killed run's (a live run writes its files as it goes). */
export const ORPHAN_AGE_MS = 10 * 60_000;

/**
 * Removes the temporary files of `name` (`.<name>.<pid>.<time in base 36>.tmp`, as open() makes them), among the
 * directory's `names`, that a run
 * killed outright (SIGKILL, out of memory, a crash of the runtime) left in `directory`, where no cleanup of its own
 * ran. Only those of this very output name (a review: any hidden `.x.123.y.tmp` of other programs went too), untouched
 * for ORPHAN_AGE_MS, and of a process that no longer runs here: age is what tells across hosts or containers sharing
 * the directory, whose pids are not this host's. A live run's stay (also another user's: EPERM says it runs). The
 * `.previous` copies a commit moves aside are kept: a run killed in the middle of its commit leaves the previous
 * results there.
 */
function removeOrphanedTemporaries(directory: string, name: string, names: string[], now = Date.now()): void {
  const prefix = `.${name}.`;
  for (const candidate of names) {
    const pid = candidate.startsWith(prefix) ? /^(\d+)\.[0-9a-z]+\.tmp$/.exec(candidate.slice(prefix.length)) : null;
    if (pid === null || isRunning(Number(pid[1]))) {
      continue;
    }
    const path = join(directory, candidate);
    try {
      const info = lstatSync(path);
      if (info.isFile() && info.mtimeMs < now - ORPHAN_AGE_MS) {
        unlinkSync(path);
      }
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    return true; // not a pid: leave the file alone
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Creates `directory` and its missing parents one level at a time and returns the levels created, outermost first.
 * Not mkdirSync's `recursive`: on Node 20 it loops forever where a level cannot be created (`/proc/foo`).
 */
function createDirectory(directory: string): string[] {
  const missing: string[] = [];
  for (let level = resolve(directory); !existsSync(level); level = dirname(level)) {
    missing.unshift(level);
  }
  const created: string[] = [];
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      for (const made of created.reverse()) {
        rmdirSync(made);
      }
      // The level that failed is named when it is a parent: `/proc` refuses `/proc/foo`, not `/proc/foo/out`.
      const parent = level === missing[missing.length - 1] ? '' : `${level}: `;
      throw new InputError(
        { source: directory },
        `cannot create the output directory (${parent}${(error as NodeJS.ErrnoException).code})`
      );
    }
    created.push(level);
  }
  return created;
}

/**
 * The file an output named `path` replaces: `path` itself when it is missing or a regular file; the file a symbolic
 * link names (resolved). Refused: a link to nothing, and what is no regular file (a directory, a device, a named
 * pipe, a socket), which a rename would replace by a plain file.
 */
export function regularFileTarget(path: string): string {
  let target = path;
  if (isLink(path)) {
    try {
      target = realpathSync(path);
    } catch (error) {
      throw new InputError(
        { source: path },
        `is a symbolic link to no file (${(error as NodeJS.ErrnoException).code}): write the results to a file`
      );
    }
  }
  let stats;
  try {
    stats = statSync(target);
  } catch {
    return target; // not there yet: a new file
  }
  if (stats.isFile()) {
    return target;
  }
  const kind = stats.isDirectory()
    ? 'a directory'
    : stats.isCharacterDevice()
      ? 'a character device'
      : stats.isBlockDevice()
        ? 'a block device'
        : stats.isFIFO()
          ? 'a named pipe'
          : 'a socket';
  throw new InputError(
    { source: path },
    `is ${kind}${target === path ? '' : ` (${target})`}, not a file: write the results to a file`
  );
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Whether two paths name one existing file (the same inode: links and other spellings included). */
function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // either is missing (stdin's "-", an output not written yet)
  }
}

/**
 * Runs `write` with an AtomicOutput, committing on success and cleaning up on any failure.
 * @param inputs files the run reads, which no output may replace
 */
export async function writeAtomically<T>(
  directory: string,
  write: (output: AtomicOutput) => Promise<T>,
  inputs: readonly string[] = []
): Promise<T> {
  const output = new AtomicOutput(directory, inputs);
  try {
    const result = await write(output);
    await output.commit();
    return result;
  } catch (error) {
    await output.abort();
    throw error;
  }
}
