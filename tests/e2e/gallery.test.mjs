// The status gallery (www/) in headless Chromium, served by the simulator, with and without
// the strict CSP. What the page shows must be exactly what the package decides in Node.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { decide, explain, explainCopy, knownSituations } from "meld-repair";
import { launchBrowser, openPage, startSim } from "./harness.mjs";

const LEGACY = ["RECONNECT_AVAILABLE", "CUSTOMER_ACTION_REQUIRED"];
const KNOWN_STATUSES = new Set([...knownSituations().map((s) => s.status), ...LEGACY]);

// Rows checked by name, on top of the check of every row against decide/explain.
const SPOT_CHECKS = [
  ["RECONNECT_REQUIRED", "LOGIN_REQUIRED"],
  ["ACTIVE", null],
  ["ACTIVE", "NEW_ACCOUNTS_AVAILABLE"],
  ["DEGRADED", "INSTITUTION_CURRENTLY_UNAVAILABLE"],
  ["PARTIALLY_ACTIVE", "INACTIVE_DUPLICATE"],
  ["IN_PROGRESS", null],
  ["RECONNECT_AVAILABLE", null],
  ["CUSTOMER_ACTION_REQUIRED", null],
];

const browser = await launchBrowser();
const sim = await startSim();

// Everything the tests look at, read from the DOM in one go.
async function readGallery(page) {
  await page.waitForSelector('#gallery:is([data-state="ready"], [data-state="error"])');
  await page.waitForSelector('#repair-demo:is([data-state="ready"], [data-state="error"])');
  return page.evaluate(() => {
    const field = (root, name) => root?.querySelector(`[data-field="${name}"]`) ?? null;
    const text = (node) => (node ? node.textContent : null);
    const explanation = (card, locale) => {
      const block = card.querySelector(`[data-locale="${locale}"]`);
      if (!block) return null;
      return {
        heading: text(block.querySelector("h5")),
        title: text(field(block, "title")),
        message: text(field(block, "message")),
        actionLabel: text(field(block, "actionLabel")),
        severity: field(block, "severity")?.dataset.value ?? null,
        severityText: field(block, "severity")?.textContent.trim() ?? null,
        titleLang: field(block, "title")?.lang ?? null,
      };
    };
    const demo = document.getElementById("repair-demo");
    const demoTitle = demo && document.getElementById(demo.getAttribute("aria-labelledby"));
    const groups = document.getElementById("gallery-groups");
    return {
      state: document.getElementById("gallery").dataset.state,
      busy: document.getElementById("gallery").getAttribute("aria-busy"),
      h1: text(document.querySelector("h1")),
      repairDemo: demo && {
        tag: demo.tagName,
        hidden: demo.hidden,
        state: demo.dataset.state,
        labelledBy: demo.getAttribute("aria-labelledby"),
        title: text(demoTitle),
        beforeGallery: Boolean(demo.compareDocumentPosition(document.getElementById("gallery")) & Node.DOCUMENT_POSITION_FOLLOWING),
      },
      markupElements: groups.querySelectorAll("b, img, script, iframe").length,
      inlineStyles: document.querySelectorAll("[style]").length,
      cards: [...document.querySelectorAll("#gallery article.card")].map((card) => ({
        status: card.dataset.status,
        statusReason: card.dataset.reason || null,
        kind: card.dataset.kind,
        inListItem: card.parentElement?.tagName === "LI" && card.parentElement.parentElement?.tagName === "UL",
        heading: text(card.querySelector("h4")),
        labelledBy: text(document.getElementById(card.getAttribute("aria-labelledby"))),
        institution: text(field(card, "institution")),
        decision: Object.fromEntries(
          [...card.querySelectorAll("dd[data-field]")].map((dd) => [
            dd.dataset.field,
            { value: dd.dataset.value, text: dd.textContent, term: dd.previousElementSibling?.textContent },
          ]),
        ),
        en: explanation(card, "en"),
        es: explanation(card, "es"),
      })),
    };
  });
}

function expectedDecision(card) {
  const connection = { status: card.status, statusReason: card.statusReason, institutionName: card.institution };
  return {
    decision: decide(connection),
    en: explain(connection, { locale: "en" }),
    es: explain(connection, { locale: "es" }),
  };
}

const findCard = (cards, status, statusReason) =>
  cards.find((c) => c.status === status && c.statusReason === statusReason);

