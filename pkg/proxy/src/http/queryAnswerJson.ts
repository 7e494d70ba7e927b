/**
 * The JSON body of an anomaly query's answer, as Prometheus' /api/v1/query(_range) shapes it. A range answer holds
 * one `[seconds, "value"]` pair per sample (hundreds of thousands for a dashboard), so the matrix is written out by
 * hand, pair by pair, instead of through the generic JSON.stringify; the text is the same as JSON.stringify gives.
 */
import type { EvaluationResult } from '@telemetry-analyzer/query';

export function queryAnswerJson(result: EvaluationResult): string {
  const data =
    result.resultType === 'matrix'
      ? `{"resultType":"matrix","result":[${result.result.map(matrixSeriesJson).join(',')}]}`
      : JSON.stringify({ resultType: result.resultType, result: result.result });
  const warnings = result.warnings.length > 0 ? `,"warnings":${JSON.stringify(result.warnings)}` : '';
  return `{"status":"success","data":${data}${warnings}}`;
}

function matrixSeriesJson(series: { metric: Record<string, string>; values: Array<[number, string]> }): string {
  const pairs: string[] = new Array(series.values.length);
  for (let i = 0; i < series.values.length; i++) {
    const [seconds, value] = series.values[i];
    // Sample values are numbers as text, NaN or ±Inf: nothing JSON escapes, so quoting is enough. Timestamps are
    // finite numbers, which String() writes as JSON does.
    pairs[i] = `[${seconds},"${value}"]`;
  }
  return `{"metric":${JSON.stringify(series.metric)},"values":[${pairs.join(',')}]}`;
}
