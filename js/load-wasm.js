// Loads the wasm for a browser entry and, when that fails, throws a MeldRepairError
// (WASM_LOAD_FAILED) that says what to do, instead of wasm-bindgen's bare "failed to fetch Wasm".
// The usual cause is a bundler that did not copy the .wasm next to its output (esbuild, Rollup
// without a plugin, bun build, deno bundle), or a server answering a missing file with a page.
import { MeldRepairError } from "./errors.js";

const FIX =
  "Copy node_modules/meld-repair/pkg/*.wasm (core.wasm, flow.wasm) next to your bundle (esbuild, Rollup, bun build and " +
  'deno bundle do not), or import "meld-repair/inline", which carries it inside the JS: see ' +
  '"Bundlers that do not copy the wasm" in the README.';

const failure = (what, retryable, cause) =>
  new MeldRepairError("WASM_LOAD_FAILED", `meld-repair could not load its WebAssembly: ${what}`, retryable, cause === undefined ? undefined : { cause });

/** A Response of the wasm inlined as gzip then base64 (scripts/inline-wasm.mjs), for `loadWasm`. */
export function inlined(base64) {
  const gzip = Uint8Array.fromBase64?.(base64) ?? Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const stream = new Blob([gzip]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream, { headers: { "Content-Type": "application/wasm" } });
}

/**
 * Requests the wasm at `url` now, for `loadWasm` to await later: an entry calls it in its first
 * import, so the request leaves before the rest of the bundle has even run.
 */
export function requestWasm(url) {
  const response = fetch(url);
  response.catch(() => {}); // loadWasm reports the failure; until then it is not "unhandled"
  return { url, response };
}

/**
 * `init` is wasm-bindgen's; `source` a `requestWasm` (fetched, so a failed answer can be told
 * apart from a module that does not compile) or a Response holding the wasm.
 */
export async function loadWasm(init, source) {
  let response = source;
  if (!(source instanceof Response)) {
    try {
      response = await source.response;
    } catch (cause) {
      throw failure(`${source.url} could not be fetched (${cause?.message ?? cause})`, true, cause);
    }
    if (!response.ok) {
      const status = `${response.status} ${response.statusText}`.trim();
      throw failure(`${source.url} answered ${status}. ${FIX}`, response.status >= 500);
    }
  }
  const type = response.headers.get("Content-Type") ?? "no Content-Type";
  try {
    await init({ module_or_path: response });
  } catch (cause) {
    if (!(cause instanceof WebAssembly.CompileError)) throw cause;
    const where = response.url || "the inlined wasm";
    if (/unsafe-eval|wasm-eval/.test(cause.message)) {
      throw failure(`the page's Content-Security-Policy forbids it: add 'wasm-unsafe-eval' to script-src`, false, cause);
    }
    if (!type.startsWith("application/wasm")) {
      throw failure(`${where} is ${type}, not application/wasm (a page served for a missing file?). ${FIX}`, false, cause);
    }
    throw failure(`${where} does not compile (${cause.message})`, false, cause);
  }
}
