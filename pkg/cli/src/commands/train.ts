import { Command } from 'commander';
import { InputError } from '../errors';
import { DEFAULT_CHUNK_ROWS, outputPath, parseDetectionFlags, type DetectionFlags } from '../pipeline/detectionOptions';
import { runTrain } from '../pipeline/runTrain';
import { addDetectionOptions } from './detectionFlags';

export function trainCommand(): Command {
  const command = new Command('train')
    .description('train a model on a telemetry file and save it (for detect --model and stream)')
    .requiredOption('-i, --input <file>', 'training data, or - for stdin (then --format is required)')
    .requiredOption('-m, --model <file>', 'where to write the model (replaced atomically)');
  // The whole input is training data here, hence --train-fraction 1.
  addDetectionOptions(command, '1', false).action(async (flags: DetectionFlags & { input: string; model: string }) => {
    if (flags.mode === 'online') {
      // Online models follow the series they score (refits, calibration): there is no model to save ahead.
      throw new InputError(
        { source: '--mode' },
        'online mode saves no model: score online with detect --online or stream --online'
      );
    }
    // Scoring's options, which train has not: their defaults.
    const settings = parseDetectionFlags({ ...flags, threads: '1', chunkRows: String(DEFAULT_CHUNK_ROWS) });
    const outcome = await runTrain(flags.input, flags.format, outputPath('--model', flags.model), settings);
    if (!settings.quiet) {
      process.stderr.write(
        `trained ${outcome.groups} model(s) on ${outcome.trainingRows} rows, ${outcome.features.length} features; saved ${flags.model}\n`
      );
    }
  });
  return command;
}
