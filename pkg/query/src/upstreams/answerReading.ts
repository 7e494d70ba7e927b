/**
 * What an upstream's answer with a success status (below 400) holds, as a value a worker thread can send back: its
 * series, or what is wrong with it. Read once, wherever it is read: a large answer is parsed on a worker thread, and
 * an answer that is not what it should be must not be parsed again on the event loop to say why (a 100 MB one held
 * the event loop, and /healthz, for seconds).
 */
import { PromApiError, UpstreamPassThroughError } from '../errors';
import type { Series } from './series';
import type { UpstreamHttp } from './upstreamHttp';

/**
 * badAnswer: the upstream's nonsense (502); execution: an error the upstream reports about the query (422); passOn:
 * Prometheus' own error body, which the client gets as it came (422).
 */
export type AnswerProblem = { badAnswer: string } | { execution: string } | { passOn: true };

export type AnswerReading = Series[] | AnswerProblem;

/** The reading's series, or its problem as the error the client gets. */
export function seriesOrThrow(
  http: UpstreamHttp,
  reading: AnswerReading,
  answer: { contentType: string; body: string }
): Series[] {
  if (Array.isArray(reading)) {
    return reading;
  }
  if ('badAnswer' in reading) {
    throw http.badAnswer(reading.badAnswer);
  }
  if ('execution' in reading) {
    throw new PromApiError(422, 'execution', `upstream "${http.name}": ${reading.execution}`);
  }
  throw new UpstreamPassThroughError(422, answer.contentType, answer.body);
}
