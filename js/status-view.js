// What <meld-connection-status> shows, as data, in one place for its two renderers: the element
// (js/element.js) builds TREE in its shadow root and applies statusView() to it; the server
// (js/render-status.js) writes the same TREE, CSS and view as a declarative shadow root. So the
// server's HTML is the element's own markup, and upgrading it changes nothing on screen.

export const ICONS = { error: "✕", warning: "!", info: "i", success: "✓", optional: "+", updating: "↻" };

// Tones per scheme, each ≥ 4.5:1 against its surface (tests/e2e/a11y.test.mjs measures them);
// the app's custom properties win over both.
const LIGHT = "--_surface:#fff;--_text:#101828;--_error:#b42318;--_warning:#93510a;--_info:#1d4ed8;--_success:#067647;--_accent:#1d4ed8;--_on-accent:#fff;";
const DARK = "--_surface:#161b26;--_text:#f5f7fa;--_error:#ff8e85;--_warning:#fdb022;--_info:#8fb4ff;--_success:#4fd18b;--_accent:#8fb4ff;--_on-accent:#0b1220;";

export const CSS = `
:host { display: block; font: var(--meld-repair-font, inherit); ${LIGHT} }
@media (prefers-color-scheme: dark) { :host(:not([theme="light"])) { ${DARK} } }
:host([theme="dark"]) { ${DARK} }
:host([hidden]) { display: none; }
.card {
  --_tone: var(--meld-repair-accent, var(--_info));
  box-sizing: border-box; display: grid; gap: 6px; padding: 12px 14px;
  color: var(--meld-repair-text, var(--_text)); background: var(--meld-repair-surface, var(--_surface));
  border: 1px solid rgb(128 128 128 / 0.35); border-inline-start: 4px solid var(--_tone);
  border-radius: var(--meld-repair-radius, 10px);
}
.card[hidden], [hidden] { display: none; }
.card[data-severity="error"] { --_tone: var(--meld-repair-error, var(--_error)); }
.card[data-severity="warning"] { --_tone: var(--meld-repair-warning, var(--_warning)); }
.card[data-severity="success"] { --_tone: var(--meld-repair-success, var(--_success)); }
.head { display: grid; justify-items: start; gap: 4px; }
.badge {
  display: inline-flex; align-items: center; gap: 5px; padding: 0 8px; line-height: 1.6;
  font-size: 0.8em; font-weight: 600; color: var(--_tone);
  border: 1px solid currentColor; border-radius: 999px;
}
.icon { font-weight: 700; }
.title { margin: 0; font-weight: 600; font-size: 1.05em; overflow-wrap: anywhere; }
/* Focus moved to the title after a repair rings the whole card: it is news, not a control. */
.title:focus { outline: none; }
.card:has(.title:focus-visible) { outline: 3px solid var(--_tone); outline-offset: 2px; }
.message { margin: 0; overflow-wrap: anywhere; }
.alert {
  margin: 2px 0 0; padding: 8px 10px; border-radius: 6px; overflow-wrap: anywhere;
  border: 1px solid var(--meld-repair-error, var(--_error)); border-inline-start-width: 4px;
}
.alert strong { display: block; color: var(--meld-repair-error, var(--_error)); }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; }
.actions:has(button[hidden]):has(.status:empty) { display: none; }
button {
  display: inline-flex; align-items: center; gap: 8px;
  font: inherit; font-weight: 600; color: var(--meld-repair-on-accent, var(--_on-accent)); background: var(--meld-repair-accent, var(--_accent));
  border: 0; border-radius: var(--meld-repair-radius, 10px); padding: 8px 16px; cursor: pointer;
}
button:hover { filter: brightness(1.1); }
button:focus-visible { outline: 3px solid var(--meld-repair-accent, var(--_accent)); outline-offset: 2px; }
/* Busy keeps its colours (a faded button fails contrast): a spinner and "Opening…" say it. */
button[aria-disabled="true"] { cursor: progress; filter: none; }
button[aria-busy="true"]::before {
  content: ""; inline-size: 0.9em; block-size: 0.9em; border-radius: 50%;
  border: 2px solid currentColor; border-inline-end-color: transparent; animation: spin 0.8s linear infinite;
}
@keyframes spin { to { transform: rotate(1turn); } }
@media (prefers-reduced-motion: reduce) { button[aria-busy="true"]::before { animation: none; } }
.status { margin: 0; font-size: 0.9em; }
.status.quiet { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@media (forced-colors: active) {
  .card { border-inline-start-color: CanvasText; }
  button { border: 1px solid ButtonText; }
  button:focus-visible { outline-color: Highlight; }
}
`;

