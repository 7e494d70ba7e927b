/**
 * The JSON body of an anomaly query's answer, as Prometheus' /api/v1/query(_range) shapes it. A range answer holds
 * one `[seconds, "value"]` pair per sample (up to limits.maxPointsScoredPerQuery, 2 M by default: ~70 MB of text), so
 * the matrix is written straight from the evaluator's typed arrays, in pieces of a bounded number of samples, and a
 * large answer goes out as a stream that lets the event loop turn between pieces: written in one go, one 2 M-sample
 * answer held the event loop for 3.5 s (/healthz, and every other answer, waited). The text is the same as
 * JSON.stringify gives for the Prometheus shape.
 */
import { Readable } from 'node:stream';
import { setImmediate as eventLoopTurn } from 'node:timers/promises';
import { formatSampleValue, type EvaluationResult } from '@telemetry-analyzer/query';

/** Samples per piece of a matrix answer: ~100 KB of text, ~1–3 ms of work on this project's 2-core machines. */
export const SAMPLES_PER_PIECE = 4096;

/** The whole body as one string (an answer of one piece, and tests). */
export function queryAnswerJson(result: EvaluationResult): string {
  return [...queryAnswerPieces(result, Infinity)].join('');
}

/**
 * The body to send: a string when it is one piece (sent with its length), else a stream of its pieces, each written
 * in a later turn of the event loop than the one before.
 */
export function queryAnswerBody(result: EvaluationResult, samplesPerPiece = SAMPLES_PER_PIECE): string | Readable {
  const samples =
    result.resultType === 'matrix' ? result.result.reduce((sum, series) => sum + series.timestamps.length, 0) : 0;
  if (samples <= samplesPerPiece) {
    return queryAnswerJson(result);
  }
  return Readable.from(inTurns(queryAnswerPieces(result, samplesPerPiece)), { objectMode: false });
}

async function* inTurns(pieces: Iterable<string>): AsyncGenerator<string> {
  for (const piece of pieces) {
    yield piece;
    // Not a microtask or nextTick: those run before the event loop polls for I/O again.
    await eventLoopTurn();
  }
}

/** The body's text in order, a piece after every `samplesPerPiece` samples of a matrix. */
export function* queryAnswerPieces(result: EvaluationResult, samplesPerPiece: number): Generator<string> {
  const warnings = result.warnings.length > 0 ? `,"warnings":${JSON.stringify(result.warnings)}` : '';
  if (result.resultType !== 'matrix') {
    const data = JSON.stringify({ resultType: result.resultType, result: result.result });
    yield `{"status":"success","data":${data}${warnings}}`;
    return;
  }
  let piece = '{"status":"success","data":{"resultType":"matrix","result":[';
  let samplesInPiece = 0;
  for (let s = 0; s < result.result.length; s++) {
    const { metric, timestamps, values } = result.result[s];
    piece += `${s > 0 ? ',' : ''}{"metric":${JSON.stringify(metric)},"values":[`;
    // Flags and thresholds repeat one value: its text is made once per run.
    let lastValue = NaN;
    let lastText = '';
    for (let i = 0; i < timestamps.length; i++) {
      if (values[i] !== lastValue) {
        lastValue = values[i];
        lastText = formatSampleValue(lastValue);
      }
      // Sample values are numbers as text, NaN or ±Inf: nothing JSON escapes, so quoting is enough.
      piece += `${i > 0 ? ',' : ''}[${secondsText(timestamps[i])},"${lastText}"]`;
      if (++samplesInPiece === samplesPerPiece) {
        yield piece;
        piece = '';
        samplesInPiece = 0;
      }
    }
    piece += ']}';
  }
  yield `${piece}]}${warnings}}`;
}

/** The text of 0–999 thousandths after the decimal point, trailing zeros dropped: "001", "05", "5"; "" for none. */
const THOUSANDTHS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0').replace(/0+$/, ''));

/**
 * A timestamp (ms) as seconds, the same text as String(ms / 1000) (and JSON.stringify), written digit by digit for
 * whole milliseconds before the year 5138: their seconds have at most 14 significant digits, and any decimal of at
 * most 15 is itself the shortest text of the double nearest to it. Other times go through String.
 */
export function secondsText(ms: number): string {
  if (Number.isInteger(ms) && ms >= 0 && ms < 1e14) {
    const whole = Math.floor(ms / 1000);
    const thousandths = ms - whole * 1000;
    return thousandths === 0 ? String(whole) : `${whole}.${THOUSANDTHS[thousandths]}`;
  }
  return String(ms / 1000);
}
