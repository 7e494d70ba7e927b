/**
 * JSON.stringify(value) as a sequence of pieces whose concatenation is exactly that text, produced one at a time:
 * for documents too long for one string (V8 caps a string at ~512 MiB) or too big to hold as text at once. A value's
 * toJSON() is called only when the walk reaches it, so a document of many models (each toJSON'd on its turn) never
 * holds more than one model's JSON. Objects and arrays are walked; every other value is JSON.stringify's own text.
 */
export function* jsonPieces(value: unknown): Generator<string, void, undefined> {
  const resolved = withToJson(value, '');
  if (isOmitted(resolved)) {
    throw new TypeError('jsonPieces: the value has no JSON text (undefined, a function or a symbol)');
  }
  yield* resolvedPieces(resolved);
}

/** What JSON.stringify serialises in place of `value` under `key` (its toJSON(key), if it has one). */
function withToJson(value: unknown, key: string): unknown {
  if (
    (typeof value === 'object' && value !== null) ||
    typeof value === 'bigint' // JSON.stringify looks up BigInt.prototype.toJSON too
  ) {
    const toJson = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJson === 'function') {
      return toJson.call(value, key);
    }
  }
  return value;
}

/** Values JSON.stringify leaves out of an object (and writes as null in an array). */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function* resolvedPieces(value: unknown): Generator<string, void, undefined> {
  if (
    value === null ||
    typeof value !== 'object' ||
    value instanceof Number ||
    value instanceof String ||
    value instanceof Boolean
  ) {
    yield JSON.stringify(value);
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) {
        yield ',';
      }
      const item = withToJson(value[i], String(i));
      if (isOmitted(item)) {
        yield 'null';
      } else {
        yield* resolvedPieces(item);
      }
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  // Object.keys: JSON.stringify's order (integer-like keys first, ascending, then the others as inserted).
  for (const key of Object.keys(value)) {
    const member = withToJson((value as Record<string, unknown>)[key], key);
    if (isOmitted(member)) {
      continue;
    }
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    yield* resolvedPieces(member);
  }
  yield '}';
}
