// Status gallery: every situation the rules know (plus the two legacy statuses and one
// unknown status), each decided and explained in English and Spanish by meld-repair.
//
// All text goes into the page through textContent / createElement, never innerHTML:
// institution names come from banks and may contain markup.
//
// DOM contract used by tests/e2e/gallery.test.mjs:
//   #gallery[data-state]            "loading" → "ready" | "error"
//   article.card[data-status][data-reason][data-kind]   one per situation
//   [data-field] inside a card      institution, action, urgency, openWidget, code,
//                                   retryAfterSeconds (data-value holds the raw value)
//   [data-locale="en"|"es"] [data-field]   title, message, actionLabel, severity

import { el, hidden, severityBadge } from "/dom.js";

/** Shown on every card; the unknown-status card uses a name full of markup on purpose. */
const INSTITUTION = "First Platypus Bank";
const MARKUP_INSTITUTION = 'Banco <b>Ñandú</b> & "Hijos" <img src=x>';

const LEGACY_STATUSES = ["RECONNECT_AVAILABLE", "CUSTOMER_ACTION_REQUIRED"];
const UNKNOWN_STATUS = "SOME_FUTURE_STATUS";

const LOCALES = [
  { locale: "en", label: "English" },
  { locale: "es", label: "Spanish (Español)" },
];


const gallery = document.getElementById("gallery");
const groupsRoot = document.getElementById("gallery-groups");
const summary = document.getElementById("gallery-summary");

/** Every situation shown, grouped: today's statuses, then legacy, then unknown. */
function gallerySituations(knownSituations) {
  const current = knownSituations().map(({ status, statusReason }) => ({
    status,
    statusReason,
    kind: "current",
    institutionName: INSTITUTION,
  }));
  const legacy = LEGACY_STATUSES.map((status) => ({
    status,
    statusReason: null,
    kind: "legacy",
    institutionName: INSTITUTION,
  }));
  const unknown = [{ status: UNKNOWN_STATUS, statusReason: null, kind: "unknown", institutionName: MARKUP_INSTITUTION }];
  return [...current, ...legacy, ...unknown];
}


const code = (text) => el("code", {}, text);

let idCounter = 0;
const nextId = (prefix) => `${prefix}-${++idCounter}`;

function formatSeconds(seconds) {
  if (seconds < 60) return `${seconds} s`;
  const units = [
    [86400, "d"],
    [3600, "h"],
    [60, "min"],
  ];
  for (const [size, unit] of units) {
    if (seconds % size === 0) return `${seconds} s (${seconds / size} ${unit})`;
  }
  return `${seconds} s (about ${Math.round(seconds / 60)} min)`;
}


function decisionList(decision) {
  const rows = [
    ["Action", "action", decision.action, code(decision.action)],
    ["Urgency", "urgency", decision.urgency, el("span", { class: `urgency urgency-${decision.urgency}` }, decision.urgency)],
    ["Opens widget", "openWidget", String(decision.openWidget), decision.openWidget ? "Yes" : "No"],
    ["Code", "code", decision.code, code(decision.code)],
  ];
  if (decision.retryAfterSeconds !== null && decision.retryAfterSeconds !== undefined) {
    const seconds = decision.retryAfterSeconds;
    rows.push(["Retry after", "retryAfterSeconds", String(seconds), formatSeconds(seconds)]);
  }
  return el(
    "dl",
    { class: "decision" },
    rows.map(([term, field, value, shown]) => [
      el("dt", {}, term),
      el("dd", { "data-field": field, "data-value": value }, shown),
    ]),
  );
}

function explanationBlock(explanation, { locale, label }, api) {
  const headingId = nextId("explanation");
  const action =
    explanation.actionLabel === null
      ? el("p", { class: "expl-action muted" }, "No button")
      : el(
          "p",
          { class: "expl-action" },
          hidden("Button label: "),
          el("span", { class: "faux-button", lang: locale, "data-field": "actionLabel" }, explanation.actionLabel),
        );
  return el(
    "section",
    {
      class: `explanation explanation-${explanation.severity}`,
      "data-locale": locale,
      "aria-labelledby": headingId,
    },
    el("div", { class: "expl-head" }, el("h5", { id: headingId }, label), severityBadge(explanation.severity, api, locale)),
    el("p", { class: "expl-title", lang: locale, "data-field": "title" }, explanation.title),
    el("p", { class: "expl-message", lang: locale, "data-field": "message" }, explanation.message),
    action,
  );
}

