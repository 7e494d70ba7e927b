import { substituteInfluxMacros } from '../src/upstreams/influxUpstream';

const START = 1_700_000_040_000;
const END = 1_700_003_640_000;

describe('substituteInfluxMacros, $timeFilter', () => {
  it('reads a GROUP BY time(...) statement to the end of the last bucket, so its last row holds the whole bucket', () => {
    // InfluxDB's row at m holds the samples of [m, m + interval): read to END alone, the last row held the samples at
    // exactly END (a review: none when samples come 20 s into each minute, a partial mean else).
    const grouped = 'SELECT mean(v) FROM cpu WHERE $timeFilter GROUP BY time($interval), host';
    expect(substituteInfluxMacros(grouped, START, END, 60_000)).toBe(
      `SELECT mean(v) FROM cpu WHERE time >= ${START}ms AND time < ${END + 60_000}ms GROUP BY time(1m), host`
    );
    // A fixed interval: its buckets; the longest of a subquery's and the outer statement's; any case of time.
    expect(
      substituteInfluxMacros('SELECT max(v) FROM cpu WHERE $timeFilter GROUP BY TIME(5m)', START, END, 60_000)
    ).toBe(`SELECT max(v) FROM cpu WHERE time >= ${START}ms AND time < ${END + 300_000}ms GROUP BY TIME(5m)`);
    const nested =
      'SELECT max(m) FROM (SELECT mean(v) AS m FROM cpu WHERE $timeFilter GROUP BY time($__interval)) ' +
      'WHERE $timeFilter GROUP BY time(2m) fill(none)';
    expect(substituteInfluxMacros(nested, START, END, 60_000)).toContain(
      `WHERE time >= ${START}ms AND time < ${END + 120_000}ms GROUP BY time(2m)`
    );
  });

  it('reads a statement of raw samples to its end, included: its rows are the samples, at their own times', () => {
    for (const raw of [
      'SELECT v FROM cpu WHERE $timeFilter',
      'SELECT v FROM cpu WHERE $timeFilter GROUP BY host ORDER BY time DESC',
      "SELECT v FROM cpu WHERE $timeFilter AND note = 'GROUP BY time(1m)'",
      'SELECT v FROM cpu WHERE $timeFilter -- GROUP BY time(1m)',
    ]) {
      expect(substituteInfluxMacros(raw, START, END, 60_000)).toContain(`time >= ${START}ms AND time <= ${END}ms`);
    }
  });
});
