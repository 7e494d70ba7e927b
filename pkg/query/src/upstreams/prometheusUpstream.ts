/** Reading series from a Prometheus upstream (range queries), in chunks that respect Prometheus' 11,000-point limit. */
import { UpstreamPassThroughError, badData } from '../errors';
import { type Cancellation, throwIfAborted } from '../query/cancellation';
import { formatDuration } from '../time';
import { type AnswerReading, readAnswerChunks, seriesOrThrow } from './answerReading';
import { SeriesListingError, listSeries } from './prometheusSelection';
import { Series, mergeSeriesChunks } from './series';
import { type UpstreamResponse, UpstreamHttp } from './upstreamHttp';

/** Prometheus refuses more than 11,000 points per series in one range query; stay below it. */
const MAX_POINTS_PER_REQUEST = 10_000;
/** Upstream requests one fetch may take: 991 000 points per series, far above the training and answer limits. */
const MAX_REQUESTS_PER_FETCH = 100;
/**
 * Points per series of the first request of a fetch that takes several: what it brings tells how many series the
 * query has, so a limit on series x points (the caller's onChunk) refuses it after this much, not after a whole
 * 10 000-point answer or more (an attack review: a query certain to be refused read 100 MB and took 1 GB of memory
 * first). A refused query then costs at most what the largest single request of an accepted one does.
 */
export const FIRST_CHUNK_POINTS = 1000;

export async function prometheusQueryRange(
  http: UpstreamHttp,
  expression: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  signal?: AbortSignal,
  /** Reads a successful answer off the event loop (EngineThreads.parseMatrix), its chunks as read; undefined = here. */
  parseElsewhere?: (body: Uint8Array[]) => Promise<AnswerReading>,
  /**
   * Told each chunk's series as it is parsed but the last (after it the caller checks the whole fetch); may throw to
   * stop the fetch (a limit on what all chunks hold).
   */
  onChunk?: (series: Series[]) => void
): Promise<Series[]> {
  // Counted, not stepped until past the end: at times like 1e300 ms adding the step changes nothing.
  const points = Math.floor((endMs - startMs) / stepMs) + 1;
  const first = points > MAX_POINTS_PER_REQUEST ? FIRST_CHUNK_POINTS : MAX_POINTS_PER_REQUEST;
  const chunkCount = 1 + Math.max(0, Math.ceil((points - first) / MAX_POINTS_PER_REQUEST));
  if (!(stepMs > 0) || !Number.isSafeInteger(chunkCount) || chunkCount < 1 || chunkCount > MAX_REQUESTS_PER_FETCH) {
    throw badData(
      `fetching ${formatDuration(endMs - startMs)} at step ${formatDuration(stepMs)} would take more than ${MAX_REQUESTS_PER_FETCH} upstream requests`
    );
  }
  const chunks: Series[][] = [];
  for (let chunk = 0; chunk < chunkCount; chunk++) {
    throwIfAborted(signal);
    const firstPoint = chunk === 0 ? 0 : first + (chunk - 1) * MAX_POINTS_PER_REQUEST;
    const chunkStart = startMs + firstPoint * stepMs;
    const chunkEnd = Math.min(endMs, chunkStart + ((chunk === 0 ? first : MAX_POINTS_PER_REQUEST) - 1) * stepMs);
    const params = new URLSearchParams({
      query: expression,
      start: String(chunkStart / 1000),
      end: String(chunkEnd / 1000),
      step: String(stepMs / 1000),
    });
    const series = await readRangeAnswer(
      http,
      await http.sendChunks('/api/v1/query_range', params, 'POST', signal),
      parseElsewhere
    );
    // The last chunk's (or a lone chunk's) series meet the caller's checks on the whole fetch anyway.
    if (chunk < chunkCount - 1) {
      onChunk?.(series);
    }
    chunks.push(series);
  }
  return mergeSeriesChunks(chunks);
}

/**
 * A query_range answer's series. A large one goes to parseElsewhere as its chunks were read (transferred, not
 * copied): joining and decoding 40 MB here, then cloning the string to a worker, held the event loop for 0.4-1.8 s (an
 * attack review, 500 series over two days). Its chunks are gone then, so a large success answer holding a
 * Prometheus error (which never is large) is nonsense (502), not passed on.
 */
async function readRangeAnswer(
  http: UpstreamHttp,
  read: UpstreamResponse<string | Uint8Array[]>,
  parseElsewhere: ((body: Uint8Array[]) => Promise<AnswerReading>) | undefined
): Promise<Series[]> {
  if (typeof read.body === 'string') {
    return parseMatrixResponse(http, read.status, read.contentType, read.body); // an error answer, read as text
  }
  const { reading, body } = await readAnswerChunks(read.body, parseElsewhere, readMatrixAnswer);
  if (body === '' && !Array.isArray(reading) && 'passOn' in reading) {
    throw http.badAnswer(`HTTP ${read.status} with an error body`);
  }
  return seriesOrThrow(http, reading, { contentType: read.contentType, body });
}