function card(situation, api) {
  const connection = {
    id: `gallery_${situation.status}_${situation.statusReason ?? "none"}`.toLowerCase(),
    status: situation.status,
    statusReason: situation.statusReason,
    institutionName: situation.institutionName,
  };
  const decision = api.decide(connection);
  const explanations = LOCALES.map((l) => [api.explain(connection, { locale: l.locale }), l]);
  const headingId = nextId("card");

  const notes = [];
  if (decision.legacyStatus) {
    notes.push(
      el(
        "p",
        { class: "note" },
        "Legacy status, read as ",
        code(decision.status),
        decision.statusReason ? [" · ", code(decision.statusReason)] : [],
        ".",
      ),
    );
  }
  if (!decision.recognized) {
    notes.push(el("p", { class: "note" }, "Not a status this version knows: it waits and looks again."));
  }

  return el(
    "li",
    {},
    el(
      "article",
      {
        class: `card card-${explanations[0][0].severity}`,
        "aria-labelledby": headingId,
        "data-status": situation.status,
        "data-reason": situation.statusReason ?? "",
        "data-kind": situation.kind,
      },
      el(
        "h4",
        { id: headingId, class: "card-title" },
        el("span", { class: "card-status", "data-field": "status" }, situation.status),
        hidden(", reason: "),
        situation.statusReason
          ? el("span", { class: "card-reason", "data-field": "reason" }, situation.statusReason)
          : el("span", { class: "card-reason card-reason-none", "data-field": "reason" }, "no reason"),
      ),
      el(
        "p",
        { class: "institution" },
        hidden("Institution: "),
        el("span", { "data-field": "institution" }, situation.institutionName),
      ),
      notes,
      el("h5", { class: "visually-hidden" }, "Decision"),
      decisionList(decision),
      el("div", { class: "explanations" }, explanations.map(([explanation, l]) => explanationBlock(explanation, l, api))),
    ),
  );
}

const GROUP_TITLES = {
  legacy: ["Legacy statuses", "Sent by Meld-Version 2022-11-10; mapped to today's statuses before deciding."],
  unknown: ["Unknown status", "A status this version does not know, with an institution name full of markup."],
};

function groups(situations) {
  const result = new Map();
  for (const situation of situations) {
    const key = situation.kind === "current" ? situation.status : situation.kind;
    if (!result.has(key)) result.set(key, []);
    result.get(key).push(situation);
  }
  return result;
}

function render(api) {
  const situations = gallerySituations(api.knownSituations);
  const fragment = document.createDocumentFragment();
  let cards = 0;
  let openWidget = 0;
  for (const [key, members] of groups(situations)) {
    const headingId = nextId("group");
    const [title, description] = GROUP_TITLES[key] ?? [key, null];
    const items = members.map((situation) => card(situation, api));
    cards += items.length;
    openWidget += items.filter((item) => item.querySelector('[data-field="openWidget"]').dataset.value === "true").length;
    fragment.append(
      el(
        "section",
        { class: "group", "aria-labelledby": headingId, "data-group": key },
        el(
          "div",
          { class: "group-head" },
          el("h3", { id: headingId }, key === title ? code(title) : title),
          el("span", { class: "count" }, `${members.length} ${members.length === 1 ? "situation" : "situations"}`),
        ),
        description ? el("p", { class: "group-description muted" }, description) : null,
        el("ul", { class: "cards", "aria-labelledby": headingId }, items),
      ),
    );
  }
  groupsRoot.replaceChildren(fragment);
  summary.textContent = `${cards} situations, ${openWidget} of them answered by opening Meld's widget.`;
  gallery.dataset.state = "ready";
  gallery.setAttribute("aria-busy", "false");
}

function fail(error) {
  console.error("[gallery]", error);
  gallery.dataset.state = "error";
  gallery.setAttribute("aria-busy", "false");
  summary.textContent = "";
  groupsRoot.replaceChildren(
    el(
      "p",
      { class: "notice notice-error", role: "alert" },
      "The gallery could not load meld-repair: ",
      String(error?.message ?? error),
      ". Build the package (node scripts/build.mjs) and reload.",
    ),
  );
}

// A dynamic import, so a missing or broken package shows a message instead of a blank page.
try {
  render(await import("/pkg/index.js"));
} catch (error) {
  fail(error);
}
