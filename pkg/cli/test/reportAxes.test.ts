/**
 * The HTML report in a real browser (Debian's Chromium): each chart's y axis is as wide as its longest label, so
 * values of 10 000 and more read in full ("100,000", not "0,000" cut at uPlot's default 50 px).
 */
import { chromium, type Browser } from 'playwright-core';
import { join } from 'path';
import { pathToFileURL } from 'url';
import { runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

const CHROMIUM = '/usr/bin/chromium';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

test('y-axis labels fit their axis, for values from below 1 to millions', async () => {
  const work = tempDir('cli-report-');
  const rows = smallTelemetryRows().map((row, i) => ({
    ...row,
    // memory in KB (millions), errors as small fractions
    memory_free_mb: Number(row.memory_free_mb) * 1000 + (i % 7) * 1234,
    error_count: Number(row.error_count) / 1000,
  }));
  const out = join(work, 'out');
  const run = runCli(['detect', '-q', '--input', writeInput(work, 'wide.csv', toCsv(rows)), '--output-dir', out]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);

  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  try {
    await page.goto(pathToFileURL(join(out, 'report.html')).href);
    await page.waitForFunction(() => {
      const charts = (window as unknown as { reportCharts?: unknown[] }).reportCharts;
      return charts !== undefined && charts.length > 0 && document.querySelectorAll('.uplot').length === charts.length;
    });
    const axes = await page.evaluate(() => {
      type Axis = {
        _size: number;
        _values: Array<string | number> | null;
        font: string[];
        ticks: { size: number };
        gap: number;
      };
      const charts = (window as unknown as { reportCharts: Array<{ axes: Axis[]; ctx: CanvasRenderingContext2D }> })
        .reportCharts;
      return charts.map((chart) => {
        const axis = chart.axes[1];
        chart.ctx.font = axis.font[0];
        const labels = (axis._values ?? []).map(String);
        const widest = Math.max(...labels.map((label) => chart.ctx.measureText(label).width / devicePixelRatio));
        return { labels, needed: Math.ceil(widest + axis.ticks.size + axis.gap), size: axis._size };
      });
    });
    expect(axes.length).toBeGreaterThanOrEqual(5);
    expect(axes.some(({ labels }) => labels.some((label) => /^\d{1,3}(,\d{3})+$/.test(label)))).toBe(true);
    for (const axis of axes) {
      expect({ ...axis, fits: axis.size >= axis.needed }).toEqual({ ...axis, fits: true });
    }
  } finally {
    await page.close();
  }
});

test("the time axis reads in UTC, as the tooltip and the CSV files, whatever the viewer's time zone", async () => {
  const work = tempDir('cli-report-tz-');
  const out = join(work, 'out');
  const input = writeInput(work, 'day.csv', toCsv(smallTelemetryRows()));
  const run = runCli(['detect', '-q', '--input', input, '--output-dir', out]);
  expect(run.status).toBe(0);

  const xLabels = async (timezoneId: string) => {
    const context = await browser.newContext({ timezoneId, viewport: { width: 1200, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(join(out, 'report.html')).href);
      await page.waitForFunction(() => {
        const charts = (window as unknown as { reportCharts?: Array<{ axes: Array<{ _values: unknown }> }> })
          .reportCharts;
        return charts !== undefined && charts.length > 0 && charts.every((chart) => chart.axes[0]._values !== null);
      });
      return await page.evaluate(() =>
        (
          window as unknown as { reportCharts: Array<{ axes: Array<{ _values: unknown[] }> }> }
        ).reportCharts[0].axes[0]._values.map(String)
      );
    } finally {
      await context.close();
    }
  };
  // The data starts at 2024-05-06 00:00 UTC: in Kolkata (UTC+5:30) local labels would start at 5:30am.
  const [utc, kolkata, newYork] = [
    await xLabels('UTC'),
    await xLabels('Asia/Kolkata'),
    await xLabels('America/New_York'),
  ];
  expect(utc.length).toBeGreaterThan(2);
  expect(kolkata).toEqual(utc);
  expect(newYork).toEqual(utc);
});

test('names in the headings are isolated: a right-to-left override in a group name reorders only that name', async () => {
  const work = tempDir('cli-report-bidi-');
  const out = join(work, 'out');
  const rows = smallTelemetryRows({ hosts: ['a', 'b'] }).map((row) => ({
    ...row,
    host: row.host === 'a' ? '\u202eevil' : 'plain',
  }));
  const run = runCli([
    'detect',
    '-q',
    '--group-by',
    'host',
    '--input',
    writeInput(work, 'bidi.csv', toCsv(rows)),
    '--output-dir',
    out,
  ]);
  expect(run.status).toBe(0);
  const page = await browser.newPage();
  try {
    await page.goto(pathToFileURL(join(out, 'report.html')).href);
    await page.waitForFunction(() => document.querySelectorAll('#plots h3').length > 0);
    const headings = await page.evaluate(() =>
      [...document.querySelectorAll('#plots h3')].map((h) => ({
        names: [...h.querySelectorAll('bdi')].map((b) => b.textContent),
        text: h.textContent,
      }))
    );
    const evil = headings.filter((h) => h.names[0] === '\u202eevil');
    expect(evil.length).toBeGreaterThan(0);
    for (const heading of evil) {
      expect(heading.names).toHaveLength(2); // the group and the metric, each in its own <bdi>
      expect(heading.text).toMatch(/ \(\d+ anomalies\)$/);
    }
  } finally {
    await page.close();
  }
});
