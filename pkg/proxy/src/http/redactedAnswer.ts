/**
 * An anomaly answer with the proxy's secrets removed from its text: its series' labels (names and values) and its
 * warnings, which quote labels. The proxy builds these answers from what an upstream sent, so an upstream that echoes
 * the proxy's credentials into a label (a gateway's debug label; an attack review's stub echoed `Authorization`)
 * would hand them to the client. Samples are numbers: never touched. Pass-through answers are the upstream's own bytes,
 * as a direct query would get them (docs/proxy.md, Security model).
 */
import type { EvaluationResult } from '@telemetry-analyzer/query';

/** `result` as it is when no secret is in it (the usual case: nothing copied), else a copy without them. */
export function redactedAnswer(result: EvaluationResult, redact: (text: string) => string): EvaluationResult {
  let changed = false;
  const series = result.result.map((one) => {
    const entries = Object.entries(one.metric);
    const redacted = entries.map(([name, value]) => [redact(name), redact(value)] as const);
    if (redacted.every(([name, value], k) => name === entries[k][0] && value === entries[k][1])) {
      return one;
    }
    changed = true;
    return { ...one, metric: Object.fromEntries(redacted) };
  });
  const warnings = result.warnings.map(redact);
  changed ||= warnings.some((warning, k) => warning !== result.warnings[k]);
  return changed ? ({ ...result, result: series, warnings } as EvaluationResult) : result;
}
