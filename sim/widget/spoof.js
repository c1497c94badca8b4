// A page on the widget's origin that is not the widget window the host opened.
// It posts a well-formed Meld event at once, so a host that checks only the
// origin (and not event.source) can be caught accepting it.
// Query: ?event=connect_complete (default) and optional institutionId, institutionName.
import { connectCompleteMetadata, hostWindow, meldEvent } from "./meld-events.js";

const params = new URLSearchParams(location.search);
const eventName = params.get("event") ?? "connect_complete";
const metadata =
  eventName === "connect_complete"
    ? connectCompleteMetadata(
        params.get("institutionId") ?? "ZJK6BFqUMUhpfKSGF6CrKL",
        params.get("institutionName") ?? "First Platypus Bank",
      )
    : {};
const message = meldEvent(eventName, metadata);

hostWindow(window)?.postMessage(message, "*");
document.getElementById("posted").textContent = JSON.stringify(message, null, 2);
