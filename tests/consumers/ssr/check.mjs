// Runs render.mjs in a Node with traps on every browser global: reading window, document,
// navigator or customElements throws and is recorded. Prints { html, elementHtml, touched } as JSON.
const touched = [];
for (const name of ["window", "document", "navigator", "customElements"]) {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      touched.push(name);
      throw new Error(`${name} was read on the server`);
    },
  });
}

const { renderConnection, renderStatusElement } = await import("./render.mjs");
const connection = { id: "conn_9", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: '<img src=x onerror=alert(1)> & "Co"' };
const html = renderConnection(connection, "es");
const elementHtml = renderStatusElement(connection, "es");
const element = await import("meld-repair/element");
console.log(JSON.stringify({ html, elementHtml, touched, elementExports: Object.keys(element).sort() }));
