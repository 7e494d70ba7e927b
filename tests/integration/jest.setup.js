// Real servers start in seconds, alert paths take tens of them. (`testTimeout` in this project's config is ignored
// when jest runs through the root config's `projects`, so it is set here.)
jest.setTimeout(120_000);
