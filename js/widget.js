// Browser glue: shows Meld's widget in an iframe (in the app's container or a built-in modal),
// a popup or a tab, and takes it down again. Styles are set through the CSSOM, which a strict
// `style-src 'self'` CSP allows (inline <style> and style attributes it would block).

/**
 * The modal's words, from the status page's catalog (`copy` is explainCopy bound to the flow's
 * locale, js/repair-flow.js): the same locale chain and defineCopy as every other text. One of a
 * series (Fix all's `progress`) says which one of how many.
 */
function labels(copy, institutionName, progress) {
  const close = copy("close");
  if (!progress) return { close: close.title, lang: close.locale, title: copy("dialog", institutionName).title };
  const title = copy("dialog_progress", institutionName).title;
  // The markers are filled around the name, never in it.
  const fill = (piece) => piece.replaceAll("{count}", progress.count).replaceAll("{total}", progress.total);
  return { close: close.title, lang: close.locale, title: institutionName ? title.split(institutionName).map(fill).join(institutionName) : fill(title) };
}

/** Our chrome's colours per scheme (the widget inside is Meld's page): text and Close ≥ 4.5:1. */
const PALETTES = {
  light: { backdrop: "rgba(15, 23, 42, 0.55)", surface: "#fff", text: "#0f172a", border: "#cbd5e1", edge: "transparent" },
  dark: { backdrop: "rgba(0, 0, 0, 0.7)", surface: "#161b26", text: "#f5f7fa", border: "#667085", edge: "#344054" },
};

function styled(element, styles) {
  Object.assign(element.style, styles);
  return element;
}

let windowCount = 0;

/**
 * For popup and tab modes: opens an empty window now, inside the click that called `start()`,
 * because browsers block `window.open` once the token request has made the call asynchronous.
 * Returns null when the browser blocked it.
 */
export function reserveWindow(mode, width, height) {
  if (mode === "tab") return window.open("about:blank", "_blank");
  const left = Math.max(0, Math.round(window.screenX + (window.outerWidth - width) / 2));
  const top = Math.max(0, Math.round(window.screenY + (window.outerHeight - height) / 2));
  // A name of its own per session: a shared name would make a second session's window.open
  // reuse the first one's popup, whose messages the first session would then take for its own.
  const name = `meld-repair-${++windowCount}-${Math.random().toString(36).slice(2)}`;
  return window.open("about:blank", name, `popup,width=${width},height=${height},left=${left},top=${top}`);
}

/**
 * Shows the widget at `url`. Returns `{ window, close() }` where `window` is the widget's
 * WindowProxy (the only source whose messages count). `onCustomerClose(reason)` fires when the
 * customer dismisses the modal (close button, Escape: `customer_closed`) or a popup or tab
 * reads closed (`window_lost`).
 */
export function showWidget({ mode, url, reserved, container, width, height, copy, institutionName, theme, progress, onCustomerClose }) {
  if (mode === "popup" || mode === "tab") return showInWindow(reserved, url, () => onCustomerClose("window_lost"));
  const dismissed = () => onCustomerClose("customer_closed");
  const text = labels(copy, institutionName, progress);
  return container ? showInContainer(container, url, width, height, text) : showInModal(url, width, height, text, theme, dismissed);
}

function frame(url, width, height, title) {
  const iframe = document.createElement("iframe");
  iframe.src = url;
  iframe.title = title;
  iframe.width = String(width);
  iframe.height = String(height);
  iframe.setAttribute("data-meld-repair-widget", "");
  return styled(iframe, { border: "0", display: "block", maxWidth: "100%" });
}

function showInContainer(container, url, width, height, text) {
  const iframe = frame(url, width, height, text.title);
  container.append(iframe);
  return { window: iframe.contentWindow, close: () => iframe.remove() };
}

let modalCount = 0;
/** Closes the modal on screen, whichever copy of this module opened it: one per page. */
const OPEN_MODAL = Symbol.for("meld-repair.modal");

/**
 * The modal, in `theme` ("light" or "dark", as the element that opened it) or else the page's
 * `prefers-color-scheme`, followed while it is open.
 */
