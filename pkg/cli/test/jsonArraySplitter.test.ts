import { Readable } from 'stream';
import { splitJsonArray } from '../src/input/jsonArraySplitter';
import { InputError } from '../src/errors';

/** Feeds `text` in chunks of `size` characters, so elements, strings and escapes straddle chunk borders. */
async function split(text: string, size: number) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < text.length; i += size) {
    chunks.push(Buffer.from(text.slice(i, i + size)));
  }
  const out = [];
  for await (const element of splitJsonArray(Readable.from(chunks), 'x.json')) {
    out.push(element);
  }
  return out;
}

describe('splitJsonArray', () => {
  const text = '[\n  {"a": 1, "s": "x}\\"]{"},\n  {"a": [2, {"b": 3}]}\n]\n';

  test.each([1, 2, 3, 7, 1000])('same elements and start positions with %i-character chunks', async (size) => {
    expect(await split(text, size)).toEqual([
      { line: 2, column: 3, value: { a: 1, s: 'x}"]{' } },
      { line: 3, column: 3, value: { a: [2, { b: 3 }] } },
    ]);
    // Elements on one line: each at its own column.
    expect(await split('[{"a": 1}, {"a": 2},{"a": 3}]', size)).toEqual([
      { line: 1, column: 2, value: { a: 1 } },
      { line: 1, column: 12, value: { a: 2 } },
      { line: 1, column: 21, value: { a: 3 } },
    ]);
  });

  test('a truncated array is an error', async () => {
    await expect(split('[{"a": 1}, {"a":', 4)).rejects.toThrow(/x\.json:1:\d+: the JSON array is not closed/);
  });

  test.each([
    ['[{"a": 1}, {"a": 2},]', '1:21: a comma after the last row (not JSON): remove it'],
    ['[{"a": 1},, {"a": 2}]', '1:11: two commas in a row (not JSON)'],
    ['[, {"a": 1}]', '1:2: a comma before the first row (not JSON)'],
    ['[{"a": 1}\n {"a": 2}]', '2:2: no comma between this row and the one before (not JSON)'],
  ])('refuses what JSON does not allow between rows: %j (before, read as rows)', async (bad, where) => {
    for (const size of [1, 4, 100]) {
      await expect(split(bad, size)).rejects.toThrow(`x.json:${where}`);
    }
  });

  test('accepts an empty array and whitespace anywhere between rows', async () => {
    expect(await split('[ ]', 1)).toEqual([]);
    expect((await split('[\n{"a": 1}\n,\n{"a": 2}\n]', 3)).map((row) => row.value)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  test('a document that is not an array is an error naming ndjson', async () => {
    await expect(split('{"a": 1}\n{"a": 2}\n', 5)).rejects.toThrow(InputError);
    await expect(split('{"a": 1}\n{"a": 2}\n', 5)).rejects.toThrow(/--format ndjson/);
  });
});

describe('splitCsvLine (stream input)', () => {
  const { splitCsvLine } = require('../src/input/rawRecords');
  test.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,c,', ['a', '', 'c', '']],
    ['"x, y","say ""hi""",3', ['x, y', 'say "hi"', '3']],
    ['', ['']],
  ])('%p', (line, cells) => {
    expect(splitCsvLine(line, 's', 1)).toEqual(cells);
  });
  test('unclosed quote', () => {
    expect(() => splitCsvLine('a,"b', 's', 4)).toThrow('s:4:2: malformed CSV: unclosed quote');
  });
});
