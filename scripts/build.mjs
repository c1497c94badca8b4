// Builds the npm package into pkg/, top to bottom:
//   cargo (release, cdylib only, once per module) → wasm-bindgen (--target web) → wasm-opt -Oz
//   → the wasm inlined for the entries that carry it → esbuild (each entry bundled with its
//   glue, minified) → sizes.
// Three wasm modules from one crate, by cargo feature (Cargo.toml): what a status page loads
// (core), what the repair flow adds when the app reaches for it (flow), and Node's whole one.
// Usage: node scripts/build.mjs
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { inlineWasm } from "./inline-wasm.mjs";
import { MODULES, payloadSizes, report } from "./sizes.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = join(root, "pkg");
const generated = join(root, "js/generated"); // git-ignored; js/ imports the glue from here
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: "inherit" });
const step = (text) => console.log(`build: ${text}`);

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg);

for (const [name, features] of Object.entries(MODULES)) {
  // 1. Rust → wasm. cdylib alone: the rlib crate type kept in Cargo.toml for native tests
  //    would make the module about 30% bigger.
  step(`cargo: the ${name} module (features ${features})`);
  run("cargo", [
    "rustc", "--release", "--lib", "--crate-type", "cdylib", "--target", "wasm32-unknown-unknown",
    "--no-default-features", "--features", features,
  ]);

  // 2. JS glue, into js/generated/<name>/. The web target loads in browsers and bundlers and,
  //    given the bytes, in Node.
  step(`wasm-bindgen: js/generated/${name}/`);
  const glue = join(generated, name);
  rmSync(glue, { recursive: true, force: true });
  run("wasm-bindgen", [
    join(root, "target/wasm32-unknown-unknown/release/meld_repair.wasm"),
    "--target", "web", "--out-dir", glue, "--no-typescript",
    "--experimental-reset-state-function", // js/instance.js replaces a trapped instance
  ]);

  // The glue's fallback wasm URL is never used (every entry passes its module), but bundlers
  // would go looking for that file, which is not shipped.
  const gluePath = join(glue, "meld_repair.js");
  const fallback = "new URL('meld_repair_bg.wasm', import.meta.url)";
  const source = readFileSync(gluePath, "utf8");
  if (!source.includes(fallback)) throw new Error(`build: wasm-bindgen's glue changed: ${fallback} not found`);
  writeFileSync(gluePath, source.replace(fallback, "undefined"));

  // 3. Shrink. binaryen from npm: Debian's wasm-opt is too old for modules from current rustc.
  step(`wasm-opt: pkg/${name}.wasm`);
  run(join(root, "node_modules/.bin/wasm-opt"), [
    join(glue, "meld_repair_bg.wasm"), "-o", join(pkg, `${name}.wasm`), "-Oz", "--converge",
    "--strip-debug", "--strip-producers",
    "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
    "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
  ]);
}

// 4. Each wasm inside JS too (scripts/inline-wasm.mjs): Node's only so (no file read, for server
//    bundlers and Deno), the page's also for `meld-repair/inline`.
step("inline-wasm: js/generated/<module>.wasm.js");
for (const name of Object.keys(MODULES)) inlineWasm(root, pkg, name, { keep: name !== "node" });

// 5. The entries, each one file with what it imports, so a page makes no waterfall of module
//    requests. Where one entry uses another (the element the status page's decide, the status
//    page the flow on intent, the server module Node's), it imports the published file: one
//    wasm instance, one defineCopy catalog.
step("esbuild: the entries");
// wasm-bindgen copies the JS files the Rust side imports (js/errors.js, src/wasm/shapes.js) into
// each glue's snippets/; the entries bundle the originals instead, so a bundle that imports
// js/errors.js itself holds one copy of it, not two.
const snippetsAsOriginals = {
  name: "snippets-as-originals",
  setup: (esbuild) => esbuild.onResolve({ filter: /\/snippets\// }, ({ path, resolveDir }) => {
    const snippet = join(resolveDir, path).split(/\/snippets\/[^/]+\//)[1];
    return snippet === undefined ? undefined : { path: join(root, snippet) };
  }),
};
const common = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  external: ["node:*", "./index.js", "./node.js", "./flow.js", "./inline.js", "./inline-flow.js", "./element.js"],
  minify: true, // the source maps keep the names for stack traces
  sourcemap: true,
  sourcesContent: true,
  logLevel: "warning",
  outdir: pkg,
  plugins: [snippetsAsOriginals],
};
const entries = (names) => names.map((entry) => join(root, "js", entry));
await build({ ...common, entryPoints: entries(["index.js", "flow.js", "element.js", "connections-element.js", "server.js"]) });
// The entries that carry their wasm, without source maps: the maps would hold the base64 again,
// and the page entries' maps cover the same sources.
const carrying = { ...common, sourcemap: false };
await build({ ...carrying, entryPoints: entries(["node.js", "inline.js", "inline-flow.js"]) });
// The element again for `meld-repair/inline/element`, over the inline entry.
await build({
  ...carrying,
  entryPoints: { "inline-element": join(root, "js/element.js") },
  plugins: [snippetsAsOriginals, {
    name: "inline-entry",
    setup: (esbuild) => esbuild.onResolve({ filter: /^\.\/index\.js$/ }, () => ({ path: "./inline.js", external: true })),
  }],
});

// The React hook: react is the app's (a peer), and the package is imported by name so that a
// server bundle resolves the Node entry and a page the browser one.
await build({ ...common, entryPoints: entries(["react.js"]), external: ["react", "meld-repair"] });

for (const types of ["index.d.ts", "element.d.ts", "connections-element.d.ts", "server.d.ts", "react.d.ts"]) copyFileSync(join(root, "js", types), join(pkg, types));

// 6. What a page downloads: the status page, and what the repair flow adds on intent.
step("sizes (gzip -9, each file on its own as a server sends it)");
report(payloadSizes(pkg));
