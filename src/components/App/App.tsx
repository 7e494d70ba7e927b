import React from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
const Overview = React.lazy(() => import('../../pages/Overview'));

/** The app has one page: what the plugin does, how to add the panel, how alerting via the proxy works. */
function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path="*" element={<Overview />} />
    </Routes>
  );
}

export default App;
