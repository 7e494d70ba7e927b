import { LineRaster, opaquePixelOf, packRgba } from '../lineRaster';

const RED = packRgba(255, 0, 0);

/** Draws one polyline through `points` ([x, y] pairs), a new line starting at the indices in `starts`. */
function draw(raster: LineRaster, points: number[][], thickness = 1, starts: number[] = []) {
  const flags = new Uint8Array(points.length);
  starts.forEach((k) => (flags[k] = 1));
  raster.polyline(
    Float64Array.from(points, (p) => p[0]),
    Float64Array.from(points, (p) => p[1]),
    flags,
    points.length,
    RED,
    thickness
  );
}

/** Draws one segment from (x0, y0) to (x1, y1). */
function segment(raster: LineRaster, x0: number, y0: number, x1: number, y1: number, thickness = 1) {
  draw(
    raster,
    [
      [x0, y0],
      [x1, y1],
    ],
    thickness
  );
}

/** The buffer as rows of '#' (set) and '.' (not). */
function picture(raster: LineRaster): string[] {
  const rows: string[] = [];
  for (let y = 0; y < raster.height; y++) {
    let row = '';
    for (let x = 0; x < raster.width; x++) {
      row += raster.pixels[y * raster.width + x] === 0 ? '.' : '#';
    }
    rows.push(row);
  }
  return rows;
}

describe('LineRaster', () => {
  it('sets one pixel per column of a horizontal segment, in the colour given', () => {
    const raster = new LineRaster(6, 3);
    segment(raster, 0.5, 1.5, 4.5, 1.5);
    expect(picture(raster)).toEqual(['......', '#####.', '......']);
    expect(raster.pixels[1 * 6 + 2]).toBe(RED);
  });

  it('covers, in each column, the rows between where a segment enters and leaves it (no gaps on steep lines)', () => {
    const raster = new LineRaster(4, 8);
    segment(raster, 0.5, 0.5, 2.5, 6.5);
    // Slope 3 rows per column: column 0 from 0.5 to 2, column 1 from 2 to 5, column 2 from 5 to 6.5.
    expect(picture(raster)).toEqual(['#...', '#...', '##..', '.#..', '.#..', '.##.', '..#.', '....']);
  });

  it.each([
    ['a vertical segment, as one column', 3, 4, [1.5, 0.2], [1.5, 2.8], ['.#.', '.#.', '.#.', '...']],
    ['a rising segment', 4, 4, [0.5, 3.5], [3.5, 0.5], ['...#', '..##', '.##.', '##..']],
  ])('draws %s the same either way round', (_, width, height, from, to, expected) => {
    const forward = new LineRaster(width, height);
    draw(forward, [from, to]);
    const backward = new LineRaster(width, height);
    draw(backward, [to, from]);
    expect(picture(forward)).toEqual(expected);
    expect(backward.pixels).toEqual(forward.pixels);
  });

  it('clips what lies outside the buffer, keeping the part inside', () => {
    const raster = new LineRaster(4, 3);
    segment(raster, -10, 1.5, 20, 1.5);
    segment(raster, 2.5, -5, 2.5, 10);
    expect(picture(raster)).toEqual(['..#.', '####', '..#.']);
  });

  it('widens a thicker line by half its thickness on each side', () => {
    const raster = new LineRaster(8, 5);
    segment(raster, 2, 2, 5, 2, 3);
    expect(picture(raster)).toEqual(['........', '.######.', '.######.', '.######.', '........']);
  });

  it('joins the segments of a polyline without gaps', () => {
    const raster = new LineRaster(6, 6);
    const points = [
      [0.25, 5.5],
      [0.75, 0.5],
      [1.25, 3.5],
      [1.75, 3.5],
      [4.25, 1.2],
    ];
    draw(raster, points);
    const columns = [0, 1, 2, 3, 4].map((x) => [0, 1, 2, 3, 4, 5].filter((y) => raster.pixels[y * 6 + x] !== 0));
    // Each column's set rows are one run, and consecutive columns' runs touch.
    for (let x = 0; x < columns.length; x++) {
      const run = columns[x];
      expect(run.length).toBeGreaterThan(0);
      expect(run[run.length - 1] - run[0]).toBe(run.length - 1);
      if (x > 0) {
        const previous = columns[x - 1];
        expect(run[0] <= previous[previous.length - 1] + 1 && previous[0] <= run[run.length - 1] + 1).toBe(true);
      }
    }
    expect(columns[5 - 1]).toContain(1);
  });

  it('starts a new line where asked: no pixels between the end of one and the start of the next', () => {
    const raster = new LineRaster(8, 3);
    draw(
      raster,
      [
        [0.5, 1.5],
        [2.5, 1.5],
        [5.5, 1.5],
        [7.5, 1.5],
      ],
      1,
      [2]
    );
    expect(picture(raster)).toEqual(['........', '###..###', '........']);
  });

  it('draws a line on the bottom edge (a value at the axis minimum) in the last row', () => {
    const raster = new LineRaster(4, 3);
    segment(raster, 0, 3, 4, 3);
    expect(picture(raster)).toEqual(['....', '....', '####']);
  });

  it('skips segments without a position (NaN, infinite) and keeps the rest of their columns', () => {
    const raster = new LineRaster(7, 8);
    draw(raster, [
      [4.2, NaN],
      [4.8, 5],
      [5.5, 6],
      [6.2, Infinity],
    ]);
    expect(picture(raster).map((row) => row.slice(4))).toEqual([
      '...',
      '...',
      '...',
      '...',
      '...',
      '##.',
      '.#.',
      '...',
    ]);
  });

  it('reset() resizes and clears, in the memory it has when that holds the pixels', () => {
    const raster = new LineRaster(4, 4);
    const memory = raster.pixels.buffer;
    segment(raster, 0, 0, 4, 4);
    raster.reset(3, 2);
    expect(raster.pixels.buffer).toBe(memory);
    expect(Array.from(raster.pixels)).toEqual([0, 0, 0, 0, 0, 0]);
    expect([raster.width, raster.height]).toEqual([3, 2]);
    segment(raster, 0, 1.5, 3, 1.5);
    expect(picture(raster)).toEqual(['...', '###']);
    raster.reset(5, 5);
    expect(raster.pixels.length).toBe(25);
    expect(raster.pixels.every((p) => p === 0)).toBe(true);
  });
});

describe('opaquePixelOf', () => {
  it('reads the colours a canvas normalises to, opaque ones only', () => {
    expect(opaquePixelOf('#73bf69')).toBe(packRgba(0x73, 0xbf, 0x69));
    expect(opaquePixelOf('rgb(1, 2, 3)')).toBe(packRgba(1, 2, 3));
    expect(opaquePixelOf('rgba(1, 2, 3, 1)')).toBe(packRgba(1, 2, 3));
    expect(opaquePixelOf('rgba(1, 2, 3, 0.5)')).toBeUndefined();
    expect(opaquePixelOf('transparent')).toBeUndefined();
  });

  it('packs red in the low byte, alpha in the high one (ImageData order on little-endian platforms)', () => {
    const bytes = new Uint8Array(new Uint32Array([packRgba(10, 20, 30)]).buffer);
    expect(Array.from(bytes)).toEqual([10, 20, 30, 255]);
  });
});
