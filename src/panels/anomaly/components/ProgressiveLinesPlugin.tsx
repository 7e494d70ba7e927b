import { useLayoutEffect, useRef } from 'react';
import type { UPlotConfigBuilder } from '@grafana/ui';
import type uPlot from 'uplot';
import { DRAWN_FROM_ATTRIBUTE, DRAWN_Y_ATTRIBUTE, DRAWN_Y_AXES_ATTRIBUTE } from '../testIds';
import { queueDraw } from './drawQueue';
import { LineRaster, LITTLE_ENDIAN, opaquePixelOf } from '../render/lineRaster';

interface Props {
  config: UPlotConfigBuilder;
  /** Per uPlot series (index 1..): connect points closer than this many ms across empty columns. */
  spanMs: number[];
  /** Per uPlot series (index 1..): marks to draw over the lines (NaN: none), and their colour. */
  marks?: Float64Array[];
  markColor?: string;
  /**
   * Per uPlot series (index 1..): shaded regions [start0, end0, start1, end1, ...] (epoch ms), in the series' colour,
   * or in `regionColor` when given (one series: the anomaly colour).
   */
  regions?: Float64Array[];
  regionColor?: string;
  /** Per uPlot series (index 1..): a horizontal line at this value (a threshold), in `markColor`; NaN: none. */
  levels?: number[];
}

/** Opacity of the shaded regions. */
const REGION_ALPHA = 0.15;
/**
 * With more series than this, full-height regions would cover the plot: each series' regions become a thin strip
 * in its colour along the top of the plot instead.
 */
export const MAX_FULL_HEIGHT_REGION_SERIES = 4;
/** Height of a region strip (CSS px). */
const REGION_STRIP_HEIGHT = 4;

/**
 * Draws the chart's lines (with their shaded regions, then the anomaly marks) itself, a few series per task (the
 * page's draw queue: drawQueue.ts), instead of letting uPlot draw every series in one task: the series keep their
 * legend, scale, tooltip and colour, only their paths are left to this plugin. A new uPlot draw (new data, resize,
 * zoom) clears the canvas and starts the series over.
 */
export function ProgressiveLinesPlugin({ config, spanMs, marks, markColor, regions, regionColor, levels }: Props) {
  const latest = useRef({ spanMs, marks, markColor, regions, regionColor, levels });
  useLayoutEffect(() => {
    latest.current = { spanMs, marks, markColor, regions, regionColor, levels };
  }, [spanMs, marks, markColor, regions, regionColor, levels]);

  useLayoutEffect(() => {
    let generation = 0;
    // Whether the canvas held a finished drawing when uPlot cleared it, and whether new data cleared it (a refresh):
    // then the redraw is drawn at once (drawQueue.ts). A resize's redraw is queued as a first drawing is: the first
    // build's layout settling resized both plots in a task of its own, which drawing them whole made 45 ms of CPU.
    let shown = false;
    let newData = false;
    config.addHook('init', (u) => {
      for (let i = 1; i < u.series.length; i++) {
        u.series[i].paths = () => null;
        const points = u.series[i].points;
        if (points) {
          points.show = () => false;
        }
      }
    });
    // New data unmarks the plot at once (setData runs in React's commit), not only when its redraw starts (a
    // microtask later): until then the mark of the previous drawing, of the same range, would pass for this one's.
    config.addHook('setData', (u) => {
      u.root.removeAttribute(DRAWN_FROM_ATTRIBUTE);
      newData = true;
    });
    config.addHook('draw', (u) => {
      const current = ++generation;
      u.root.removeAttribute(DRAWN_FROM_ATTRIBUTE);
      let next = 1;
      let rastered: boolean[] = [];
      const redraw = shown && newData;
      shown = false;
      newData = false;
      queueDraw(
        (hasTime) => {
          if (current !== generation) {
            return true; // a newer draw cleared the canvas and started over
          }
          const ctx = u.ctx;
          ctx.save();
          ctx.beginPath();
          ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
          ctx.clip();
          const first = next;
          if (first === 1) {
            // Every series' regions under every line; then the dense lines at once (cheap: lineRaster.ts).
            for (let i = 1; i < u.series.length; i++) {
              drawRegions(u, i, latest.current.regions?.[i], latest.current.regionColor);
            }
            rastered = drawDenseLines(u, latest.current.spanMs);
          }
          while (next < u.series.length && (next === first || hasTime())) {
            if (!rastered[next]) {
              drawLine(u, next, latest.current.spanMs[next] ?? Infinity);
            }
            next++;
          }
          ctx.restore();
          if (next < u.series.length) {
            return false;
          }
          drawLevels(u, latest.current.levels, latest.current.markColor);
          drawMarks(u, latest.current.marks, latest.current.markColor);
          u.root.setAttribute(DRAWN_Y_ATTRIBUTE, `${u.scales.y?.min},${u.scales.y?.max}`);
          const yAxes = u.axes.filter((axis, k) => k > 0 && axis.scale && u.series.some((s) => s.scale === axis.scale));
          u.root.setAttribute(
            DRAWN_Y_AXES_ATTRIBUTE,
            yAxes.map((axis) => `${u.scales[axis.scale!].min},${u.scales[axis.scale!].max}`).join(';')
          );
          u.root.setAttribute(DRAWN_FROM_ATTRIBUTE, String(u.scales.x?.min));
          shown = true;
          return true;
        },
        { redraw, points: (u.series.length - 1) * u.data[0].length }
      );
    });
    return () => {
      generation++; // a drawing under way stops at its next task
    };
  }, [config]);

  return null;
}

