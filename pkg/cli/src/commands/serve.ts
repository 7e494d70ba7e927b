import { Command } from 'commander';
import { configProblems, listenProblem } from './configErrors';

/** `serve`: the anomaly proxy (pkg/proxy), started from its config file. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the Prometheus-compatible anomaly proxy')
    .requiredOption('-c, --config <file>', 'proxy configuration file')
    .action(async (flags: { config: string }) => {
      // Loaded on demand (typed, through the package's own exports): the other commands must not need the proxy.
      const { ConfigError, startProxyFromConfigFile } = await import('@telemetry-analyzer/proxy');
      try {
        await startProxyFromConfigFile(flags.config);
      } catch (error) {
        // A bad config file is bad input (exit 2), like a bad data file; the proxy lists every problem.
        if (error instanceof ConfigError) {
          throw configProblems(flags.config, 'proxy', error.located);
        }
        throw listenProblem(flags.config, error) ?? error;
      }
    });
}
