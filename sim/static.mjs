// Static files for the app origin: www/ at the root and the built package under /pkg/.
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { send, sendText, splitTarget } from "./http.mjs";

export const MIME_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".json": "application/json",
  ".map": "application/json",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm", // required by WebAssembly.instantiateStreaming
};

// The policy a strict host page would send: no inline code, the widget only
// in frames from its own origin, and network calls only to the app itself.
export function cspFor(widgetOrigin) {
  return `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src ${widgetOrigin}; style-src 'self'; connect-src 'self'`;
}

// Maps a raw URL path to a file under <root>/www or <root>/pkg, or null when the
// path tries to leave them: any "..", dot-file or backslash segment is refused.
export function resolveStaticPath(rawPath, root) {
  let path;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (!path.startsWith("/") || path.includes("\0")) return null;
  if (path.split(/[\\/]/).some((segment) => segment.startsWith("."))) return null;
  if (path.endsWith("/")) path += "index.html";
  const [base, relative] = path.startsWith("/pkg/")
    ? [join(root, "pkg"), path.slice("/pkg/".length)]
    : [join(root, "www"), path.slice(1)];
  const file = resolve(base, relative);
  return file.startsWith(base + sep) ? file : null;
}

export async function serveStatic(req, res, { root, widgetOrigin }) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return sendText(res, 405, "Method not allowed");
  }
  const { path, query } = splitTarget(req.url);
  const file = resolveStaticPath(path, root);
  if (!file || !(await isFile(file))) return sendText(res, 404, "Not found");

  const type = MIME_TYPES[extname(file)] ?? "application/octet-stream";
  const headers = { "Content-Type": type };
  if (type.startsWith("text/html") && query.get("csp") === "strict") {
    headers["Content-Security-Policy"] = cspFor(widgetOrigin);
  }
  send(res, 200, await readFile(file), headers);
}

async function isFile(file) {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
