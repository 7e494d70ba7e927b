/**
 * Streams the elements of a top-level JSON array (`[{...}, {...}]`) without holding the whole document: the text
 * of each element is cut out by tracking nesting depth and strings, then parsed on its own. Keeps the line where
 * each element starts, for error messages.
 */
import type { Readable } from 'stream';
import { StringDecoder } from 'string_decoder';
import { InputError, locateInText, type InputLocation } from '../errors';
import type { ParsedObject } from './rawRecords';
import { MAX_RECORD_BYTES, recordTooLong } from './recordLimit';
import { EXPORTS_README } from './exportsReadme';
import { refuseDuplicateKey } from './duplicateKeys';

export async function* splitJsonArray(stream: Readable, source: string): AsyncGenerator<ParsedObject> {
  const decoder = new StringDecoder('utf8');
  let line = 1;
  let column = 0;
  let state: 'before-array' | 'between-elements' | 'in-element' | 'after-array' = 'before-array';
  let element = '';
  let elementLine = 0;
  let elementColumn = 0;
  /** Elements started so far: the 1-based index of the one being read. */
  let elements = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** Whether the character before was a CR (across chunks). */
  let afterCr = false;
  let first = true;
  /** Between elements: what JSON allows next (a review: `[{...},]` and `[{...}{...}]` were read as rows). */
  let expecting: 'element-or-end' | 'comma-or-end' | 'element' = 'element-or-end';

  const fail = (reason: string): never => {
    throw new InputError({ source, line, column }, reason);
  };
  // Counted in characters (one to three bytes each): bounded all the same.
  const checkElementLength = () => {
    if (element.length > MAX_RECORD_BYTES) {
      throw recordTooLong(source, elementLine, `element ${elements} of the JSON array`, elementColumn);
    }
  };

  for await (const chunk of stream) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = text.length === 0;
    }
    let elementStart = state === 'in-element' ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      // A CR alone ends a line too, and a CR LF is one line end (a review: a CR-only array was all line 1).
      if (char === '\r' || (char === '\n' && !afterCr)) {
        line++;
        column = 0;
      } else if (char !== '\n') {
        column++;
      }
      afterCr = char === '\r';
      if (state === 'in-element') {
        if (inString) {
          if (escaped) {
            escaped = false;
          } else if (char === '\\') {
            escaped = true;
          } else if (char === '"') {
            inString = false;
          }
          continue;
        }
        if (char === '"') {
          inString = true;
        } else if (char === '{' || char === '[') {
          depth++;
        } else if (char === '}' || char === ']') {
          depth--;
          if (depth === 0) {
            element += text.slice(elementStart, i + 1);
            checkElementLength();
            yield parseElement(element, source, elementLine, elementColumn);
            element = '';
            elementStart = -1;
            state = 'between-elements';
            expecting = 'comma-or-end';
          }
        }
        continue;
      }
      if (char === ' ' || char === '\t' || char === '\r' || char === '\n') {
        continue;
      }
      if (state === 'before-array') {
        if (char !== '[') {
          const start = text.slice(i, i + 64);
          fail(
            /^\{\s*"(status|data)"/.test(start)
              ? 'a Prometheus API answer ({"status": ..., "data": ...}), not rows: convert it to NDJSON rows with jq ' +
                  `(${EXPORTS_README})`
              : /^\{\s*"results"/.test(start)
                ? 'an InfluxDB API answer ({"results": ...}), not rows: export CSV with `influx -format csv` ' +
                  `(${EXPORTS_README})`
                : 'expected a JSON array of row objects ([{"timestamp": ..., ...}, ...]); for one object per line use --format ndjson'
          );
        }
        state = 'between-elements';
      } else if (state === 'between-elements') {
        if (char === ',') {
          if (expecting !== 'comma-or-end') {
            fail(elements === 0 ? 'a comma before the first row (not JSON)' : 'two commas in a row (not JSON)');
          }
          expecting = 'element';
          continue;
        }
        if (char === ']') {
          if (expecting === 'element') {
            fail('a comma after the last row (not JSON): remove it');
          }
          state = 'after-array';
          continue;
        }
        if (char !== '{') {
          fail('expected a JSON object per row, e.g. {"timestamp": ..., "cpu": 1.5}');
        }
        if (expecting === 'comma-or-end') {
          fail('no comma between this row and the one before (not JSON)');
        }
        state = 'in-element';
        elements++;
        depth = 1;
        elementStart = i;
        elementLine = line;
        elementColumn = column;
      } else {
        fail('unexpected text after the end of the JSON array');
      }
    }
    if (state === 'in-element' && elementStart >= 0) {
      element += text.slice(elementStart);
      checkElementLength();
    }
  }
  if (state === 'before-array') {
    return; // empty document: the caller reports an empty file
  }
  if (state === 'in-element') {
    // Where the cut-off row starts, not the end of the file.
    throw new InputError(
      { source, line: elementLine, column: elementColumn },
      'the JSON array is not closed (truncated file?): the row that starts here has no end'
    );
  }
  if ((state as string) !== 'after-array') {
    fail('the JSON array is not closed (truncated file?)');
  }
}

function parseElement(text: string, source: string, line: number, column: number): ParsedObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidJsonError(error as Error, text, { source, line, column });
  }
  refuseDuplicateKey(text, value, { source, line, column });
  return { line, column, value };
}

/**
 * JSON.parse's error for `text`, which starts at `start` (line and 1-based character column) of the input, as an
 * InputError at the line and column where the parser stopped: the "at position N" it names counts characters from
 * the start of `text` (of one array element or NDJSON line), which the user cannot find in the file.
 */
export function invalidJsonError(error: Error, text: string, start: Required<InputLocation>): InputError {
  const found = / at position (\d+)(?: \(line \d+ column \d+\))?/.exec(error.message);
  if (!found) {
    return new InputError(start, `invalid JSON: ${error.message}`);
  }
  const reason = error.message.slice(0, found.index) + error.message.slice(found.index + found[0].length);
  return new InputError(locateInText(text, Number(found[1]), start), `invalid JSON: ${reason}`);
}
