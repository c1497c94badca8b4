// The second origin: a stand-in for Meld's connect widget host. It serves a fixed
// list of files and nothing else, so nothing on it can be reached by path tricks.
import { readFile } from "node:fs/promises";
import { readBody, send, sendText, splitTarget } from "./http.mjs";
import { MIME_TYPES } from "./static.mjs";

const WIDGET_DIR = new URL("./widget/", import.meta.url);
const FILES = {
  "/": "index.html",
  "/widget.js": "widget.js",
  "/widget.css": "widget.css",
  "/meld-events.js": "meld-events.js",
  "/spoof.html": "spoof.html",
  "/spoof.js": "spoof.js",
  "/bank.html": "bank.html",
};

/** Extra headers per file: the bank page cuts its opener link, as bank login pages often do. */
const HEADERS = { "/bank.html": { "Cross-Origin-Opener-Policy": "same-origin" } };

// The widget pages enforce their own no-inline rule, so a slip shows up in the
// browser console instead of only under a strict host.
const WIDGET_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; base-uri 'none'; form-action 'none'";

/** `onCompleted(connectToken)`: the widget finished a repair (POST /completed), for the Meld API simulator. */
export async function handleWidget(req, res, onCompleted = () => false) {
  if (splitTarget(req.url).path === "/completed" && req.method === "POST") {
    // 204 either way: tokens from the fault-injecting /api/meld/repair route are not the API's,
    // and the widget must not log an error for them.
    onCompleted(await readBody(req, 8 * 1024));
    return sendText(res, 204, "");
  }
  const name = FILES[splitTarget(req.url).path];
  if (!name) return sendText(res, 404, "Not found");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return sendText(res, 405, "Method not allowed");
  }
  const type = MIME_TYPES[name.slice(name.lastIndexOf("."))];
  const headers = { "Content-Type": type };
  if (name.endsWith(".html")) headers["Content-Security-Policy"] = WIDGET_CSP;
  Object.assign(headers, HEADERS[splitTarget(req.url).path]);
  send(res, 200, await readFile(new URL(name, WIDGET_DIR)), headers);
}
