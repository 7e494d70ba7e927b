import { Command } from 'commander';
import { InputError } from '../errors';
import { outputPath, parseDetectionFlags, type DetectionFlags } from '../pipeline/detectionOptions';
import { runDetect } from '../pipeline/runDetect';
import { addDetectionOptions, addOnlineOptions } from './detectionFlags';

export function detectCommand(): Command {
  const command = new Command('detect')
    .description(
      'find anomalies in a telemetry file; writes scores.csv, anomalies.csv, summary.json, model.json, report.html'
    )
    .requiredOption('-i, --input <file>', 'input file, or - for stdin (then --format is required)')
    .requiredOption('-o, --output-dir <dir>', 'directory for the results (files are replaced atomically)')
    .option('--model <file>', 'score with this saved model instead of training');
  addOnlineOptions(addDetectionOptions(command, '0.3')).action(
    async (flags: DetectionFlags & { input: string; outputDir: string }, self: Command) => {
      const settings = parseDetectionFlags(flags);
      if (settings.online && flags.model !== undefined) {
        throw new InputError({ source: '--model' }, '--online trains its own models as it scores; leave out --model');
      }
      // Options that online mode does not use are refused, not silently ignored.
      for (const [option, name] of [
        ['trainFraction', '--train-fraction'],
        ['trainFile', '--train-file'],
        ['maxTrainRows', '--max-train-rows'],
      ] as const) {
        if (settings.online && self.getOptionValueSource(option) === 'cli') {
          throw new InputError(
            { source: name },
            'has no effect with --online, whose first model trains on the first --warmup rows: leave it out'
          );
        }
      }
      const { summary } = await runDetect({
        input: flags.input,
        format: flags.format,
        outputDir: outputPath('--output-dir', flags.outputDir),
        settings,
        modelPath: flags.model,
        contaminationGiven: self.getOptionValueSource('contamination') === 'cli',
      });
      if (!settings.quiet) {
        process.stderr.write(
          `${summary.rows_read} rows read, ${summary.rows_scored} scored, ${summary.anomalies} anomalies; results in ${flags.outputDir}\n`
        );
      }
    }
  );
  return command;
}
