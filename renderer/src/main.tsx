// The shared sheet (variables, frame, tables) first: each view's own sheet, imported by its components, comes after it.
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiContext, createClient } from './api.js';
import { App } from './App.js';
import { connectionBridge } from './connection.js';
import { followShellIntents } from './desktop.js';
import { DesktopGate } from './views/connection/DesktopGate.js';
import { startTheme } from './theme.js';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

startTheme();
followShellIntents(window.repdesk);

createRoot(container).render(
  <StrictMode>
    <ApiContext.Provider value={createClient()}>
      <DesktopGate bridge={connectionBridge(window.repdesk)}>
        <App />
      </DesktopGate>
    </ApiContext.Provider>
  </StrictMode>,
);
