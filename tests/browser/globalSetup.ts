/** Builds the host bundle once per run and checks that the plugin has been built (npm run build). */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { buildHostBundle, repositoryRoot } from './host/buildHost';

export default async function globalSetup(): Promise<void> {
  const appModule = path.join(repositoryRoot, 'dist', 'module.js');
  if (!existsSync(appModule)) {
    throw new Error(
      `${appModule} is missing: run "npm run build" before the browser tests (npm run test:browser does)`
    );
  }
  await buildHostBundle();
}
