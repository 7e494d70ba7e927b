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
  /** RGBA pixels, row after row (ImageData's layout), as 32-bit words (see packRgba). */
  readonly pixels: Uint32Array<ArrayBuffer>;

  constructor(
    readonly width: number,
    readonly height: number
  ) {
    this.pixels = new Uint32Array(width * height);
  }

  clear(): void {
    this.pixels.fill(0);
  }

  /**
   * Sets the pixels of a polyline to `color` (packRgba): points k = 0 .. count - 1 at (xs[k], ys[k]), each joined to
   * the one before unless starts[k] is set (a new line starts there: after a gap). `thickness` is the line's width in
   * pixels (the canvas' lineWidth in device pixels, at least 1): each segment is widened by half of it on every side.
   */
  polyline(
    xs: Float64Array,
    ys: Float64Array,
    starts: Uint8Array,
    count: number,
    color: number,
    thickness: number
  ): void {
    // One loop, no call per segment: a call that V8 does not inline passes its double arguments boxed, four heap
    // numbers per segment (a 50-series refresh: ~150 000 segments, and the garbage collector ran inside the
    // drawing). Locals, plain comparisons and int32 indices (`| 0` on values first clamped into the buffer)
    // throughout: Math.floor's doubles as indices or Math.min/max of three each cost a multiple of the pixels' writing.
    const { pixels, width, height } = this;
    const half = (thickness - 1) / 2;
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
      const startX = ax - half;
      const endX = bx + half;
      if (!(endX >= 0 && startX < width)) {
        continue; // outside the buffer (or NaN)
      }
      const first = startX > 0 ? startX | 0 : 0;
      const last = endX < width - 1 ? endX | 0 : width - 1;
      const dx = bx - ax;
      const slope = dx > 0 ? (by - ay) / dx : 0;
      for (let column = first; column <= last; column++) {
        // Where the segment enters and leaves this column (its ends within it), widened along x by `half`.
        let enter = column - half;
        enter = enter < ax ? ax : enter > bx ? bx : enter;
        let leave = column + 1 + half;
        leave = leave < ax ? ax : leave > bx ? bx : leave;
        const yEnter = dx > 0 ? ay + (enter - ax) * slope : ay;
        const yLeave = dx > 0 ? ay + (leave - ax) * slope : by;
        const low = (yEnter < yLeave ? yEnter : yLeave) - half;
        const high = (yEnter < yLeave ? yLeave : yEnter) + half;
        if (!(high >= 0 && low < height)) {
          continue;
        }
        const top = low > 0 ? low | 0 : 0;
        const bottom = high < height - 1 ? high | 0 : height - 1;
        for (
          let at = (top * width + column) | 0, end = (bottom * width + column) | 0;
          at <= end;
          at = (at + width) | 0
        ) {
          pixels[at] = color;
        }
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
