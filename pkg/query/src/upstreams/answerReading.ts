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

/**
 * Answers up to this size are parsed on the event loop even when a worker could: well under a millisecond (a warm
 * query's few new steps), less than the wait for another thread on a busy machine. Larger ones go to the worker.
 */
export const PARSE_HERE_MAX_CHARS = 32 * 1024;

/**
 * A success answer's chunks, read where it costs the event loop least: a large one by `elsewhere` (a worker thread,
 * the chunks transferred, not joined, decoded or cloned here: ~0.7 s at 40 MB), else here by `readHere` on their
 * text. `body` is that text, or '' when the chunks went elsewhere (they are gone then).
 */
export async function readAnswerChunks(
  chunks: Uint8Array[],
  elsewhere: ((chunks: Uint8Array[]) => Promise<AnswerReading>) | undefined,
  readHere: (body: string) => AnswerReading
): Promise<{ reading: AnswerReading; body: string }> {
  const bytes = chunks.reduce((n, chunk) => n + chunk.byteLength, 0);
  if (elsewhere && bytes > PARSE_HERE_MAX_CHARS) {
    return { reading: await elsewhere(chunks), body: '' };
  }
  const body = Buffer.concat(chunks, bytes).toString('utf8');
  return { reading: readHere(body), body };
}