/**
 * The shadow tree, as [tag, attributes, key, children]: `key` names the nodes statusView()
 * fills in. The alert says, where the customer clicked, why the repair failed (role="alert").
 */
export const TREE = ["div", { part: "card", class: "card" }, "card", [
  ["div", { class: "head" }, null, [
    ["span", { part: "badge", class: "badge" }, null, [
      ["span", { class: "icon", "aria-hidden": "true" }, "icon"],
      ["span", { class: "severity" }, "severity"],
    ]],
    ["p", { part: "title", class: "title" }, "title"],
  ]],
  ["p", { part: "message", class: "message" }, "message"],
  ["div", { part: "alert", class: "alert", role: "alert" }, "alert"],
  ["div", { class: "actions" }, null, [
    ["button", { part: "button", type: "button" }, "button"],
    ["p", { part: "status", class: "status", role: "status", "aria-live": "polite" }, "status"],
  ]],
]];

/**
 * What each keyed node of TREE shows: its attributes (null removes one) and `text`; the alert
 * has `strong` (its title) before its text. `explanation` is what explain() says (or the
 * `connection_unavailable` copy), `outcome` what explainOutcome() said of the last repair,
 * `lang` the host's own lang attribute, `copy(code)` explainCopy's title in the element's locale,
 * `healed` whether the connection just came back healthy after a repair (said once).
 */
export function statusView({ explanation, state, outcome, running, lang, copy, healed }) {
  // After a completed repair the stale connection is not shown: success until the app hands over
  // the new one; after a lost window, what may have happened there, until it comes back settled.
  const shown = outcome && (state === "completed" || outcome.code === "repair_window_lost") ? outcome : explanation;
  // An info card that asks for something (link again, add accounts) is optional, not "for your
  // information"; a pending success is updating (in progress, the info tone), not yet connected.
  const badge = shown.code === "repair_completed" ? "updating" : shown === explanation && shown.severity === "info" && shown.actionLabel !== null ? "optional" : shown.severity;
  const failed = state === "failed" && outcome !== null;
  const busy = state === "fetching_token";
  const active = running || busy || state === "open";
  const label = failed ? outcome.actionLabel : shown.actionLabel;
  const noButton = label === null && !active;
  // The live region: what changed, once. Busy and success are read out but already shown.
  const note =
    busy ? copy("busy")
    : state === "open" ? copy("window_open")
    : shown === outcome ? `${outcome.title}. ${outcome.message}`
    : healed ? explanation.title
    : outcome && !failed ? outcome.title
    : "";
  return {
    card: { hidden: null, "data-state": state, "data-severity": badge === "updating" ? "info" : shown.severity, lang: lang === shown.locale ? null : shown.locale },
    icon: { text: ICONS[badge] ?? ICONS.info },
    severity: { text: copy(`severity_${badge}`) },
    title: { text: shown.title },
    message: { text: shown.message },
    alert: { hidden: failed ? null : "", strong: failed ? outcome.title : null, text: failed ? outcome.message : "" },
    button: {
      hidden: noButton ? "" : null,
      "aria-disabled": active ? "true" : null,
      "aria-busy": busy ? "true" : null,
      text: busy ? copy("busy") : noButton ? "" : label ?? explanation.actionLabel ?? "",
    },
    status: { class: busy || shown === outcome || healed ? "status quiet" : "status", text: note },
  };
}
