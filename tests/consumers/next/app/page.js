// A server component: explain() and decide() run on the server (prerendered by `next build`),
// so the text is in the HTML before any JavaScript runs; and the element itself, server-rendered
// by renderConnectionStatus (a declarative shadow root that the element adopts once it loads).
import { decide, explain } from "meld-repair";
import { renderConnectionStatus } from "meld-repair/server";
import ClientDecision from "./ClientDecision.js";

const connection = {
  id: "conn_1",
  status: "RECONNECT_REQUIRED",
  statusReason: "LOGIN_REQUIRED",
  institutionName: "First Platypus Bank",
};

export default function Page() {
  const { title, message } = explain(connection, { locale: "en" });
  const status = renderConnectionStatus(connection, { locale: "en", attributes: { id: "ssr-status", "token-url": "/api/meld/repair" } });
  return (
    <main>
      <h1 id="title">{title}</h1>
      <p id="message">{message}</p>
      <p id="server-decision">{`server decision: ${decide(connection).action}`}</p>
      <ClientDecision connection={connection} />
      <div dangerouslySetInnerHTML={{ __html: status }} />
    </main>
  );
}
