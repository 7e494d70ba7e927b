/** The workspaces, each after the ones it imports. */
export const WORKSPACES: string[];
/** Compiles every workspace whose dist is older than what its build reads (see buildWorkspaces.js); returns those. */
export function buildWorkspaces(): string[];
