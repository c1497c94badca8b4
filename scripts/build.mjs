// Builds the npm package into pkg/, top to bottom:
//   cargo (release, cdylib only) → wasm-bindgen (--target web) → wasm-opt -Oz
//   → esbuild (the JS entries bundled with the glue, shared code split out, minified) → sizes.
// Usage: node scripts/build.mjs
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { payloadSizes } from "./sizes.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "pkg");
const glue = join(root, "target/bindgen");
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: "inherit" });

// 1. Rust → wasm. The shipped module is built as cdylib alone: the rlib crate type kept in
//    Cargo.toml for native tests would make it about 30% bigger.
run("cargo", ["rustc", "--release", "--lib", "--crate-type", "cdylib", "--target", "wasm32-unknown-unknown"]);

// 2. JS glue. The web target loads in browsers and bundlers and, given the bytes, in Node, so
//    one glue serves every entry. It goes to target/: esbuild bundles it in step 4.
rmSync(glue, { recursive: true, force: true });
run("wasm-bindgen", [
  join(root, "target/wasm32-unknown-unknown/release/meld_repair.wasm"),
  "--target", "web", "--out-dir", glue, "--no-typescript",
  "--experimental-reset-state-function", // js/wasm.js replaces a trapped instance
]);

// 3. Shrink. binaryen from npm: Debian's wasm-opt is too old for modules from current rustc.
rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg);
run(join(root, "node_modules/.bin/wasm-opt"), [
  join(glue, "meld_repair_bg.wasm"), "-o", join(pkg, "meld_repair_bg.wasm"), "-Oz", "--converge",
  "--strip-debug", "--strip-producers",
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
]);

// 4. The entries — browser (self-initialising), Node (synchronous), the web component — each
//    bundled with what it imports; the code they share (API, glue, flow) becomes one chunk, so
//    a page loads two JS files and the wasm instead of a waterfall of modules.
const snippets = join(glue, "snippets", readdirSync(join(glue, "snippets"))[0], "js");
await build({
  entryPoints: ["index.js", "node.js", "element.js", "server.js"].map((entry) => join(root, "js", entry)),
  outdir: pkg,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  external: ["node:*"],
  chunkNames: "shared-[hash]",
  minify: true,
  keepNames: true, // stack traces and `constructor.name` stay readable
  sourcemap: true,
  sourcesContent: true,
  logLevel: "warning",
  plugins: [wasmBindgenOutput()],
});

// The wasm's snippet copies of js/ files are the ones it calls into; every import of those
// files must reach the same copy (one MeldRepairError class, so `instanceof` holds).
function wasmBindgenOutput() {
  return {
    name: "wasm-bindgen-output",
    setup(esbuild) {
      esbuild.onResolve({ filter: /^\.\/wasm\/meld_repair\.js$/ }, () => ({ path: join(glue, "meld_repair.js") }));
      esbuild.onResolve({ filter: /^\.\/errors\.js$/ }, () => ({ path: join(snippets, "errors.js") }));
    },
  };
}

for (const types of ["index.d.ts", "element.d.ts", "server.d.ts"]) copyFileSync(join(root, "js", types), join(pkg, types));

// 5. What a page downloads.
for (const entry of payloadSizes(pkg)) {
  console.log(`${entry.name.padEnd(12)} ${String(entry.raw).padStart(7)} B raw  ${String(entry.gzip).padStart(6)} B gzip  ${String(entry.brotli).padStart(6)} B brotli`);
}
