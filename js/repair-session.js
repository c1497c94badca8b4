// The repair session's driver, loaded with the flow module: it feeds the session machine
// (wasm `sessionStep`) every input and performs the effects it returns, in the browser. The
// machine decides every state, when a token is forgotten and which fields an outcome carries;
// the token, the widget URL and the widget's messages are read in wasm too. RepairFlow
// (js/repair-flow.js) is its face.
import { MeldRepairError } from "./errors.js";
import { showWidget } from "./widget.js";

/** The wasm exports this driver calls. */
export const FLOW_EXPORTS = [
  "sessionStep", "validateTokenResponse", "tokenIsFresh", "parseWidgetMessage", "widgetOrigins",
  "tokenRequest", "tokenAnswer", "retryDelay",
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class RepairSession {
  #wasm;
  #options;
  #host;
  #state = "idle";
  /** The running session: { connection, connectionId, decision, resolve, token, widget, reserved, cleanup[] }. */
  #session = null;
  /** connectionId → validated token, reused while fresh. */
  #tokens = new Map();
  /** connectionId → promise of a token: one backend request per connection at a time. */
  #inflight = new Map();
  #destroyed = false;

  /**
   * `options` as RepairFlow checked them; `host` receives `state(name)`, `widgetEvent(event)` and
   * `finished()` (synchronously, before the outcome's promise resolves).
   */
  constructor(wasm, options, host) {
    this.#wasm = wasm;
    this.#host = host;
    this.#options = { ...options, allowedWidgetOrigins: wasm.widgetOrigins(options.allowedWidgetOrigins, options.allowInsecureLoopback) };
  }

  /** Resolves true once a token for the connection is ready; never rejects. */
  prefetch(connection, connectionId) {
    if (this.#destroyed) return Promise.resolve(false);
    return this.#token(connection, connectionId).then((token) => !token.notNeeded, () => false);
  }

  /**
   * Runs one session to its one outcome; `reserved` is the window reserved in the click,
   * `institutionName` the name the face read (once: a getter may not answer twice), `look` the
   * start options the face checked (`theme`, `progress`) for the modal.
   */
  start(connection, decision, reserved, institutionName, look) {
    return new Promise((resolve) => {
      const session = { connection, connectionId: decision.connectionId, decision, institutionName, look, resolve, reserved, cleanup: [] };
      this.#session = session;
      const onPageHide = () => this.#feed(session, "page_hidden", { reason: "page_hidden" });
      globalThis.addEventListener?.("pagehide", onPageHide); // absent on a server: nothing to hide there
      session.cleanup.push(() => globalThis.removeEventListener?.("pagehide", onPageHide));
      this.#feed(session, "start");
    });
  }

  close() {
    if (this.#session) this.#feed(this.#session, "app_closed", { reason: "app_closed" });
  }

  destroy() {
    this.close();
    this.#tokens.clear();
    this.#destroyed = true;
  }

  /** Feeds the session machine and performs what it says; input for an ended session is dropped. */
  #feed(session, input, detail = {}) {
    if (this.#session !== session) return;
    try {
      this.#step(session, input, detail);
    } catch (error) {
      this.#abandon(session, error);
    }
  }

  /**
   * Ends a session that broke (the instance trapped in the machine or a reader, the widget
   * could not be shown) as failed, so it never stays registered without an outcome and the
   * next start() works. The machine cannot be asked for the outcome here: it is what broke.
   */
  #abandon(session, cause) {
    if (this.#session !== session) return;
    session.error = cause instanceof MeldRepairError
      ? cause
      : new MeldRepairError("INTERNAL_ERROR", `the repair session broke: ${cause?.message ?? cause}`, undefined, { cause });
    session.widget?.close();
    this.#tokens.delete(session.connectionId);
    this.#state = "failed";
    this.#finish(session, { error: true, dataArrivesByWebhook: false, note: null });
    this.#host.state("failed");
  }

  #step(session, input, detail) {
    const step = this.#wasm.sessionStep(this.#state, input);
    if (step === null) return;
    session.error ??= detail.error;
    session.reason ??= detail.reason;
    session.metadata ??= detail.metadata;
    this.#state = step.state;
    // The app hears of a finished state once the session is over, so that its callback may
    // start the next one; of any other before the effects, so that its close() there ends the
    // session before they run (checked before each one: nothing opens for an ended session).
    const finishing = step.effects.includes("finish");
    if (!finishing) this.#host.state(step.state);
    for (const effect of step.effects) {
      if (this.#session !== session) return;
      if (effect === "fetch_token") this.#fetchToken(session);
      else if (effect === "open_widget") this.#open(session);
      else if (effect === "close_widget") session.widget?.close();
      else if (effect === "forget_token") this.#tokens.delete(session.connectionId);
      else if (effect === "finish") this.#finish(session, step.outcome);
    }
    if (finishing) this.#host.state(step.state);
  }

  #fetchToken(session) {
    if (this.#options.mode !== "iframe" && !session.reserved) {
      const error = new MeldRepairError(
        "POPUP_BLOCKED",
        'the browser blocked the widget\'s window; call start() from a click handler, or use mode "iframe"',
      );
      this.#feed(session, "token_failed", { error });
      return;
    }
    this.#token(session.connection, session.connectionId).then(
      (token) => {
        if (token.notNeeded) {
          session.backendDecision = token.decision;
          this.#feed(session, "repair_not_needed");
          return;
        }
        session.token = token;
        this.#feed(session, "token_ready");
      },
      (error) => this.#feed(session, "token_failed", { error }),
    );
  }

  #open(session) {
    const { token } = session;
    const options = this.#options;
    const onMessage = (event) => {
      // Only the widget's own window, on the token's origin, speaks for Meld.
      if (!session.widget || event.source !== session.widget.window || event.origin !== token.widgetOrigin) return;
      let widgetEvent;
      try {
        widgetEvent = this.#wasm.parseWidgetMessage(event.data);
      } catch (error) {
        this.#abandon(session, error);
        return;
      }
      if (widgetEvent === null) return;
      this.#host.widgetEvent(widgetEvent);
      if (widgetEvent.name === "connect_complete") {
        const { name, ...metadata } = widgetEvent;
        this.#feed(session, "widget_completed", { metadata });
      }
    };
    addEventListener("message", onMessage);
    session.cleanup.push(() => removeEventListener("message", onMessage));
    session.widget = showWidget({
      mode: options.mode,
      url: token.widgetUrl,
      reserved: session.reserved,
      container: options.container,
      width: options.width,
      height: options.height,
      copy: options.copy,
      institutionName: session.institutionName,
      ...session.look,
      onCustomerClose: (reason) => this.#feed(session, "customer_closed", { reason }),
    });
  }

  /** Reports the session's one outcome, carrying the fields the machine says (`carries`). */
  #finish(session, carries) {
    for (const undo of session.cleanup) undo();
    if (session.reserved && !session.reserved.closed) session.reserved.close();
    this.#session = null;
    this.#host.finished();
    session.resolve({
      status: this.#state,
      connectionId: session.connectionId,
      decision: carries.backendDecision ? session.backendDecision : session.decision,
      metadata: carries.metadata ? session.metadata : null,
      reason: carries.reason ? session.reason : null,
      error: carries.error ? session.error : null,
      dataArrivesByWebhook: carries.dataArrivesByWebhook,
      note: carries.note,
    });
  }

  /**
   * A fresh token for the connection: cached, in flight, or requested now. A request still
   * running when its session ends goes on and caches its token for the next start().
   */
  #token(connection, connectionId) {
    const cached = this.#tokens.get(connectionId);
    if (cached && this.#wasm.tokenIsFresh(cached.expiresAt)) return Promise.resolve(cached);
    this.#tokens.delete(connectionId);
    const running = this.#inflight.get(connectionId);
    if (running) return running;

    const options = this.#options;
    const promise = this.#requestToken(connection, connectionId)
      .then((response) => {
        const token = this.#wasm.validateTokenResponse(response, connectionId, options.allowedWidgetOrigins, options.allowInsecureLoopback);
        if (!this.#destroyed && !token.notNeeded) this.#tokens.set(connectionId, token);
        return token;
      })
      .finally(() => this.#inflight.delete(connectionId));
    this.#inflight.set(connectionId, promise);
    return promise;
  }

  /**
   * The backend's raw answer, through the app's `fetchToken` or a POST to `tokenUrl`: each
   * attempt bounded by `timeoutMs`, retried as wasm's `retryDelay` says.
   */
  async #requestToken(connection, connectionId) {
    const { fetchToken, timeoutMs, retries } = this.#options;
    const attempt = fetchToken
      ? () => this.#callFetchToken(fetchToken, connection, timeoutMs)
      : () => this.#postTokenRequest(connectionId);
    for (let attempts = 0; ; attempts++) {
      try {
        return await attempt();
      } catch (error) {
        const delay = this.#wasm.retryDelay(String(error?.code), error?.retryable === true, attempts, retries);
        if (delay < 0) throw error;
        await sleep(delay);
      }
    }
  }

  /**
   * One POST to `tokenUrl`. Wasm builds the request and says what the answer means; the waiting
   * is done here, so every wasm call is a guarded synchronous one (a trap becomes a retryable
   * INTERNAL_ERROR outcome, never an error in the event loop and a start() that never settles).
   */
  async #postTokenRequest(connectionId) {
    const { tokenUrl, headers, timeoutMs } = this.#options;
    const request = this.#wasm.tokenRequest(tokenUrl, connectionId, headers);
    const signal = AbortSignal.timeout(timeoutMs);
    let status = 0;
    let redirected = false;
    let answer;
    let failed = false;
    try {
      const response = await fetch(request, { signal });
      status = typeof response?.status === "number" ? response.status : 0; // not a Response: nothing answered
      redirected = response.type === "opaqueredirect";
      // Only a success or the backend's 409 "no repair needed" has a body worth reading. It is
      // parsed here, never copied into wasm memory (which never shrinks).
      if (response.ok || status === 409) answer = await response.json();
    } catch {
      failed = true;
    }
    return this.#wasm.tokenAnswer(status, redirected, answer, failed && signal.aborted, timeoutMs);
  }

  /** One call of the app's `fetchToken`, with a timer cleared once it settles (AbortSignal.timeout
   * cannot be cancelled and would abort the app's signal long after its request succeeded). */
  async #callFetchToken(fetchToken, connection, timeoutMs) {
    const controller = new AbortController();
    let timer;
    const timedOut = new Promise((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new MeldRepairError("TOKEN_ENDPOINT_TIMEOUT", `fetchToken did not settle within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([fetchToken(connection, { signal: controller.signal }), timedOut]);
    } catch (error) {
      if (error instanceof MeldRepairError) throw error;
      throw new MeldRepairError("TOKEN_ENDPOINT_FAILED", `fetchToken threw: ${error?.message ?? error}`, undefined, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
