// Simulated Meld connect widget. It reads the connect token from the URL, shows
// a bank login and reports to the launching window with postMessage, the way
// Meld's widget does (reference §7.2). All text goes in through textContent.
import {
  PROVIDER_EVENT,
  connectCompleteMetadata,
  decodeConnectToken,
  hostWindow,
  meldEvent,
} from "./meld-events.js";

const CONNECTING_MS = 300;
const params = new URLSearchParams(location.search);
const format = params.get("metadataFormat") === "query" ? "query" : "object";
const host = hostWindow(window);
const $ = (id) => document.getElementById(id);

// Meld's widget posts to "*": the host, not the widget, must check origins.
function post(message) {
  console.info("[meld-connect simulator]", message);
  host?.postMessage(message, "*");
}

const send = (eventName, metadata) => post(meldEvent(eventName, metadata, format));

function show(screen) {
  for (const section of document.querySelectorAll(".screen")) {
    section.hidden = section.id !== `${screen}-screen`;
  }
  document.body.dataset.screen = screen;
}

function showLogin(claims) {
  $("institution-name").textContent = claims.institutionName ?? "your bank";
  show("login");
  send("debug", { details: "login_screen" });
  post(PROVIDER_EVENT);
  $("username").focus();

  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    show("connecting");
    setTimeout(async () => {
      // Meld learns of the finished link on its side too; the simulator's API then aggregates.
      await fetch("/completed", { method: "POST", body: params.get("connectToken") }).catch(() => {});
      show("success");
      send("connect_complete", connectCompleteMetadata(claims.institution, claims.institutionName));
    }, CONNECTING_MS);
  });

  $("fail").addEventListener("click", () => {
    const details = "Provider rejected the credentials";
    $("login-error").textContent = details;
    $("login-error").hidden = false;
    send("error", { details, reason: "SERVICE_PROVIDER_FAILURE" });
  });

  $("cancel").addEventListener("click", () => {
    if (window.opener) return window.close(); // popup or tab: the host sees it close
    if (host) send("debug", { details: "customer_cancelled" }); // iframe: tell the host
    show("cancelled");
  });
}

function showInvalidToken(details) {
  $("error-message").textContent = details;
  show("error");
  send("error", { details, reason: "INVALID_TOKEN" });
}

send("init");
const token = decodeConnectToken(params.get("connectToken"), Date.now());
if (token.ok) showLogin(token.claims);
else showInvalidToken(token.details);
