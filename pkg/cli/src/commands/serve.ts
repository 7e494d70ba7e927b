import { Command } from 'commander';
import { InputError } from '../errors';

/** `serve`: the anomaly proxy (pkg/proxy), started from its config file. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the Prometheus-compatible anomaly proxy')
    .requiredOption('-c, --config <file>', 'proxy configuration file')
    .action(async (flags: { config: string }) => {
      // Loaded on demand: the other commands must not need the proxy package.

      const proxy = require('@telemetry-analyzer/proxy') as {
        startProxyFromConfigFile(path: string): Promise<unknown>;
      };
      try {
        await proxy.startProxyFromConfigFile(flags.config);
      } catch (error) {
        // A bad config file is bad input (exit 2), like a bad data file; the proxy lists every problem.
        if (error instanceof Error && error.name === 'ConfigError') {
          const problems = (error as Error & { problems?: string[] }).problems ?? [error.message];
          throw new InputError({ source: flags.config }, `invalid proxy configuration: ${problems.join('; ')}`);
        }
        throw error;
      }
    });
}
