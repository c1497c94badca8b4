// Pure helpers shared by the simulated widget pages (and importable from Node tests).

export const MELD_DOMAIN = "meld-connect";

export const SAMPLE_ACCOUNTS = [
  { name: "Checking", type: "DEPOSITORY", mask: "1234" },
  { name: "Savings", type: "DEPOSITORY", mask: "9876" },
];

// The real widget also relays its provider's own events; hosts must ignore them.
export const PROVIDER_EVENT = { source: "plaid", event: "OPEN" };

// Builds a Meld widget event. With format "object" the metadata fields sit on the
// event itself; with "query" they travel as one form-encoded string in `metadata`
// (arrays such as `accounts` cannot be encoded that way and are left out).
export function meldEvent(eventName, metadata = {}, format = "object") {
  const event = { domain: MELD_DOMAIN, eventName };
  if (Object.keys(metadata).length === 0) return event;
  if (format !== "query") return { ...event, ...metadata };
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(metadata)) {
    if (value !== null && typeof value !== "object") query.set(key, String(value));
  }
  return { ...event, metadata: query.toString() };
}

export function connectCompleteMetadata(institutionId, institutionName) {
  return { institutionId, institutionName, accountCount: SAMPLE_ACCOUNTS.length, accounts: SAMPLE_ACCOUNTS };
}

// The window that launched the widget: the opener of a popup or tab, else the
// parent of an iframe, else null for a page opened on its own.
export function hostWindow(win) {
  if (win.opener) return win.opener;
  return win.parent && win.parent !== win ? win.parent : null;
}

// Reads a connect token's claims without verifying its signature (a browser
// cannot). Returns { ok: true, claims } or { ok: false, details }.
export function decodeConnectToken(token, nowMs) {
  if (!token) return { ok: false, details: "Missing connect token" };
  const parts = token.split(".");
  let claims;
  try {
    if (parts.length !== 3) throw new Error("not a JWT");
    claims = JSON.parse(base64UrlDecode(parts[1]));
  } catch {
    return { ok: false, details: "Malformed connect token" };
  }
  if (claims === null || typeof claims !== "object" || typeof claims.exp !== "number") {
    return { ok: false, details: "Malformed connect token" };
  }
  if (claims.exp * 1000 <= nowMs) return { ok: false, details: "Connect token expired" };
  return { ok: true, claims };
}

function base64UrlDecode(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}
