// Shared helpers for the simulator tests.
import { request as httpRequest } from "node:http";

export function decodeJwt(token) {
  const [header, payload, signature] = token.split(".");
  const decode = (part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  return { header: decode(header), payload: decode(payload), signature };
}

export function postRepair(baseUrl, body, { headers = {}, signal } = {}) {
  return fetch(`${baseUrl}/api/meld/repair`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal,
  });
}

// A GET whose path is sent exactly as written: fetch would normalise "..".
export function rawGet(baseUrl, path) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: "GET" }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end();
  });
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

// The shape of every Meld error body (reference §1.4).
export function assertMeldError(assert, body, code) {
  assert.equal(body.code, code);
  assert.equal(typeof body.message, "string");
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0);
  assert.match(body.requestId, /^[0-9a-f]+$/);
  assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
}
