import { Command } from 'commander';
import { InputError } from '../errors';
import { configProblems, listenProblem } from './configErrors';

/** `serve`: the anomaly proxy (pkg/proxy), started from its config file. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the Prometheus-compatible anomaly proxy')
    .requiredOption('-c, --config <file>', 'proxy configuration file')
    .action(async (flags: { config: string }) => {
      // Loaded on demand (typed, through the package's own exports): the other commands must not need the proxy.
      const { ConfigError, ModelStoreDirectoryError, startProxyFromConfigFile } =
        await import('@telemetry-analyzer/proxy');
      try {
        await startProxyFromConfigFile(flags.config);
      } catch (error) {
        // A bad config file is bad input (exit 2), like a bad data file; the proxy lists every problem.
        if (error instanceof ConfigError) {
          throw configProblems(flags.config, 'proxy', error.located);
        }
        // A store it cannot write: something the operator fixes (the directory's owner, or the config), exit 2.
        if (error instanceof ModelStoreDirectoryError) {
          throw new InputError({ source: flags.config }, error.message);
        }
        throw listenProblem(flags.config, error) ?? error;
      }
    });
}
