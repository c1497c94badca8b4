// DOM helpers shared by the pages of www/ (the demo, the gallery, the element and connections pages). Text always becomes text nodes, never markup:
// institution names come from banks and may contain markup.

/** el("p", { class: "x", lang: "es" }, "text", child, ...): attributes through setAttribute (never `style`, never event handlers). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "hidden") node.hidden = Boolean(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** Text for screen readers only. */
export const hidden = (text) => el("span", { class: "visually-hidden" }, text);

const ICONS = { error: "✕", warning: "!", info: "i", success: "✓", optional: "+", updating: "↻" };

/**
 * An explanation's severity as icon and word, not colour alone; the word in the customer's
 * language from the package (`explainCopy("severity_error", { locale })`: "Action needed").
 * Given the card's action label, an info card that asks for something reads "Optional", and
 * given its code, a repair's pending success reads "Updating" (in the info tone), as
 * <meld-connection-status> shows them.
 */
export function severityBadge(severity, api, locale, actionLabel = null, code = null) {
  const word = code === "repair_completed" ? "updating" : severity === "info" && actionLabel ? "optional" : severity;
  const label = api.explainCopy(`severity_${word}`, { locale }).title;
  const icon = ICONS[word] ?? "?";
  const tone = word === "updating" ? "info" : severity;
  return el(
    "span",
    { class: `badge badge-${ICONS[tone] ? tone : "unknown"}`, "data-field": "severity", "data-value": severity, lang: locale },
    el("span", { class: "badge-icon", "aria-hidden": "true" }, icon),
    hidden("Severity: "),
    label,
  );
}

/** The simulator's widget origin: ?widgetOrigin=…, else the app's port + 1 (as `npm start` runs it). */
export function widgetOrigin() {
  const given = new URLSearchParams(location.search).get("widgetOrigin");
  if (given) return given;
  const port = Number(location.port || (location.protocol === "https:" ? 443 : 80));
  return `${location.protocol}//${location.hostname}:${port + 1}`;
}
