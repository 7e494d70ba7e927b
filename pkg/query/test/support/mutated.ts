import fc from 'fast-check';

/** Texts of `valid` with up to four characters-runs inserted, deleted or replaced: near misses an attacker tries. */
export function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat(3), fc.string({ maxLength: 4, unit: 'binary' }));
  return fc.tuple(valid, fc.array(edit, { maxLength: 4 })).map(([text, edits]) =>
    edits.reduce((result, [at, remove, insert]) => {
      const index = at % (result.length + 1);
      return result.slice(0, index) + insert + result.slice(index + remove);
    }, text)
  );
}