type Plot = uPlot;

function strokeOf(u: Plot, i: number): string {
  const stroke = u.series[i].stroke;
  return ((typeof stroke === 'function' ? stroke(u, i) : stroke) as string) ?? '#888';
}

function drawRegions(u: Plot, i: number, regions: Float64Array | undefined, color: string | undefined) {
  if (!regions || regions.length === 0 || !u.series[i].show) {
    return;
  }
  const ctx = u.ctx;
  const ratio = window.devicePixelRatio || 1;
  const minWidth = 4 * ratio;
  const strips = u.series.length - 1 > MAX_FULL_HEIGHT_REGION_SERIES;
  const top = u.bbox.top;
  const height = strips ? REGION_STRIP_HEIGHT * ratio : u.bbox.height;
  ctx.save();
  ctx.globalAlpha = strips ? 1 : REGION_ALPHA;
  ctx.fillStyle = color ?? strokeOf(u, i);
  for (let k = 0; k + 1 < regions.length; k += 2) {
    const left = u.valToPos(regions[k], 'x', true);
    const right = u.valToPos(regions[k + 1], 'x', true);
    // A one-point region still gets a visible band.
    const width = Math.max(right - left, minWidth);
    ctx.fillRect(left - (width - (right - left)) / 2, top, width, height);
  }
  ctx.restore();
}

/**
 * The canvas position of a value on a scale: for a linear scale a + b × value, taken from two of uPlot's own
 * valToPos (a function call per point costs more than the line's drawing on a busy machine); other scales (log,
 * asinh) go through valToPos for every value.
 */
function canvasPosition(u: Plot, scale: string): (value: number) => number {
  const map = linearMap(u, scale);
  return map ? (value) => map.start + (value - map.min) * map.slope : (value) => u.valToPos(value, scale, true);
}

/** A linear scale's canvas position as start + (value - min) * slope; undefined for other scales (log, asinh). */
function linearMap(u: Plot, scale: string): { start: number; min: number; slope: number } | undefined {
  const { distr, min, max } = u.scales[scale] ?? {};
  if (distr !== 1 || typeof min !== 'number' || typeof max !== 'number' || !(max > min)) {
    return undefined;
  }
  // From the scale's own ends (epoch ms on x: positions of 0 and 1 would lose the slope to rounding).
  const start = u.valToPos(min, scale, true);
  return { start, min, slope: (u.valToPos(max, scale, true) - start) / (max - min) };
}

/**
 * Series i's points in canvas pixels, relative to (left, top), into the shared LinePositions: `starts` marks where a
 * line starts (its first point, or after a gap wider than `spanMs`). One pass for the canvas' stroke and the raster
 * alike; the positions are computed inline for linear scales (no call per point: a call V8 does not inline boxes
 * its double arguments).
 */
function linePositions(u: Plot, i: number, spanMs: number, left = 0, top = 0): LinePositions {
  const times = u.data[0];
  const values = u.data[i] as Array<number | null | undefined>;
  const positions = sharedPositions.reserve(times.length);
  const { xs, ys, starts } = positions;
  const xMap = linearMap(u, 'x');
  const yScale = u.series[i].scale ?? 'y';
  const yMap = linearMap(u, yScale);
  let count = 0;
  let lastTime = NaN;
  for (let k = 0; k < times.length; k++) {
    const y = values[k];
    // No point (NaN), or none the canvas can draw (±Infinity: it skips such a lineTo, and the line goes on).
    if (typeof y !== 'number' || !Number.isFinite(y)) {
      continue;
    }
    const time = times[k];
    xs[count] = (xMap ? xMap.start + (time - xMap.min) * xMap.slope : u.valToPos(time, 'x', true)) - left;
    ys[count] = (yMap ? yMap.start + (y - yMap.min) * yMap.slope : u.valToPos(y, yScale, true)) - top;
    starts[count] = Number.isNaN(lastTime) || time - lastTime > spanMs ? 1 : 0;
    count++;
    lastTime = time;
  }
  positions.count = count;
  return positions;
}

