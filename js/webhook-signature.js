// Meld's webhook signature (reference §14.5): the `meld-signature` header is
// base64url(HMAC-SHA256(secret, `${timestamp}.${url}.${body}`)), with padding, where the
// timestamp is the `meld-signature-timestamp` header, the URL the one the event was sent to and
// the body the raw bytes received. Plain JS on WebCrypto (browsers, Node ≥ 20): no crypto code
// in the wasm.
import { MeldRepairError } from "./errors.js";

const encoder = new TextEncoder();

/** A signed event older (or newer) than this is a replay unless the caller says otherwise. */
const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Resolves true when `signature` is Meld's for this request. The signature may come with or
 * without its `=` padding (the padding carries no bits). Rejects with `INVALID_OPTIONS` when an
 * argument is missing or of the wrong type. A timestamp further than `toleranceSeconds`
 * (default 300) from `now` (ISO-8601, as Meld sends it, or Unix seconds), or unreadable,
 * resolves false; `toleranceSeconds: Infinity` opts out and lets the signature alone count.
 */
export async function verifyWebhookSignature(options) {
  const { secret, signature, timestamp, url, body, toleranceSeconds, now } = readOptions(options);
  if (toleranceSeconds !== Infinity && !fresh(timestamp, toleranceSeconds, now)) return false;
  const { subtle } = globalThis.crypto;
  const key = await subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const prefix = encoder.encode(`${timestamp}.${url}.`);
  const bytes = typeof body === "string" ? encoder.encode(body) : ArrayBuffer.isView(body) ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(body);
  const signed = new Uint8Array(prefix.length + bytes.length);
  signed.set(prefix);
  signed.set(bytes, prefix.length);
  const expected = base64url(new Uint8Array(await subtle.sign("HMAC", key, signed)));
  const given = signature.trim();
  return equal(given.endsWith("=") ? expected : expected.replace(/=+$/, ""), given);
}

function readOptions(options) {
  if (typeof options !== "object" || options === null) invalid("verifyWebhookSignature takes { secret, signature, timestamp, url, body }");
  const { secret, signature, timestamp, url, body, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now } = options;
  if (typeof secret !== "string" || secret === "") invalid("secret must be the webhook profile's secret, a non-empty string");
  for (const [name, value, what] of [
    ["signature", signature, "the meld-signature header"],
    ["timestamp", timestamp, "the meld-signature-timestamp header"],
    ["url", url, "the URL Meld posted to"],
  ]) {
    if (typeof value !== "string") invalid(`${name} must be a string, ${what}; got ${value === null ? "null" : typeof value}`);
  }
  if (typeof body !== "string" && !ArrayBuffer.isView(body) && !(body instanceof ArrayBuffer)) {
    invalid("body must be the raw request body: a string, a Uint8Array (Buffer) or an ArrayBuffer, not parsed JSON");
  }
  if (!(typeof toleranceSeconds === "number" && toleranceSeconds >= 0)) {
    invalid("toleranceSeconds must be a number of seconds of at least 0, or Infinity to accept any timestamp");
  }
  const at = now === undefined ? Date.now() : now instanceof Date ? now.getTime() : now;
  if (typeof at !== "number" || !Number.isFinite(at)) invalid("now must be a Date or milliseconds since 1970");
  return { secret, signature, timestamp, url, body, toleranceSeconds, now: at };
}

function invalid(message) {
  throw new MeldRepairError("INVALID_OPTIONS", message);
}

// ISO-8601 with a zone, as Meld documents; whole Unix seconds, as one third party describes it.
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

function fresh(timestamp, toleranceSeconds, now) {
  const text = timestamp.trim();
  const iso = ISO.exec(text);
  // Date.parse reads only milliseconds everywhere; Meld sends microseconds.
  const at = iso ? Date.parse(`${iso[1]}.${(iso[2] ?? "").padEnd(3, "0").slice(0, 3)}${iso[3]}`) : /^\d{1,12}$/.test(text) ? Number(text) * 1000 : NaN;
  return Number.isFinite(at) && Math.abs(now - at) <= toleranceSeconds * 1000;
}

/** With its padding, as Meld sends it. */
function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

// Every character is compared, whatever differs first, so the time taken does not tell how
// much of a forged signature was right. The length is public (always 44, or 43 unpadded).
function equal(expected, given) {
  if (expected.length !== given.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  return difference === 0;
}
