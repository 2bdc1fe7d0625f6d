/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The build goes to web/dist; `make web` copies it into internal/web/dist,
// which the Go binary embeds. In development, `npm run dev` proxies the API
// to a running `alexandria serve` on :8080.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    // pdf.js and epub.js are large but loaded only when a reader opens.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      "/v1": "http://localhost:8080",
      "/openapi.json": "http://localhost:8080",
      "/docs": "http://localhost:8080",
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
    // The machine running the tests is often shared and loaded: a screen
    // test that types into a few fields can take more than Vitest's 5 s.
    testTimeout: 20_000,
  },
});
