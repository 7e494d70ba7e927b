/** Names in a message: the first few, quoted, and how many more (a run of thousands of groups is not listed whole). */
export function someNames(names: readonly string[], shown = 5): string {
  const more = names.length > shown ? ` and ${names.length - shown} more` : '';
  return (
    names
      .slice(0, shown)
      .map((name) => `"${name}"`)
      .join(', ') + more
  );
}