/** Room for one line's positions, grown as lines need, shared by every plot (drawing is synchronous). */
class LinePositions {
  xs = new Float64Array(0);
  ys = new Float64Array(0);
  starts = new Uint8Array(0);
  count = 0;

  reserve(points: number): this {
    if (this.xs.length < points) {
      this.xs = new Float64Array(points);
      this.ys = new Float64Array(points);
      this.starts = new Uint8Array(points);
    }
    return this;
  }
}

const sharedPositions = new LinePositions();

/** The series' line width in canvas pixels. */
function lineWidthOf(u: Plot, i: number): number {
  return (u.series[i].width ?? 1) * (window.devicePixelRatio || 1);
}

function drawLine(u: Plot, i: number, spanMs: number) {
  if (!u.series[i].show) {
    return;
  }
  const ctx = u.ctx;
  ctx.strokeStyle = strokeOf(u, i);
  ctx.lineWidth = lineWidthOf(u, i);
  ctx.beginPath();
  const { xs, ys, starts, count } = linePositions(u, i, spanMs);
  for (let k = 0; k < count; k++) {
    if (starts[k] === 1) {
      ctx.moveTo(xs[k], ys[k]);
    } else {
      ctx.lineTo(xs[k], ys[k]);
    }
  }
  ctx.stroke();
}

/**
 * Draws the dense lines (DENSE_POINTS_PER_COLUMN or more, an opaque colour) through a LineRaster and one drawImage,
 * instead of stroking them (see lineRaster.ts). Returns, per uPlot series, whether its line was drawn.
 */
function drawDenseLines(u: Plot, spanMs: number[]): boolean[] {
  const drawn = u.series.map(() => false);
  // Whole pixels covering the plotting area (uPlot's bbox may be at half pixels).
  const left = Math.floor(u.bbox.left);
  const top = Math.floor(u.bbox.top);
  const width = Math.ceil(u.bbox.left + u.bbox.width) - left;
  const height = Math.ceil(u.bbox.top + u.bbox.height) - top;
  // (No ImageData: a test's document without pixels, where the canvas strokes every line.)
  if (!LITTLE_ENDIAN || typeof ImageData !== 'function' || width <= 0 || height <= 0) {
    return drawn;
  }
  let surface: RasterSurface | undefined;
  for (let i = 1; i < u.series.length; i++) {
    const color = u.series[i].show ? pixelOf(strokeOf(u, i)) : undefined;
    if (color === undefined || finiteCount(u.data[i]) < DENSE_POINTS_PER_COLUMN * width) {
      continue;
    }
    if (!surface) {
      surface = rasterSurface(width, height);
    }
    const { xs, ys, starts, count } = linePositions(u, i, spanMs[i] ?? Infinity, left, top);
    surface.raster.polyline(xs, ys, starts, count, color, Math.max(1, Math.round(lineWidthOf(u, i))));
    drawn[i] = true;
  }
  if (surface) {
    const image = new ImageData(
      new Uint8ClampedArray(surface.raster.pixels.buffer, 0, width * height * 4),
      width,
      height
    );
    surface.context.putImageData(image, 0, 0);
    u.ctx.drawImage(surface.canvas, 0, 0, width, height, left, top, width, height);
  }
  return drawn;
}

/**
 * Points per device pixel column from which a line is drawn without anti-aliasing: its points are at most ~1.3
 * pixels apart, so its steps do not show. A line with a point in every slot of the worker's grid (two per CSS pixel
 * column) has 2 per device column at a device pixel ratio of 1 and 1 at 2; one point per CSS column (0.5 at a ratio
 * of 2, pixels 2 apart) is stroked.
 */
const DENSE_POINTS_PER_COLUMN = 0.75;

function finiteCount(values: ArrayLike<number | null | undefined>): number {
  let count = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    count += typeof v === 'number' && Number.isFinite(v) ? 1 : 0;
  }
  return count;
}

/** A LineRaster with a canvas it is put on before being drawn over a plot. */
interface RasterSurface {
  raster: LineRaster;
  canvas: HTMLCanvasElement;
  context: CanvasRenderingContext2D;
}

