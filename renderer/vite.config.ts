// Builds the React UI into dist/renderer, which the HTTP server (browser mode) and the desktop shell load.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  // Relative asset URLs: the desktop shell loads index.html from a file, the server from /.
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
  },
});
