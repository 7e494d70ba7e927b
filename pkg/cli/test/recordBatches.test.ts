import { createInterface } from 'readline';
import { Readable } from 'stream';
import { createRandom } from '@telemetry-analyzer/engine';
import { plainNumber } from '../src/input/cells';
import { readLines, readRawRecords, type RawRecord } from '../src/input/rawRecords';
import { readRecordBatches, type RecordBatch } from '../src/input/recordBatches';

/** A stream of `text` in chunks of `size` bytes, so lines, CR LF pairs and UTF-8 sequences straddle chunk borders. */
function chunked(text: string, size: number): () => Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    chunks.push(bytes.subarray(i, i + size));
  }
  return () => Readable.from(chunks, { objectMode: false });
}

async function outcome(records: AsyncIterable<RawRecord | RecordBatch>) {
  const read: RawRecord[] = [];
  try {
    for await (const item of records) {
      if ('cells' in item) {
        read.push(item);
        continue;
      }
      for (let r = 0; r < item.size; r++) {
        read.push(item.record(r));
      }
    }
    return { read };
  } catch (error) {
    return { read, error: (error as Error).message };
  }
}

/**
 * What csv-parse makes of the text (the reference), and what readRecordBatches makes of it: the same records, or
 * the same error (the records handed out before an error differ with buffering, and the reader stops there).
 */
async function bothReaders(text: string, chunkSize: number) {
  const open = chunked(text, chunkSize);
  const reference = await outcome(readRawRecords(open(), 'csv', 'in.csv'));
  const batched = await outcome(readRecordBatches(open, 'csv', 'in.csv'));
  return reference.error === undefined
    ? { reference, batched }
    : { reference: reference.error, batched: batched.error };
}

describe('readRecordBatches (CSV) reads exactly what csv-parse reads', () => {
  test.each([
    ['plain', 'timestamp,cpu\n1,2\n3,4\n'],
    ['no final newline', 'timestamp,cpu\n1,2\n3,4'],
    ['CR LF', 'timestamp,cpu\r\n1,2\r\n3,4\r\n'],
    ['blank lines', 'timestamp,cpu\n\n1,2\n\n\n3,4\n\n'],
    ['byte order mark', '\uFEFFtimestamp,cpu\n1,2\n'],
    ['quoted header', '"timestamp","cpu"\n1,2\n'],
    ['quoted field with comma and newline', 'timestamp,host\n1,"a,\nb"\n2,c\n'],
    ['doubled quotes', 'timestamp,host\n1,"say ""hi"""\n'],
    ['quote inside a plain field', 'timestamp,host\n1,a"b\n'],
    ['ragged row', 'timestamp,cpu\n1,2\n3\n4,5\n'],
    ['NUL byte', 'timestamp,cpu\n1,2\n3,\u00004\n'],
    ['lone CR line ends', 'timestamp,cpu\r1,2\r3,4\r'],
    ['CR LF then LF', 'timestamp,cpu\r\n1,2\n3,4\r\n'],
    ['LF then CR LF', 'timestamp,cpu\n1,2\r\n3,4\n'],
    ['spaces kept', 'timestamp, cpu \n 1 , 2 \n'],
    ['empty fields', 'timestamp,cpu,mem\n1,,\n2,3,\n'],
    ['multibyte text', 'timestamp,hôst\n1,zürich-ß-€\n'],
    ['header only', 'timestamp,cpu\n'],
    ['empty', ''],
  ])('%s', async (_name, text) => {
    for (const size of [1, 3, 7, 64, 1 << 16]) {
      const { reference, batched } = await bothReaders(text, size);
      expect(batched).toEqual(reference);
    }
  });

  test('on 300 generated files mixing plain lines with every case above', async () => {
    const random = createRandom(7);
    const pick = <T>(items: T[]) => items[Math.floor(random.nextFloat() * items.length)];
    const fields = ['1', '2.5', '', ' 7 ', 'host-a', '"q,uoted"', '"two\nlines"', '"say ""x"""', 'a"b', '\u0000'];
    for (let file = 0; file < 300; file++) {
      const ending = pick(['\n', '\n', '\r\n', '\r']);
      const width = 1 + Math.floor(random.nextFloat() * 3);
      const lines = ['timestamp,' + Array.from({ length: width }, (_, c) => `m${c}`).join(',')];
      const rows = Math.floor(random.nextFloat() * 30);
      for (let row = 0; row < rows; row++) {
        const odd = random.nextFloat() < 0.05;
        const cells = odd
          ? Array.from({ length: width + (random.nextFloat() < 0.5 ? 0 : 1) }, () => pick(fields))
          : Array.from({ length: width }, () => String(Math.round(random.nextFloat() * 100)));
        lines.push(`${row},${cells.join(',')}`);
        if (random.nextFloat() < 0.05) {
          lines.push('');
        }
      }
      const text = lines.join(ending) + (random.nextFloat() < 0.8 ? ending : '');
      const { reference, batched } = await bothReaders(text, pick([5, 13, 64, 4096]));
      expect({ file: text, ...batched }).toEqual({ file: text, ...reference });
    }
  });
});

