/** Compiles every workspace whose dist is older than what its build reads (see buildWorkspaces.js). */
export function buildWorkspaces(): void;
