// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

import { configure } from '@testing-library/react';

// findBy*/waitFor wait for a state, not for a time: on a busy 2-core machine a first render takes seconds, so they
// may wait (almost) as long as the test itself (pkg/jest.timeout.js), instead of Testing Library's 1 s default.
configure({ asyncUtilTimeout: 50_000 });
