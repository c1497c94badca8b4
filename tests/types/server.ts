// Compiled by `tsc -p tests/types` (strict) against the published types of meld-repair/server.
import { createMeldClient, createRepairTokenHandler, createWebhookHandler, createConnectionHandler, toNodeHandler, renderConnectionStatus, CONNECTION_STATUS_STYLE_HASH, type MeldServerError, type Handler } from "meld-repair/server";
import { MeldRepairError, type Connection } from "meld-repair";

const client = createMeldClient({ apiKey: "sk_test", environment: "production", timeoutMs: 5_000, retries: 1 });
const connection: Connection = { id: "c1", status: "ACTIVE" };

async function backend(): Promise<string> {
  const refreshed = await client.refresh(connection, { products: ["TRANSACTIONS"], force: false });
  const forced: boolean = refreshed.forced;
  const token = await client.repairToken("c1");
  const widgetUrl: string = token.widgetUrl;
  await client.updateProducts(connection, ["OWNERS"]);
  await client.deleteConnection("c1");
  await client.importConnections([{ serviceProviderDetails: { serviceProvider: "PLAID" }, externalCustomerId: "u1" }]);
  const acted = await client.act(connection, "fresh_data");
  if (acted.operation === "wait") return String(acted.retryAfterSeconds);
  if (acted.sent) return JSON.stringify(acted.result);
  try {
    await client.refresh(connection);
  } catch (error) {
    if (error instanceof MeldRepairError && error.code === "OPERATION_NOT_ADVISED") return (error as MeldServerError).advice?.operation ?? "";
  }
  return `${forced} ${widgetUrl}`;
}

const repair: Handler = createRepairTokenHandler({ client, authorize: async (request, connectionId) => request.headers.has("cookie") && connectionId !== "" });
const status: Handler = createConnectionHandler({ client, authorize: () => true });
const webhook: Handler = createWebhookHandler({
  secret: "whsec",
  url: "https://app.example/webhook",
  onEvent: async (interpretation) => interpretation.promptCustomer,
  seen: { has: async (id) => id === "", add: async () => {} },
});
const node = toNodeHandler(repair);

// @ts-expect-error the API key is required
createMeldClient({ environment: "sandbox" });
// @ts-expect-error authorize is required: no route without an ownership check
createRepairTokenHandler({ client });
// @ts-expect-error an environment that does not exist
createMeldClient({ apiKey: "k", environment: "staging" });
// @ts-expect-error products are Meld's
client.updateProducts(connection, ["SPACESHIPS"]);

export { backend, status, webhook, node };

// Server rendering of the element: an HTML string, with typed options.
const html: string = renderConnectionStatus(connection, { locale: "es", theme: "dark", nonce: "abc123", attributes: { "token-url": "/api/meld/repair", "allow-insecure-loopback": true } });
const styleSrc = `style-src 'self' ${CONNECTION_STATUS_STYLE_HASH}`;
console.log(html, styleSrc);
// @ts-expect-error the theme is light or dark
renderConnectionStatus(connection, { theme: "blue" });
