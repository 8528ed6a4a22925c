import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `pnpm build` writes dist/, which server.mjs serves. For UI work with hot reload, run the demo
// server (`pnpm start`) and `pnpm dev` (Vite on :5173, proxying the API and WebSocket to :3003).
const target = process.env.DEMO_SERVER ?? 'http://localhost:3003';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/sessions': target,
      '/agent-profiles': target,
      '/demo': target,
      '/ws': { target: target.replace(/^http/, 'ws'), ws: true, rewrite: () => '/' },
    },
  },
});
