import { Command } from 'commander';
import { InputError } from '../errors';
import { outputPath, parseDetectionFlags, type DetectionFlags } from '../pipeline/detectionOptions';
import { runDetect } from '../pipeline/runDetect';
import { addDetectionOptions, addOnlineOptions } from './detectionFlags';
import { type FlagName, MODEL_FLAGS, ONLINE_ONLY_FLAGS, refuseGiven } from './givenFlags';

/** What trains the batch model: nothing online mode or a given --model uses. */
const BATCH_TRAINING_FLAGS: readonly FlagName[] = [
  ['trainFraction', '--train-fraction'],
  ['trainFile', '--train-file'],
  ['maxTrainRows', '--max-train-rows'],
];

/** What a trained model holds already: with --model it would change nothing. */
const MODEL_SETTINGS_FLAGS: readonly FlagName[] = [...BATCH_TRAINING_FLAGS, ...MODEL_FLAGS];

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
      // Options that have no effect in this run are refused, not silently ignored.
      if (settings.online) {
        refuseGiven(
          self,
          BATCH_TRAINING_FLAGS,
          'has no effect with --online, whose first model trains on the first --warmup rows: leave it out'
        );
      } else {
        refuseGiven(self, ONLINE_ONLY_FLAGS, 'only online mode uses it: add --online, or leave it out');
      }
      if (self.getOptionValueSource('trainFile') === 'cli') {
        refuseGiven(
          self,
          [['trainFraction', '--train-fraction']],
          'has no effect with --train-file, whose rows all train the model: leave it out'
        );
      }
      if (flags.model !== undefined) {
        refuseGiven(
          self,
          MODEL_SETTINGS_FLAGS,
          "has no effect with --model, which scores with the model's own settings: leave it out"
        );
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
