// End-to-end tests spawn the CLI. (`testTimeout` in a project's config is ignored when jest runs through the root
// config's `projects`, so it is set here.)
jest.setTimeout(60_000);
