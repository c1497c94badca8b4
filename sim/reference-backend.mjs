// The ten-line reference backend: all the server code an app needs to repair a Meld
// connection. The Meld API key stays on the server (never ship it to a browser); the
// handler asks Meld for a repair connect token and relays Meld's answer unchanged.
// A real app must first check that the signed-in user owns `connectionId`.
export const MELD_API_BASE = { sandbox: "https://api-sb.meld.io", production: "https://api.meld.io" };

export async function handleRepair(req, res) {
  let body = "";
  for await (const chunk of req) body += chunk;
  let connectionId; // a body that is not JSON is forwarded as {} and Meld answers 400
  try { ({ connectionId } = JSON.parse(body)); } catch {}
  try {
    const meld = await fetch(`${MELD_API_BASE[process.env.MELD_ENV ?? "sandbox"]}/bank-linking/connect/repair`, {
      method: "POST",
      headers: { Authorization: `BASIC ${process.env.MELD_API_KEY}`, "Content-Type": "application/json", "Meld-Version": "2023-12-19" },
      body: JSON.stringify({ connectionId }),
    });
    const text = await meld.text();
    res.writeHead(meld.status, { "Content-Type": meld.headers.get("content-type") ?? "application/json" });
    res.end(text);
  } catch {
    res.writeHead(502, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ code: "BAD_GATEWAY", message: "Meld could not be reached" }));
  }
}
