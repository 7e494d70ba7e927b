/**
 * report.html: one self-contained file that works offline. uPlot's script and stylesheet are inlined from the
 * installed package (no CDN), the data is embedded as JSON; one plot per group and metric with the anomalies as
 * red points, a tooltip with time, value, score and top features, and the run summary as a table.
 */
import { readFileSync } from 'fs';
import { dirname, join } from 'path';
import { MAX_MARKED_ANOMALIES, type ReportPlots } from './reportCollector';

export interface ReportInput extends ReportPlots {
  title: string;
  summary: Record<string, unknown>;
}

function uplotAsset(file: string): string {
  const packageDir = dirname(require.resolve('uplot/package.json'));
  return readFileSync(join(packageDir, 'dist', file), 'utf8');
}

/** JSON that is safe inside a <script> element (no `</script>`, no HTML comment openers). */
function embeddableJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderReport({ title, summary, plots, omitted }: ReportInput): string {
  // Inline scripts must not contain "</script": escape it should a future uPlot build carry that string.
  const uplotScript = uplotAsset('uPlot.iife.min.js').replace(/<\/script/gi, '<\\/script');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${uplotAsset('uPlot.min.css')}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<section id="summary"><h2>Summary</h2><table id="summary-table"></table></section>
<section id="plots"><h2>Metrics</h2><p class="hint">Red points are anomalies (a group's ${MAX_MARKED_ANOMALIES.toLocaleString('en-US')} highest-scoring at most, and one per timestamp; anomalies.csv lists every one); hover a plot for time, value, score and the features that isolated the point. Times are UTC; a break in a line is a missing value or a gap in time.</p>${omittedNote(omitted)}</section>
<div id="tooltip" hidden></div>
<script id="report-data" type="application/json">${embeddableJson({ summary, plots })}</script>
<script>${uplotScript}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

function omittedNote(omitted: ReportPlots['omitted']): string {
  if (omitted.plots === 0) {
    return '';
  }
  return (
    `<p class="hint" id="plots-omitted">${omitted.plots} more plots (${omitted.groups} groups) are not shown: the ` +
    'report shows the groups with the most anomalies first, up to a page a browser opens at once. Every anomaly is ' +
    'in anomalies.csv, every score in scores.csv.</p>'
  );
}

const REPORT_CSS = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; } h3 { font-size: 15px; margin: 18px 0 4px; }
h1, h3, td { overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.hint { color: #666; font-size: 13px; }
#tooltip { position: fixed; pointer-events: none; background: rgba(255,255,255,0.96); border: 1px solid #999;
  padding: 6px 8px; font-size: 12px; max-width: 420px; z-index: 10; box-shadow: 0 2px 6px rgba(0,0,0,0.2); }
#tooltip .anomaly { color: #c00; font-weight: bold; }
`;

// Plain ES2017 for the browser; reads the embedded JSON and draws with the inlined uPlot.
const REPORT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var tooltip = document.getElementById('tooltip');

  function cell(text, header) {
    var element = document.createElement(header ? 'th' : 'td');
    element.textContent = text;
    return element;
  }
  function flatten(prefix, value, rows) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      Object.keys(value).forEach(function (key) { flatten(prefix ? prefix + '.' + key : key, value[key], rows); });
    } else {
      rows.push([prefix, Array.isArray(value) ? value.join(', ') : String(value)]);
    }
  }
  var rows = [];
  flatten('', data.summary, rows);
  var table = document.getElementById('summary-table');
  rows.forEach(function (row) {
    var tr = document.createElement('tr');
    tr.appendChild(cell(row[0], true));
    tr.appendChild(cell(row[1], false));
    table.appendChild(tr);
  });

  var section = document.getElementById('plots');
  var charts = (window.reportCharts = []); // the uPlot instances, for a look from the devtools (and the tests)
  data.plots.forEach(function (plot) {
    // Names in <bdi>: a group or metric named with a right-to-left override reorders only itself, not the heading.
    var heading = document.createElement('h3');
    function name(text) {
      var isolated = document.createElement('bdi');
      isolated.textContent = text;
      heading.appendChild(isolated);
    }
    if (plot.group) {
      name(plot.group);
      heading.appendChild(document.createTextNode(' \\u2014 '));
    }
    name(plot.metric);
    var marked = plot.anomalies.length < plot.anomalyCount ? ', ' + plot.anomalies.length + ' marked' : '';
    heading.appendChild(document.createTextNode(' (' + plot.anomalyCount + ' anomalies' + marked + ')'));
    section.appendChild(heading);
    var container = document.createElement('div');
    section.appendChild(container);
    var marks = plot.y.map(function () { return null; });
    plot.anomalies.forEach(function (index) { marks[index] = plot.y[index]; });
    var options = {
      width: Math.max(600, Math.min(1400, window.innerWidth - 60)),
      height: 220,
      legend: { show: false },
      cursor: { points: { size: 6 } },
      scales: { x: { time: true } },
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); }, // as the tooltip and the CSVs
      axes: [{}, { size: axisSize }],
      series: [
        {},
        { label: plot.metric, stroke: '#1f77b4', width: 1, spanGaps: false, points: { show: false } },
        { label: 'anomaly', stroke: '#d62728', fill: '#d62728', width: 0, paths: function () { return null; },
          points: { show: true, size: 7, fill: '#d62728', stroke: '#d62728' } }
      ],
      hooks: { setCursor: [function (u) { showTooltip(u, plot); }] }
    };
    charts.push(new uPlot(options, [plot.x, plot.y, marks], container));
    container.addEventListener('mouseleave', function () { tooltip.hidden = true; });
  });

  // The y axis as wide as its longest label (uPlot's default is a fixed 50 px: "10,000" would show as "0,000").
  function axisSize(u, values, axisIndex, cycle) {
    var axis = u.axes[axisIndex];
    if (cycle > 1) { return axis._size; } // uPlot asks again after sizing; keep the first answer
    var longest = (values || []).reduce(function (a, v) { return String(v).length > a.length ? String(v) : a; }, '');
    var size = axis.ticks.size + axis.gap;
    if (longest !== '') {
      u.ctx.font = axis.font[0];
      size += u.ctx.measureText(longest).width / uPlot.pxRatio;
    }
    return Math.ceil(size) + 4;
  }

  function showTooltip(u, plot) {
    var index = u.cursor.idx;
    if (index == null || u.cursor.left < 0) { tooltip.hidden = true; return; }
    var time = new Date(plot.x[index] * 1000).toISOString().replace('.000Z', 'Z');
    var lines = ['<div>' + time + '</div>',
      '<div>' + escapeText(plot.metric) + ': <b>' + plot.y[index] + '</b></div>',
      '<div>score: ' + (plot.score[index] == null ? 'not scored' : plot.score[index]) + '</div>'];
    if (plot.features[index] !== undefined) {
      lines.push('<div class="anomaly">anomaly</div><div>top features: ' + escapeText(plot.features[index]) + '</div>');
    }
    tooltip.innerHTML = lines.join('');
    var box = u.over.getBoundingClientRect();
    tooltip.style.left = (box.left + u.cursor.left + 14) + 'px';
    tooltip.style.top = (box.top + u.cursor.top + 14) + 'px';
    tooltip.hidden = false;
  }
  function escapeText(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; });
  }
})();
`;
