/**
 * Dense lines drawn into a pixel buffer by the panel's own code, without anti-aliasing: for each pixel column a
 * segment crosses, the rows between where it enters and leaves the column are set to the line's colour.
 *
 * Why: a line with a point or more per pixel column (the worker's min/max decimation gives two per column) is drawn
 * by the canvas as thousands of anti-aliased segments, and the canvas' rasterising was the largest item of a
 * refresh (a 50-series refresh on the 2-core machine: ~10 ms of `stroke` of its ~20 ms commit; Chromium, software
 * canvas). Here it costs ~1 ms, and at that density a column's span is what the stroked line covers (the M4
 * aggregation's argument: min/max per column draw the same pixels as all points). Sparser lines, whose steps show
 * without anti-aliasing, are left to the canvas (ProgressiveLinesPlugin decides which).
 *
 * Coordinates are pixels of the buffer (x to the right, y down); a time series' segments go left to right, but either
 * direction is drawn. Pixels outside the buffer are clipped.
 */
export class LineRaster {
  /** RGBA pixels, row after row (ImageData's layout), as 32-bit words (see packRgba): width x height of them. */
  pixels: Uint32Array<ArrayBuffer>;
  width: number;
  height: number;
  /** polyline's colour and thickness, as fields: numbers beyond 2^30 (a colour) passed to a call are boxed. */
  private color = 0;
  private thickness = 1;

  constructor(width = 0, height = 0) {
    this.pixels = new Uint32Array(width * height);
    this.width = width;
    this.height = height;
  }

  /**
   * Makes the buffer width x height pixels, all clear, in the memory it has when that holds them (one buffer serves
   * plots of every size: a dashboard's panels take turns).
   */
  reset(width: number, height: number): void {
    const buffer = this.pixels.buffer;
    this.pixels =
      buffer.byteLength >= width * height * 4
        ? new Uint32Array(buffer, 0, width * height)
        : new Uint32Array(width * height);
    this.pixels.fill(0);
    this.width = width;
    this.height = height;
  }

  /**
   * Sets the pixels of a polyline to `color` (packRgba): points k = 0 .. count - 1 at (xs[k], ys[k]), each joined to
   * the one before unless starts[k] is set (a new line starts there: after a gap). `thickness` is the line's width in
   * pixels (the canvas' lineWidth in device pixels, at least 1): each column's span is widened by half of it on
   * every side.
   */
  polyline(
    xs: Float64Array,
    ys: Float64Array,
    starts: Uint8Array,
    count: number,
    color: number,
    thickness: number
  ): void {
    // One loop, no call with doubles per segment: a call that V8 does not inline passes its double arguments boxed,
    // heap numbers per segment (a 50-series refresh: ~150 000 segments, and the garbage collector ran inside the
    // drawing). The segments' parts in one column are gathered into one span, written once when the walk leaves the
    // column: a dense line's consecutive segments overlap in each column, and the pixels' writing is the cost.
    const { width } = this;
    this.color = color;
    this.thickness = thickness;
    const half = (thickness - 1) / 2;
    let column = -1;
    let low = 0;
    let high = 0;
    for (let k = 1; k < count; k++) {
      if (starts[k] !== 0) {
        continue;
      }
      let ax = xs[k - 1];
      let ay = ys[k - 1];
      let bx = xs[k];
      let by = ys[k];
      if (bx < ax) {
        ax = xs[k];
        ay = ys[k];
        bx = xs[k - 1];
        by = ys[k - 1];
      }
      if (!(bx >= -half && ax < width + half) || !Number.isFinite(ay + by)) {
        continue; // outside the buffer, or not a position (NaN, an infinite value)
      }
      const dx = bx - ax;
      const slope = dx > 0 ? (by - ay) / dx : 0;
      // Columns from floor(ax) to floor(bx), clamped (`| 0` is floor for the non-negative values it gets).
      const first = ax > 0 ? ax | 0 : 0;
      const last = bx < width - 1 ? (bx > 0 ? bx | 0 : 0) : width - 1;
      for (let c = first; c <= last; c++) {
        // Where the segment enters and leaves column c (its ends within it; both ends for a column it only nears).
        const enter = c < ax ? ax : c > bx ? bx : c;
        const leave = c + 1 > bx ? bx : c + 1 < ax ? ax : c + 1;
        const yEnter = dx > 0 ? ay + (enter - ax) * slope : ay;
        const yLeave = dx > 0 ? ay + (leave - ax) * slope : by;
        const lo = yEnter < yLeave ? yEnter : yLeave;
        const hi = yEnter < yLeave ? yLeave : yEnter;
        if (c !== column) {
          this.fillSpan(column, low - half, high + half);
          column = c;
          low = lo;
          high = hi;
        } else {
          low = lo < low ? lo : low;
          high = hi > high ? hi : high;
        }
      }
    }
    this.fillSpan(column, low - half, high + half);
  }

  /**
   * Sets rows floor(top) .. floor(bottom) of `column` (and of its neighbours a thicker line covers), clipped to the
   * buffer; nothing for column -1 (no span gathered yet) or NaN bounds.
   */
  private fillSpan(column: number, top: number, bottom: number): void {
    const { pixels, width, height, color } = this;
    // A span on the bottom edge (y == height: a value at the axis' minimum) is the last row, where the canvas
    // paints half of a stroked line.
    if (column < 0 || !(bottom >= 0 && top <= height)) {
      return;
    }
    const firstRow = top > 0 ? (top < height - 1 ? top | 0 : height - 1) : 0;
    const lastRow = bottom < height - 1 ? bottom | 0 : height - 1;
    const spread = this.thickness - 1;
    const left = column - (spread >> 1) > 0 ? column - (spread >> 1) : 0;
    const right = column + spread - (spread >> 1) < width - 1 ? column + spread - (spread >> 1) : width - 1;
    for (let x = left; x <= right; x++) {
      for (let at = (firstRow * width + x) | 0, end = (lastRow * width + x) | 0; at <= end; at = (at + width) | 0) {
        pixels[at] = color;
      }
    }
  }
}

/** Whether this platform lays a 32-bit word's low byte first (ImageData's red byte then holds packRgba's red). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** An opaque colour as one pixel word of LineRaster.pixels on a little-endian platform (red in the low byte). */
export function packRgba(red: number, green: number, blue: number): number {
  return (0xff000000 | (blue << 16) | (green << 8) | red) >>> 0;
}

/**
 * The pixel word of a colour as a canvas normalises it (its fillStyle after assignment: '#rrggbb' when opaque), or
 * undefined for a colour that is not opaque ('rgba(r, g, b, a)' with a < 1: blending is left to the canvas).
 */
export function opaquePixelOf(normalised: string): number | undefined {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(normalised);
  if (hex) {
    return packRgba(parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16));
  }
  const rgba = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(normalised);
  if (rgba && (rgba[4] === undefined || Number(rgba[4]) >= 1)) {
    return packRgba(Number(rgba[1]), Number(rgba[2]), Number(rgba[3]));
  }
  return undefined;
}
