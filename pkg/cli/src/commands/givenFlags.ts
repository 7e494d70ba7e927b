import type { Command } from 'commander';
import { InputError } from '../errors';

/** A flag by its commander key and as the user writes it. */
export type FlagName = readonly [key: string, flag: string];

/** The online-only flags of detect and stream (addOnlineOptions). */
export const ONLINE_ONLY_FLAGS: readonly FlagName[] = [
  ['warmup', '--warmup'],
  ['refitEvery', '--refit-every'],
  ['refitHistory', '--refit-history'],
  ['horizon', '--horizon'],
  ['mergeRows', '--merge-rows'],
  ['deviationWindow', '--deviation-window'],
];

/** The model's flags (addModelOptions), and --mode. */
export const MODEL_FLAGS: readonly FlagName[] = [
  ['trees', '--trees'],
  ['maxSamples', '--max-samples'],
  ['seed', '--seed'],
  ['window', '--window'],
  ['lags', '--lags'],
  ['seasonality', '--no-seasonality'],
  ['raw', '--raw'],
  ['mode', '--mode'],
];

/**
 * Refuses the first of `flags` given on the command line, saying `why`: a flag that would have no effect is an
 * error, not silently ignored (the user believes it applied).
 */
export function refuseGiven(command: Command, flags: readonly FlagName[], why: string): void {
  for (const [key, flag] of flags) {
    if (command.getOptionValueSource(key) === 'cli') {
      throw new InputError({ source: flag }, why);
    }
  }
}
