// Runs render.mjs in a Node with traps on every browser global: reading window, document,
// navigator or customElements throws and is recorded. Prints { html, touched } as JSON.
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

const { renderConnection } = await import("./render.mjs");
const html = renderConnection(
  { id: "conn_9", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: '<img src=x onerror=alert(1)> & "Co"' },
  "es",
);
const element = await import("meld-repair/element");
console.log(JSON.stringify({ html, touched, elementExports: Object.keys(element).sort() }));
