/**
 * Source text of the bundled scoring worker (anomalyWorker.ts with the engine). webpack.config.ts builds that
 * bundle first and swaps this module for it (as a string); unit tests keep this empty string, and jsdom has no
 * Worker anyway, so they exercise the main-thread fallback.
 */
const inlineWorkerSource = '';
export default inlineWorkerSource;
