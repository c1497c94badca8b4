// Builds the React example into www/react/dist/, which the simulator serves at /react/dist/:
//   node_modules/.bin/vite build --config www/react/vite.config.js
// `meld-repair` resolves to this repository's package through the exports map (a package may
// import itself by name), i.e. to the built pkg/: run `node scripts/build.mjs` first.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// React's development build, on purpose: Strict Mode runs effects twice only there, and the
// example (and its test) show that the hook holds up. An app builds for production as usual.
process.env.NODE_ENV = "development";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/react/dist/",
  logLevel: "warn",
  build: { outDir: "dist", emptyOutDir: true },
  // `vite --config www/react/vite.config.js` (dev server) sends /api/ to the simulator of
  // `npm start`: open http://localhost:5173/react/dist/?widgetOrigin=http://localhost:8081
  server: { proxy: { "/api": "http://localhost:8080" } },
});
