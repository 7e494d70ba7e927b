import { Command } from 'commander';
import { detectCommand } from './commands/detect';
import { generateCommand } from './commands/generate';
import { runCommand } from './commands/run';
import { sampleCommand } from './commands/sample';
import { serveCommand } from './commands/serve';
import { streamCommand } from './commands/stream';
import { trainCommand } from './commands/train';

export function buildProgram(): Command {
  const program = new Command('telemetry-analyzer')
    .description('Anomaly detection (Isolation Forest) for telemetry: CSV, JSON and NDJSON files and streams')
    .version(require('../package.json').version)
    .showHelpAfterError('(add --help for usage)');
  for (const command of [
    detectCommand(),
    trainCommand(),
    streamCommand(),
    sampleCommand(),
    serveCommand(),
    runCommand(),
    generateCommand(),
  ]) {
    program.addCommand(command);
  }
  // Usage errors (unknown option, missing value) are input errors: exit 2 like every other one.
  const exitOverride = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}