for (const path of ["/", "/?csp=strict"]) {
  describe(`status gallery at ${path}`, () => {
    let session;
    let gallery;

    before(async () => {
      session = await openPage(browser, `${sim.appUrl}${path}`);
      gallery = await readGallery(session.page);
    });

    test("renders, with the repair demo (tests/e2e/repair.test.mjs) near the top", () => {
      assert.equal(gallery.state, "ready");
      assert.equal(gallery.busy, "false");
      assert.match(gallery.h1, /status gallery/);
      assert.ok(gallery.repairDemo, "#repair-demo exists");
      assert.equal(gallery.repairDemo.tag, "SECTION");
      assert.equal(gallery.repairDemo.hidden, false);
      assert.equal(gallery.repairDemo.state, "ready");
      assert.equal(gallery.repairDemo.labelledBy, "repair-demo-title");
      assert.equal(gallery.repairDemo.title, "Repair demo");
      assert.ok(gallery.repairDemo.beforeGallery, "#repair-demo comes before the gallery");
    });

    test("one card per situation: every status × reason, the two legacy statuses and one unknown", () => {
      const known = knownSituations();
      assert.equal(gallery.cards.length, known.length + 3);
      const shown = gallery.cards.map((c) => [c.status, c.statusReason]);
      assert.deepEqual(shown.slice(0, known.length), known.map((s) => [s.status, s.statusReason]));
      assert.deepEqual(shown.slice(known.length, known.length + 2), LEGACY.map((s) => [s, null]));
      const unknown = gallery.cards.at(-1);
      assert.equal(unknown.kind, "unknown");
      assert.ok(!KNOWN_STATUSES.has(unknown.status), `${unknown.status} must be unknown to the rules`);
      for (const card of gallery.cards) {
        assert.ok(card.inListItem, `${card.status} card sits in a list item`);
        assert.equal(card.labelledBy, card.heading, "each card is labelled by its heading");
        assert.ok(card.heading.includes(card.status), card.heading);
        if (card.statusReason) assert.ok(card.heading.includes(card.statusReason), card.heading);
      }
    });

    test("every card shows exactly what decide and explain return in Node", () => {
      for (const card of gallery.cards) {
        const label = `${card.status} · ${card.statusReason}`;
        const { decision, en, es } = expectedDecision(card);
        const shown = card.decision;
        assert.equal(shown.action?.text, decision.action, label);
        assert.equal(shown.urgency?.text, decision.urgency, label);
        assert.equal(shown.code?.text, decision.code, label);
        assert.equal(shown.openWidget?.value, String(decision.openWidget), label);
        assert.equal(shown.openWidget?.text, decision.openWidget ? "Yes" : "No", label);
        if (decision.retryAfterSeconds === null) {
          assert.equal(shown.retryAfterSeconds, undefined, `${label}: no retry row`);
        } else {
          assert.equal(shown.retryAfterSeconds?.value, String(decision.retryAfterSeconds), label);
          assert.ok(shown.retryAfterSeconds.text.startsWith(`${decision.retryAfterSeconds} s`), label);
        }
        for (const [locale, expected] of [
          ["en", en],
          ["es", es],
        ]) {
          const block = card[locale];
          assert.ok(block, `${label}: ${locale} explanation`);
          assert.equal(block.title, expected.title, `${label} (${locale})`);
          assert.equal(block.message, expected.message, `${label} (${locale})`);
          assert.equal(block.actionLabel, expected.actionLabel, `${label} (${locale})`);
          assert.equal(block.severity, expected.severity, `${label} (${locale})`);
          // Written out in the card's language, in customer words.
          assert.ok(block.severityText.endsWith(explainCopy(`severity_${expected.severity}`, { locale }).title), block.severityText);
          assert.equal(block.titleLang, locale);
        }
      }
    });

    test("specific rows", () => {
      for (const [status, statusReason] of SPOT_CHECKS) {
        const card = findCard(gallery.cards, status, statusReason);
        assert.ok(card, `card for ${status} · ${statusReason}`);
        assert.equal(card.institution, "First Platypus Bank");
        const { decision, en, es } = expectedDecision(card);
        assert.deepEqual(
          {
            action: card.decision.action.text,
            urgency: card.decision.urgency.text,
            openWidget: card.decision.openWidget.value === "true",
            code: card.decision.code.text,
            retryAfterSeconds: card.decision.retryAfterSeconds ? Number(card.decision.retryAfterSeconds.value) : null,
          },
          {
            action: decision.action,
            urgency: decision.urgency,
            openWidget: decision.openWidget,
            code: decision.code,
            retryAfterSeconds: decision.retryAfterSeconds,
          },
        );
        assert.deepEqual([card.en.title, card.es.title], [en.title, es.title]);
      }
      // Legacy statuses are decided as the statuses they map to.
      const legacy = findCard(gallery.cards, "RECONNECT_AVAILABLE", null);
      const mapped = findCard(gallery.cards, "ACTIVE", "ACCESS_EXPIRING_SOON");
      assert.deepEqual(legacy.decision, mapped.decision);
      assert.equal(legacy.en.title, mapped.en.title);
    });

    test("institution names are text, never markup", () => {
      const unknown = gallery.cards.at(-1);
      assert.match(unknown.institution, /<b>/);
      assert.ok(unknown.en.title.includes(unknown.institution), unknown.en.title);
      assert.ok(unknown.es.title.includes(unknown.institution), unknown.es.title);
      assert.equal(gallery.markupElements, 0);
      assert.equal(gallery.inlineStyles, 0);
    });

    test("no console errors, page errors or CSP violations", async () => {
      assert.deepEqual(await session.problems(), []);
      assert.deepEqual(session.pageErrors, []);
      assert.deepEqual(session.cspViolations, []);
    });
  });
}

test("?csp=strict really sends the strict policy", async () => {
  const response = await fetch(`${sim.appUrl}/?csp=strict`);
  await response.arrayBuffer();
  const csp = response.headers.get("content-security-policy");
  assert.ok(csp, "Content-Security-Policy header");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /style-src 'self'/);
});