function showInModal(url, width, height, text, theme, onCustomerClose) {
  // A second repair replaces the first (its session ends as the customer closing it).
  globalThis[OPEN_MODAL]?.();
  const previousFocus = document.activeElement;
  const titleId = `meld-repair-title-${++modalCount}`;

  const backdrop = styled(document.createElement("div"), {
    position: "fixed", inset: "0", zIndex: "2147483000", display: "flex", alignItems: "center",
    justifyContent: "center", overscrollBehavior: "contain",
  });
  backdrop.setAttribute("data-meld-repair-modal", "");
  const dialog = styled(document.createElement("div"), {
    borderRadius: "12px", boxShadow: "0 20px 50px rgba(0,0,0,.3)", borderWidth: "1px", borderStyle: "solid", paddingBottom: "8px",
    maxWidth: "100vw", maxHeight: "100vh", overflow: "auto", font: "15px system-ui, sans-serif",
  });
  dialog.setAttribute("role", "dialog");
  dialog.setAttribute("aria-modal", "true");
  dialog.setAttribute("aria-labelledby", titleId);
  dialog.lang = text.lang;
  // Sticky: at 200% zoom the dialog scrolls, and the way out must stay in view.
  const header = styled(document.createElement("div"), {
    display: "flex", alignItems: "center", justifyContent: "space-between", gap: "12px", padding: "8px 8px 8px 16px",
    position: "sticky", top: "0",
  });
  const title = styled(document.createElement("h2"), { font: "600 16px system-ui, sans-serif", margin: "0" });
  title.id = titleId;
  title.textContent = text.title;
  // Visible words, not a bare ×: once focus is in the bank's form, Escape never reaches this
  // page (keys stay in the cross-origin frame), and this button is the way out.
  const closeButton = styled(document.createElement("button"), {
    font: "600 15px system-ui, sans-serif", display: "inline-flex", alignItems: "center", gap: "6px",
    borderWidth: "1px", borderStyle: "solid", cursor: "pointer", padding: "6px 12px", borderRadius: "8px", color: "inherit",
  });
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", text.close); // the visible word, so selectors and speech agree
  const cross = document.createElement("span");
  cross.setAttribute("aria-hidden", "true");
  cross.textContent = "×";
  closeButton.append(cross, text.close);
  // Centred under a long title; rounded, so that Meld's light page sits in a dark frame as a card.
  const iframe = styled(frame(url, width, height, text.title), { margin: "0 auto", borderRadius: "8px" });
  // Tab past the widget's last field lands here and wraps to Close; Shift+Tab before Close, to the widget.
  const sentinel = (target) => {
    const stop = document.createElement("span");
    stop.tabIndex = 0;
    stop.addEventListener("focus", () => target().focus());
    return stop;
  };

  const media = globalThis.matchMedia?.("(prefers-color-scheme: dark)");
  const paint = () => {
    const scheme = theme ?? (media?.matches ? "dark" : "light");
    const colors = PALETTES[scheme];
    styled(backdrop, { background: colors.backdrop });
    // The scheme also for the browser's own drawing (focus rings, scrollbars).
    styled(dialog, { background: colors.surface, color: colors.text, borderColor: colors.edge, colorScheme: scheme });
    styled(header, { background: colors.surface });
    styled(closeButton, { background: colors.surface, borderColor: colors.border });
  };
  paint();
  if (!theme) media?.addEventListener("change", paint);

  header.append(title, closeButton);
  dialog.append(sentinel(() => iframe), header, iframe, sentinel(() => closeButton));
  backdrop.append(dialog);
  // The page behind: inert (no focus, no clicks, out of the accessibility tree) and not scrolling.
  const madeInert = [...document.body.children].filter((child) => !child.inert);
  for (const child of madeInert) child.inert = true;
  const root = document.documentElement;
  const overflow = root.style.overflow;
  root.style.overflow = "hidden";
  document.body.append(backdrop);
  closeButton.focus();

  const onKeyDown = (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onCustomerClose();
    }
  };
  const onFocusIn = (event) => {
    if (!dialog.contains(event.target)) closeButton.focus();
  };
  closeButton.addEventListener("click", () => onCustomerClose());
  document.addEventListener("keydown", onKeyDown, true);
  document.addEventListener("focusin", onFocusIn, true);
  const replaced = () => onCustomerClose();
  globalThis[OPEN_MODAL] = replaced;

  return {
    window: iframe.contentWindow,
    close() {
      if (globalThis[OPEN_MODAL] === replaced) delete globalThis[OPEN_MODAL];
      document.removeEventListener("keydown", onKeyDown, true);
      document.removeEventListener("focusin", onFocusIn, true);
      media?.removeEventListener("change", paint);
      backdrop.remove();
      for (const child of madeInert) child.inert = false;
      root.style.overflow = overflow;
      if (previousFocus && typeof previousFocus.focus === "function") previousFocus.focus();
    },
  };
}

const WINDOW_POLL_MS = 400;

function showInWindow(reserved, url, onLost) {
  reserved.location.href = url;
  // Closing a cross-origin window fires no event the opener can hear; polling `closed` is
  // the only signal. It cannot tell a window the customer closed from one whose page sent
  // `Cross-Origin-Opener-Policy: same-origin` (the link is cut, the customer is still there):
  // nothing the opener can read differs, hence `window_lost` rather than `customer_closed`.
  const poll = setInterval(() => {
    if (reserved.closed) onLost();
  }, WINDOW_POLL_MS);
  return {
    window: reserved,
    close() {
      clearInterval(poll);
      if (!reserved.closed) reserved.close();
    },
  };
}