/**
 * One raster for every plot of the page (drawing is synchronous: one plot uses it at a time), grown to the largest
 * plot drawn: a dashboard's panels and their score panes, of many sizes, share its memory. It is put on one of two
 * canvases in turn: a canvas drawn over a plot stays referenced by that plot's drawing until the browser paints it,
 * and writing its pixels again before then (the score pane's lines right after the chart's) made Chromium copy the
 * whole canvas first (0.4-2 ms a refresh on the 2-core machine).
 */
let raster: LineRaster | undefined;
const surfaces: Array<Omit<RasterSurface, 'raster'>> = [];
let nextSurface = 0;

/** The shared raster, width x height and clear, with the canvas whose turn it is, at least that large. */
function rasterSurface(width: number, height: number): RasterSurface {
  raster ??= new LineRaster();
  if (surfaces.length === 0) {
    for (let k = 0; k < 2; k++) {
      const canvas = document.createElement('canvas');
      surfaces.push({ canvas, context: canvas.getContext('2d')! });
    }
  }
  const surface = surfaces[nextSurface];
  nextSurface = (nextSurface + 1) % surfaces.length;
  raster.reset(width, height);
  if (surface.canvas.width < width || surface.canvas.height < height) {
    surface.canvas.width = Math.max(surface.canvas.width, width);
    surface.canvas.height = Math.max(surface.canvas.height, height);
  }
  return { raster, ...surface };
}

/** Pixel words of the colours met, as a canvas reads them (undefined: not opaque, or not read here). */
const pixels = new Map<string, number | undefined>();
let colorReader: CanvasRenderingContext2D | null | undefined;
const SENTINEL_COLOR = '#010203';

function pixelOf(color: string): number | undefined {
  if (!pixels.has(color)) {
    colorReader ??= document.createElement('canvas').getContext('2d');
    let pixel: number | undefined;
    if (colorReader) {
      // A colour the canvas cannot read leaves the one before: a sentinel tells it (the canvas strokes it then).
      colorReader.fillStyle = SENTINEL_COLOR;
      colorReader.fillStyle = color;
      const read = String(colorReader.fillStyle);
      pixel = read === SENTINEL_COLOR && color.toLowerCase() !== SENTINEL_COLOR ? undefined : opaquePixelOf(read);
    }
    if (pixels.size >= 256) {
      pixels.clear(); // colours come from a palette: this only bounds a page that makes them up
    }
    pixels.set(color, pixel);
  }
  return pixels.get(color);
}

function drawLevels(u: Plot, levels: number[] | undefined, color: string | undefined) {
  if (!levels || !color) {
    return;
  }
  const ctx = u.ctx;
  const ratio = window.devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  ctx.strokeStyle = color;
  ctx.lineWidth = ratio;
  ctx.setLineDash([6 * ratio, 4 * ratio]);
  ctx.beginPath();
  for (let i = 1; i < u.series.length; i++) {
    if (levels[i] === undefined || Number.isNaN(levels[i]) || !u.series[i].show) {
      continue;
    }
    const y = u.valToPos(levels[i], u.series[i].scale ?? 'y', true);
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
  }
  ctx.stroke();
  ctx.restore();
}

function drawMarks(u: Plot, marks: Float64Array[] | undefined, color: string | undefined) {
  if (!marks || !color) {
    return;
  }
  const ctx = u.ctx;
  let count = 0;
  for (let i = 1; i < marks.length; i++) {
    for (let k = 0; k < (marks[i]?.length ?? 0); k++) {
      count += Number.isNaN(marks[i][k]) ? 0 : 1;
    }
  }
  // Many marks (more than one per ten pixel columns) are drawn smaller, so the lines under them stay readable.
  const dense = count > u.bbox.width / (10 * (window.devicePixelRatio || 1));
  const radius = (dense ? 2 : 4) * (window.devicePixelRatio || 1);
  ctx.save();
  ctx.fillStyle = color;
  ctx.beginPath();
  const toX = canvasPosition(u, 'x');
  for (let i = 1; i < u.series.length; i++) {
    const ys = marks[i];
    if (!ys || !u.series[i].show) {
      continue;
    }
    const toY = canvasPosition(u, u.series[i].scale ?? 'y');
    for (let k = 0; k < ys.length; k++) {
      if (!Number.isNaN(ys[k])) {
        const px = toX(u.data[0][k]);
        const py = toY(ys[k]);
        ctx.moveTo(px + radius, py);
        ctx.arc(px, py, radius, 0, 2 * Math.PI);
      }
    }
  }
  ctx.fill();
  ctx.restore();
}
