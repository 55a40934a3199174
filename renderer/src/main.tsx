import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiContext, createClient } from './api.js';
import { App } from './App.js';
import { followShellIntents } from './desktop.js';
import { startTheme } from './theme.js';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

startTheme();
followShellIntents(window.repdesk);

createRoot(container).render(
  <StrictMode>
    <ApiContext.Provider value={createClient()}>
      <App />
    </ApiContext.Provider>
  </StrictMode>,
);
