// Browser glue: shows Meld's widget in an iframe (in the app's container or a built-in modal),
// a popup or a tab, and takes it down again. Styles are set through the CSSOM, which a strict
// `style-src 'self'` CSP allows (inline <style> and style attributes it would block).

const MODAL_LABELS = {
  en: { close: "Close", title: (name) => `Reconnect ${name || "your bank"}` },
  es: { close: "Cerrar", title: (name) => `Vuelve a conectar ${name || "tu banco"}` },
};

function labels(locale) {
  const language = String(locale || "en").toLowerCase().split(/[-_]/)[0];
  return MODAL_LABELS[language] || MODAL_LABELS.en;
}

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
 * WindowProxy (the only source whose messages count). `onCustomerClose` fires when the customer
 * dismisses it (modal close button, Escape, or a popup/tab window closed).
 */
export function showWidget({ mode, url, reserved, container, width, height, locale, institutionName, onCustomerClose }) {
  if (mode === "popup" || mode === "tab") return showInWindow(reserved, url, onCustomerClose);
  return container
    ? showInContainer(container, url, width, height, institutionName, locale)
    : showInModal(url, width, height, institutionName, locale, onCustomerClose);
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

function showInContainer(container, url, width, height, institutionName, locale) {
  const iframe = frame(url, width, height, labels(locale).title(institutionName));
  container.append(iframe);
  return { window: iframe.contentWindow, close: () => iframe.remove() };
}

let modalCount = 0;

function showInModal(url, width, height, institutionName, locale, onCustomerClose) {
  const text = labels(locale);
  const previousFocus = document.activeElement;
  const titleId = `meld-repair-title-${++modalCount}`;

  const backdrop = styled(document.createElement("div"), {
    position: "fixed", inset: "0", zIndex: "2147483000", display: "flex", alignItems: "center",
    justifyContent: "center", background: "rgba(15, 23, 42, 0.55)",
  });
  backdrop.setAttribute("data-meld-repair-modal", "");
  const dialog = styled(document.createElement("div"), {
    background: "#fff", borderRadius: "12px", boxShadow: "0 20px 50px rgba(0,0,0,.3)",
    maxWidth: "100vw", maxHeight: "100vh", overflow: "auto", font: "15px system-ui, sans-serif", color: "#0f172a",
  });
  dialog.setAttribute("role", "dialog");
  dialog.setAttribute("aria-modal", "true");
  dialog.setAttribute("aria-labelledby", titleId);
  const header = styled(document.createElement("div"), {
    display: "flex", alignItems: "center", justifyContent: "space-between", gap: "12px", padding: "8px 8px 8px 16px",
  });
  const title = styled(document.createElement("h2"), { font: "600 16px system-ui, sans-serif", margin: "0" });
  title.id = titleId;
  title.textContent = text.title(institutionName);
  const closeButton = styled(document.createElement("button"), {
    font: "20px system-ui, sans-serif", lineHeight: "1", border: "0", background: "transparent",
    cursor: "pointer", padding: "8px 12px", borderRadius: "8px", color: "inherit",
  });
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", text.close);
  closeButton.textContent = "×";
  const iframe = frame(url, width, height, text.title(institutionName));

  header.append(title, closeButton);
  dialog.append(header, iframe);
  backdrop.append(dialog);
  document.body.append(backdrop);
  closeButton.focus();

  // Focus stays inside the dialog: Tab cycles between the close button and the widget.
  const onKeyDown = (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onCustomerClose();
    } else if (event.key === "Tab") {
      event.preventDefault();
      (document.activeElement === closeButton ? iframe : closeButton).focus();
    }
  };
  const onFocusIn = (event) => {
    if (!dialog.contains(event.target)) closeButton.focus();
  };
  closeButton.addEventListener("click", () => onCustomerClose());
  document.addEventListener("keydown", onKeyDown, true);
  document.addEventListener("focusin", onFocusIn, true);

  return {
    window: iframe.contentWindow,
    close() {
      document.removeEventListener("keydown", onKeyDown, true);
      document.removeEventListener("focusin", onFocusIn, true);
      backdrop.remove();
      if (previousFocus && typeof previousFocus.focus === "function") previousFocus.focus();
    },
  };
}

const WINDOW_POLL_MS = 400;

function showInWindow(reserved, url, onCustomerClose) {
  reserved.location.href = url;
  // Closing a cross-origin window fires no event the opener can hear; polling `closed` is
  // the only signal.
  const poll = setInterval(() => {
    if (reserved.closed) onCustomerClose();
  }, WINDOW_POLL_MS);
  return {
    window: reserved,
    close() {
      clearInterval(poll);
      if (!reserved.closed) reserved.close();
    },
  };
}
