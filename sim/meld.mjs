// What Meld itself would answer to POST /bank-linking/connect/repair, plus the
// faults the simulator can inject in its place. See the Meld lifecycle reference,
// sections 1.4 (error format), 6.3 (token claims) and 8.1 (repair contract).
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

export const MELD_VERSION = "2023-12-19";
export const SIM_ACCOUNT_ID = "VnfjX5wJ7LudtU3UJbd4Dh";
export const FAULTS = ["html", "not_json", "wrong_id", "missing_token", "expired", "foreign_widget", "hang", "huge"];

// Nothing outside this process ever verifies the signature, so a fresh random
// secret per process keeps tokens realistic without any key to manage.
const SECRET = randomBytes(32);

export function loadConnections() {
  return JSON.parse(readFileSync(new URL("./connections.json", import.meta.url), "utf8"));
}

const base64url = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function signJwt(payload) {
  const unsigned = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url(payload)}`;
  return `${unsigned}.${createHmac("sha256", SECRET).update(unsigned).digest("base64url")}`;
}

// Claims in the order of Meld's sample repair token, plus the institution the
// simulated widget needs to draw its login screen.
export function repairClaims(connection, { iat, ttlSeconds }) {
  return {
    redirect: true,
    regions: ["US"],
    iss: "meld.io",
    connection: connection.id,
    exp: iat + ttlSeconds,
    iat,
    account: SIM_ACCOUNT_ID,
    customer: connection.customerId,
    products: connection.products,
    routingProfile: "DEFAULT",
    institution: connection.institutionId,
    institutionName: connection.institutionName,
  };
}

// Meld's error codes for bank linking are undocumented; these follow the HTTP
// status, with the documented catch-all UNKNOWN for server errors.
const ERROR_CODES = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  429: "TOO_MANY_REQUESTS",
};

export function meldError(status, message, errors = [message]) {
  return {
    code: ERROR_CODES[status] ?? "UNKNOWN",
    message,
    errors,
    requestId: randomBytes(12).toString("hex"),
    timestamp: new Date().toISOString(),
  };
}

// The 200 body of a successful repair call.
export function repairResponse(connection, { widgetOrigin, ttlSeconds, metadataFormat, iat = nowSeconds() }) {
  const connectToken = signJwt(repairClaims(connection, { iat, ttlSeconds }));
  const formatParam = metadataFormat === "query" ? "&metadataFormat=query" : "";
  return {
    connectToken,
    widgetUrl: `${widgetOrigin}/?connectToken=${connectToken}${formatParam}`,
    id: connection.id,
    institutionId: connection.institutionId,
  };
}

// Turns a fault name into the answer to send: { status, type, body } or
// { hang: true }. `options` are those of repairResponse; `other` is a different
// connection, used by "wrong_id".
export function faultAnswer(fault, connection, other, options) {
  const json = (body, status = 200) => ({ status, type: "application/json", body: JSON.stringify(body) });
  const ok = () => repairResponse(connection, options);
  switch (fault) {
    case "html":
      return { status: 502, type: "text/html; charset=utf-8", body: PROXY_ERROR_PAGE };
    case "not_json":
      return { status: 200, type: "text/plain; charset=utf-8", body: "OK" };
    case "wrong_id":
      return json({ ...ok(), id: other.id });
    case "missing_token": {
      const { connectToken, ...rest } = ok();
      return json(rest);
    }
    case "expired":
      return json(repairResponse(connection, { ...options, iat: nowSeconds() - options.ttlSeconds - 60 }));
    case "foreign_widget": {
      const answer = ok();
      return json({ ...answer, widgetUrl: answer.widgetUrl.replace(options.widgetOrigin, "https://evil.example") });
    }
    case "hang":
      return { hang: true };
    case "huge":
      return json({ ...ok(), padding: "x".repeat(5 * 1024 * 1024) });
    default:
      throw new Error(`unknown fault ${fault}`);
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const PROXY_ERROR_PAGE = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;
