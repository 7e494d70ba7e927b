import { InputError } from '../errors';

/**
 * A config file's problems (ConfigError.located): exit 2, like a bad data file. One problem stays on the line; more
 * are listed one per line, each whole (a line per problem, not one line cut short).
 */
export function configProblems(configFile: string, what: 'proxy' | 'writer', problems: readonly string[]): InputError {
  const source = { source: configFile };
  if (problems.length === 1) {
    return new InputError(source, `invalid ${what} configuration: ${problems[0]}`);
  }
  return new InputError(source, `invalid ${what} configuration (${problems.length} problems):`, problems);
}

const LISTEN_FAILURES: Record<string, string> = {
  EADDRINUSE: 'is already in use (another process listens there)',
  EADDRNOTAVAIL: 'is not an address of this machine',
  EACCES: 'may not be listened on by this user (ports below 1024 need privileges)',
};

/**
 * The server's `listen` address refused by the system (taken, not this machine's, privileged): something the user
 * fixes where it was given (a config file's `listen`, a --listen flag), not a bug. Undefined for any other error.
 */
export function listenProblem(source: string, error: unknown): InputError | undefined {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  const why = e?.syscall === 'listen' && e.code !== undefined ? LISTEN_FAILURES[e.code] : undefined;
  if (why === undefined) {
    return undefined;
  }
  const where = e.address === undefined ? 'the address' : `${e.address}:${e.port}`;
  const reason = `${where} ${why} (${e.code})`;
  return new InputError({ source }, source.startsWith('--') ? reason : `listen: ${reason}`);
}