describe('a file whose lines end differently (CR LF, LF, a lone CR)', () => {
  // Exports joined from two systems: csv-parse's first-line choice refused them a line after the change.
  const text = 'timestamp,cpu\r\n1,2\n3,4\r5,6\r\n\n7,"a\nb"\r\n8,9';
  const expected = [
    { line: 1, cells: ['timestamp', 'cpu'] },
    { line: 2, cells: ['1', '2'] },
    { line: 3, cells: ['3', '4'] },
    { line: 4, cells: ['5', '6'] },
    { line: 7, cells: ['7', 'a\nb'] },
    { line: 8, cells: ['8', '9'] },
  ];

  test('is read whole, each record at its line, whatever the chunks', async () => {
    for (const size of [1, 3, 7, 64, 1 << 16]) {
      const open = chunked(text, size);
      expect(await outcome(readRecordBatches(open, 'csv', 'in.csv'))).toEqual({ read: expected });
      expect(await outcome(readRawRecords(open(), 'csv', 'in.csv'))).toEqual({ read: expected });
    }
  });

  test('as a live stream reads it, line by line', async () => {
    const plain = 'timestamp,cpu\r\n1,2\n3,4\r5,6\r\n\n8,9';
    const lines = await outcome(readRawRecords(chunked(plain, 5)(), 'csv', 'in.csv', true));
    const whole = await outcome(readRawRecords(chunked(plain, 5)(), 'csv', 'in.csv'));
    expect(whole).toEqual(lines);
    expect(whole.read.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
  });
});

describe('RecordBatch#number reads numbers from the bytes exactly as plainNumber reads the cell, or leaves them to it', () => {
  async function cellsAndNumbers(cells: string[]) {
    const text = 'value\n' + cells.join('\n') + '\n';
    const batches: RecordBatch[] = [];
    for await (const batch of readRecordBatches(chunked(text, 1 << 16), 'csv', 'in.csv')) {
      batches.push(batch);
    }
    const read: Array<{ cell: unknown; number: number }> = [];
    for (const batch of batches) {
      for (let r = 0; r < batch.size; r++) {
        read.push({ cell: batch.cell(r, 0), number: batch.number(r, 0) });
      }
    }
    return read.slice(1); // the header
  }

  test('edge cases and generated decimals of every length (Object.is: -0 stays -0)', async () => {
    const random = createRandom(11);
    const cells = [
      '0',
      '-0',
      '+0',
      '0.1',
      '1.',
      '.5',
      '-.5',
      '+3',
      '007',
      '123456789012345',
      '1234567890123456',
      '9007199254740993',
      '0.000000000000001',
      '0.1234567890123456789',
      '1e5',
      '-2.5E-3',
      ' 1',
      '1 ',
      '-',
      '.',
      '+',
      '',
      'abc',
      '1.2.3',
      '--1',
      '1-',
      'NaN',
      'null',
      'Infinity',
      '1e999',
      '٣',
      '１',
    ];
    for (let i = 0; i < 3000; i++) {
      const value = (random.nextFloat() - 0.5) * 10 ** Math.floor(random.nextFloat() * 20 - 8);
      cells.push(i % 3 === 0 ? String(value) : value.toFixed(i % 18));
    }
    const read = await cellsAndNumbers(cells);
    expect(read.map((r) => r.cell)).toEqual(cells.filter((cell) => cell !== ''));
    for (const { cell, number } of read) {
      // NaN: not read from the bytes (the reader then takes the cell); otherwise bit for bit plainNumber's value.
      expect({ cell, same: Number.isNaN(number) || Object.is(number, plainNumber(cell)) }).toEqual({
        cell,
        same: true,
      });
    }
    // The plain decimals of telemetry (up to 15 digits, no exponent) are read from the bytes.
    const plainDecimals = read.filter(
      ({ cell }) => /^[+-]?(\d+\.?\d*|\.\d+)$/.test(cell as string) && (cell as string).replace(/\D/g, '').length <= 15
    );
    expect(plainDecimals.length).toBeGreaterThan(1000);
    expect(plainDecimals.filter(({ number }) => Number.isNaN(number))).toEqual([]);
  });
});

describe('readLines', () => {
  // It replaced readline (which holds a line of any length): the same lines, split at LF, CR LF or a lone CR.
  test('splits as readline does, whatever the chunks', async () => {
    const text = 'a,1\r\nb,2\rc,3\n\nd,\u00e9\u20ac\r\n\r\ne,5';
    const expected: string[] = [];
    for await (const line of createInterface({ input: chunked(text, 1 << 16)(), crlfDelay: Infinity })) {
      expected.push(line);
    }
    for (const size of [1, 2, 3, 5, 1 << 16]) {
      const lines: string[] = [];
      for await (const { lineNumber, text: line } of readLines(chunked(text, size)())) {
        expect(lineNumber).toBe(lines.length + 1);
        lines.push(line!);
      }
      expect(lines).toEqual(expected);
    }
  });
});
