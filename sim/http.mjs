// Small response and request helpers shared by both simulated origins.

// Every answer from the simulator is uncacheable so a test never sees a stale file.
const BASE_HEADERS = { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };

export function send(res, status, body, headers = {}) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, { ...BASE_HEADERS, "Content-Length": bytes.length, ...headers });
  res.end(res.req.method === "HEAD" ? undefined : bytes);
}

export function sendJson(res, status, value, headers = {}) {
  send(res, status, JSON.stringify(value), { "Content-Type": "application/json", ...headers });
}

export function sendText(res, status, text) {
  send(res, status, text, { "Content-Type": "text/plain; charset=utf-8" });
}

export class BodyTooLargeError extends Error {}

// Reads a request body as UTF-8 text, refusing more than `limit` bytes.
export async function readBody(req, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(`body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

// Splits a raw request target without URL normalisation, which would silently
// resolve "..", "%2e%2e" and "//host" before the path could be checked.
export function splitTarget(rawUrl) {
  const mark = rawUrl.indexOf("?");
  if (mark === -1) return { path: rawUrl, query: new URLSearchParams() };
  return { path: rawUrl.slice(0, mark), query: new URLSearchParams(rawUrl.slice(mark + 1)) };
}
