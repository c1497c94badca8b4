// Builds the npm package into pkg/, top to bottom:
//   cargo (release, cdylib only) → wasm-bindgen (--target web) → wasm-opt -Oz → JS entries → sizes.
// Usage: node scripts/build.mjs
import { execFileSync } from "node:child_process";
import { copyFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { payloadSizes, snippetFiles } from "./sizes.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "pkg");
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: "inherit" });

// 1. Rust → wasm. The shipped module is built as cdylib alone: the rlib crate type kept in
//    Cargo.toml for native tests would make it about 30% bigger.
run("cargo", ["rustc", "--release", "--lib", "--crate-type", "cdylib", "--target", "wasm32-unknown-unknown"]);
const wasm = join(root, "target/wasm32-unknown-unknown/release/meld_repair.wasm");

// 2. JS glue. The web target loads in browsers and bundlers and, given the bytes, in Node;
//    one glue file serves both entries. Types are our own (js/index.d.ts).
rmSync(pkg, { recursive: true, force: true });
run("wasm-bindgen", [wasm, "--target", "web", "--out-dir", join(pkg, "wasm"), "--no-typescript"]);

// 3. Shrink. binaryen from npm: Debian's wasm-opt is too old for modules from current rustc.
const bindgenWasm = join(pkg, "wasm/meld_repair_bg.wasm");
run(join(root, "node_modules/.bin/wasm-opt"), [
  bindgenWasm, "-o", bindgenWasm, "-Oz", "--converge",
  "--strip-debug", "--strip-producers",
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
]);

// 4. The entries: browser (self-initialising), Node (synchronous), the shared API, types.
const entries = ["index.js", "node.js", "api.js", "repair-flow.js", "widget.js", "webhook-signature.js", "index.d.ts", "element.js", "element.d.ts"];
for (const file of entries) {
  copyFileSync(join(root, "js", file), join(pkg, file));
}
// wasm-bindgen copies js/errors.js into a hashed snippets folder and the wasm creates its
// errors from that copy; re-export the very same module so `instanceof MeldRepairError` holds.
const snippets = join(pkg, "wasm/snippets");
const errorsModule = readdirSync(snippets).map((dir) => join(snippets, dir, "js/errors.js"))[0];
writeFileSync(join(pkg, "errors.js"), `export * from "./${relative(pkg, errorsModule)}";\n`);

// 5. Minify every shipped JS file in place (ESM kept, no bundling, names kept for stack
//    traces and `constructor.name`), with a source map carrying the readable source.
const shipped = [...entries.filter((file) => file.endsWith(".js")), "errors.js", "wasm/meld_repair.js"].map((file) => join(pkg, file));
run(join(root, "node_modules/.bin/esbuild"), [
  ...shipped, ...snippetFiles(snippets),
  "--minify", "--keep-names", "--format=esm", "--sourcemap", "--sources-content=true",
  "--allow-overwrite", `--outdir=${pkg}`, `--outbase=${pkg}`, "--log-level=warning",
]);

// 6. What a page downloads.
for (const entry of payloadSizes(pkg)) {
  console.log(`${entry.name.padEnd(12)} ${String(entry.raw).padStart(7)} B raw  ${String(entry.gzip).padStart(6)} B gzip  ${String(entry.brotli).padStart(6)} B brotli`);
}
