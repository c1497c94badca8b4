// The widget's pure helpers, run in Node. The pages themselves import the same module.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  PROVIDER_EVENT,
  SAMPLE_ACCOUNTS,
  connectCompleteMetadata,
  decodeConnectToken,
  hostWindow,
  meldEvent,
} from "../../sim/widget/meld-events.js";
import { repairResponse } from "../../sim/meld.mjs";

const connection = {
  id: "conn_x",
  institutionId: "ZJK6BFqUMUhpfKSGF6CrKL",
  institutionName: "Crédit Ünion <b>",
  customerId: "c",
  products: ["BALANCES"],
};
const tokenFor = (options) =>
  repairResponse(connection, { widgetOrigin: "http://localhost:1", ttlSeconds: 60, metadataFormat: "object", ...options })
    .connectToken;

describe("meldEvent", () => {
  test("object format puts metadata on the event", () => {
    assert.deepEqual(meldEvent("init"), { domain: "meld-connect", eventName: "init" });
    assert.deepEqual(meldEvent("connect_complete", connectCompleteMetadata("inst", "First Platypus Bank")), {
      domain: "meld-connect",
      eventName: "connect_complete",
      institutionId: "inst",
      institutionName: "First Platypus Bank",
      accountCount: 2,
      accounts: [
        { name: "Checking", type: "DEPOSITORY", mask: "1234" },
        { name: "Savings", type: "DEPOSITORY", mask: "9876" },
      ],
    });
  });

  test("query format sends a form-encoded metadata string without accounts", () => {
    const event = meldEvent("connect_complete", connectCompleteMetadata("inst", "First Platypus Bank"), "query");
    assert.deepEqual(Object.keys(event), ["domain", "eventName", "metadata"]);
    assert.equal(event.metadata, "institutionId=inst&institutionName=First+Platypus+Bank&accountCount=2");
    assert.deepEqual(Object.fromEntries(new URLSearchParams(event.metadata)), {
      institutionId: "inst",
      institutionName: "First Platypus Bank",
      accountCount: "2",
    });
    assert.deepEqual(meldEvent("init", {}, "query"), { domain: "meld-connect", eventName: "init" });
    assert.deepEqual(meldEvent("error", { details: "x y", reason: "SERVICE_PROVIDER_FAILURE" }, "query"), {
      domain: "meld-connect",
      eventName: "error",
      metadata: "details=x+y&reason=SERVICE_PROVIDER_FAILURE",
    });
  });

  test("the provider event is not a Meld event", () => {
    assert.deepEqual(PROVIDER_EVENT, { source: "plaid", event: "OPEN" });
    assert.ok(!("domain" in PROVIDER_EVENT));
    assert.equal(SAMPLE_ACCOUNTS.length, 2);
  });
});

describe("decodeConnectToken", () => {
  test("reads the claims of a simulator token, including non-ASCII names", () => {
    const result = decodeConnectToken(tokenFor(), Date.now());
    assert.equal(result.ok, true);
    assert.equal(result.claims.connection, "conn_x");
    assert.equal(result.claims.institutionName, "Crédit Ünion <b>");
  });

  test("refuses missing, malformed and expired tokens", () => {
    const now = Date.now();
    const expired = tokenFor({ iat: Math.floor(now / 1000) - 120 });
    const jwtWith = (json) => `x.${Buffer.from(json).toString("base64url")}.y`;
    for (const [token, details] of [
      [null, "Missing connect token"],
      ["", "Missing connect token"],
      ["abc", "Malformed connect token"],
      ["a.b.c", "Malformed connect token"],
      [jwtWith("[1]"), "Malformed connect token"],
      [jwtWith('{"exp":"soon"}'), "Malformed connect token"],
      [expired, "Connect token expired"],
    ]) {
      assert.deepEqual(decodeConnectToken(token, now), { ok: false, details }, String(token));
    }
  });
});

describe("hostWindow", () => {
  test("prefers the opener, then a parent that is not itself, else null", () => {
    const opener = {};
    const parent = {};
    const popup = { opener, parent: null };
    popup.parent = popup;
    assert.equal(hostWindow(popup), opener);
    const framed = { opener: null, parent };
    assert.equal(hostWindow(framed), parent);
    const alone = { opener: null };
    alone.parent = alone;
    assert.equal(hostWindow(alone), null);
  });
});
