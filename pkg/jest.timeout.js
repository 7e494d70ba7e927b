// Per-project test timeout: `testTimeout` in a project's config is ignored when jest runs through the root config's
// `projects` (it is a global option), so each project names its timeout in `globals.testTimeoutMs` and this setup
// file applies it. Generous on purpose: tests wait for states, never for times, and a busy 2-core machine (CI
// beside other jobs) makes a 2 s render take 10.
jest.setTimeout(globalThis.testTimeoutMs ?? 60_000);