/** Turns a query_range answer into series; passes the upstream's own errors through; 502 for nonsense. */
export function parseMatrixResponse(http: UpstreamHttp, status: number, contentType: string, body: string): Series[] {
  if (status < 400) {
    return seriesOrThrow(http, readMatrixAnswer(body), { contentType, body });
  }
  // An error answer (at most MAX_ERROR_ANSWER_BYTES).
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    // Only a Prometheus error answer passes on with its status. A 401 or 403 page of something in front of the
    // upstream (a gateway, an auth proxy) would reach Grafana and vmalert as HTML, and as a 401 they could not tell
    // from the proxy's own.
    throw http.badAnswer(status >= 400 ? `HTTP ${status} without a Prometheus error body` : 'the body is not JSON');
  }
  if ((json as { status?: string })?.status === 'error') {
    // The upstream's own Prometheus error: the client gets it as it is, with its status.
    throw new UpstreamPassThroughError(status, contentType, body);
  }
  throw http.badAnswer(`HTTP ${status} without a Prometheus error body`);
}

/**
 * What a query_range answer with a success status holds (answerReading.ts): read where it costs the event loop
 * nothing when it is large (a worker thread: training/engineJobs.ts).
 */
export function readMatrixAnswer(body: string): AnswerReading {
  let answer: { status?: string; data?: { resultType?: string; result?: unknown } };
  try {
    answer = JSON.parse(body);
  } catch {
    return { badAnswer: 'the body is not JSON' };
  }
  if (answer?.status === 'error') {
    return { passOn: true };
  }
  if (answer?.status !== 'success' || !answer.data) {
    return { badAnswer: 'no "status":"success" with "data"' };
  }
  const { resultType, result } = answer.data;
  if (resultType === 'scalar' || resultType === 'string') {
    // A scalar expression (e.g. `1+1`) evaluated over a range comes back as a matrix; a lone scalar is one point.
    return { badAnswer: `a ${resultType} result cannot be scored; wrap a series expression` };
  }
  if (resultType !== 'matrix' || !Array.isArray(result)) {
    return { badAnswer: `expected a matrix result, got ${JSON.stringify(resultType)}` };
  }
  const series = matrixSeries(result);
  return typeof series === 'string' ? { badAnswer: series } : series;
}

/** The series of a matrix result, or what is wrong with it. */
function matrixSeries(result: unknown[]): Series[] | string {
  const series: Series[] = [];
  for (const item of result) {
    const entry = item as { metric?: Record<string, string>; values?: unknown; histograms?: unknown };
    // A series of native histograms (Prometheus 2.40+) has "histograms" instead of, or beside, "values": only its
    // float samples are read (none: the series is left out, as seriesFetch leaves out every empty series), and the
    // rest of the answer with them (it failed whole).
    const samples = entry?.values ?? (Array.isArray(entry?.histograms) ? [] : undefined);
    if (typeof entry?.metric !== 'object' || entry.metric === null || !Array.isArray(samples)) {
      return 'a matrix entry lacks "metric" or "values"';
    }
    if (Object.values(entry.metric).some((value) => typeof value !== 'string')) {
      return 'a label value is not a string';
    }
    const timestamps: number[] = [];
    const values: number[] = [];
    for (const point of samples as unknown[]) {
      if (!Array.isArray(point) || typeof point[0] !== 'number' || typeof point[1] !== 'string') {
        return 'a sample is not [seconds, "value"]';
      }
      timestamps.push(Math.round(point[0] * 1000));
      values.push(parsePromValue(point[1]));
    }
    series.push({ labels: { ...entry.metric }, timestamps, values });
  }
  return series;
}

/** Prometheus sample values are strings: numbers, "NaN", "+Inf", "-Inf". */
function parsePromValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') {
    return Infinity;
  }
  if (text === '-Inf') {
    return -Infinity;
  }
  return Number(text);
}

/**
 * How many series `selector` matches over `window` (promqlCost's checkSubquerySeries: a bound on the series a long
 * subquery's operand yields), listed with `/api/v1/series` (label sets only, no samples). A selector the upstream
 * refuses to list (400, 422) leaves the subquery's cost unknown, so the query is refused; any other error of a
 * listing is passed on as it is (the query is not sent).
 */
export async function prometheusSeriesCount(
  http: UpstreamHttp,
  selector: string,
  window: { startMs: number; endMs: number },
  signal?: Cancellation
): Promise<number> {
  try {
    return (await listSeries(http, selector, window.startMs, window.endMs, signal)).length;
  } catch (error) {
    if (error instanceof SeriesListingError && (error.httpStatus === 400 || error.httpStatus === 422)) {
      const shown = selector.length > 200 ? `${selector.slice(0, 200)}…` : selector;
      throw badData(
        `cannot bound a subquery's cost: the upstream refused to list the series of \`${shown}\`` +
          ` (${error.message.slice(0, 300)})`
      );
    }
    throw error;
  }
}
