/**
 * How a message about one group of `--group-by` starts, written once: printWarnings tells the warnings about single
 * groups from those about the whole input by it.
 */
export function groupPrefix(group: string): string {
  return group === '' ? '' : `group "${group}": `;
}

/** Whether a message is about one group (starts with groupPrefix of a group). */
export function isAboutOneGroup(message: string): boolean {
  return message.startsWith('group "');
}
