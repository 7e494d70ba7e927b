import { createRedactor } from '@telemetry-analyzer/query';
import { redactedUrl } from '../src/redact';

describe('redactedUrl', () => {
  const redact = createRedactor(['tok-ABC123', 'pa:ss:word!']);

  it('keeps a URL without secrets as it came', () => {
    expect(redactedUrl('/api/v1/query?query=up', redact)).toBe('/api/v1/query?query=up');
  });

  it('removes a secret from the path however it is percent-encoded, and drops the query', () => {
    for (const url of [
      '/api/v1/label/tok-ABC123/values?x=1',
      '/api/v1/label/tok%2DABC123/values',
      '/x/%74ok-ABC123',
      '/x/pa:ss:word%21',
      '/x/pa%3Ass%3Aword%21',
    ]) {
      const shown = redactedUrl(url, redact);
      expect([url, shown]).toEqual([url, expect.stringContaining('[redacted]')]);
      expect(shown).not.toMatch(/ABC123|word/);
    }
    expect(redactedUrl('/x/%74ok-ABC123?a=b', redact)).toBe('/x/[redacted]?[redacted]');
  });
});
