// meld-repair/react: useRepairFlow(options), RepairFlow as a React hook, safe under React 19
// Strict Mode. react is a peer dependency (optional: only this entry needs it), and
// "meld-repair" is imported by name, so a server bundle gets the Node entry and a page the
// browser one (the hook only makes its flow in effects and event handlers, never while rendering).
//
//   const { state, outcome, start, prefetch, close } = useRepairFlow({ tokenUrl: "/api/meld/repair" });
//   <button onPointerEnter={() => prefetch(connection)} onClick={() => start(connection)}>Reconnect</button>
//
// One RepairFlow per mounted component (and per set of options that shape it: tokenUrl, mode,
// origins, headers, timeouts, locale, container). Strict Mode runs every effect twice (mount,
// unmount, mount): the flow outlives that simulated unmount, so a prefetch() or start() made from
// an effect reaches the same flow twice, and RepairFlow answers both with one backend request and
// one widget (it dedupes by connection). A real unmount destroys the flow one tick later, which
// closes a running session (its outcome is "cancelled", reason "app_closed") and forgets tokens.
// Callbacks (onEvent, onStateChange, fetchToken) are read fresh on every call: passing new
// functions on each render creates no new flow.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { RepairFlow } from "meld-repair";

const elementIds = new WeakMap();
let nextElementId = 1;
/** A stable id for a container element, so the flow follows it. */
function elementId(element) {
  if (element === null || element === undefined) return null;
  if (!elementIds.has(element)) elementIds.set(element, nextElementId++);
  return elementIds.get(element);
}

/** The options that shape a flow, as a string: the flow is rebuilt only when it changes. */
function flowKey(options) {
  const { tokenUrl, fetchToken, mode, container, allowedWidgetOrigins, allowInsecureLoopback, headers, timeoutMs, retries, width, height, locale } = options;
  return JSON.stringify([
    tokenUrl, typeof fetchToken === "function", mode, elementId(container), allowedWidgetOrigins, allowInsecureLoopback,
    headers, timeoutMs, retries, width, height, locale,
  ]);
}

/** Types: js/react.d.ts. */
export function useRepairFlow(options) {
  const latest = useRef(options);
  useLayoutEffect(() => {
    latest.current = options;
  });
  const key = flowKey(options);
  /** { key, flow, disposal, destroyed } of the flow in use. */
  const holder = useRef(null);
  /** The promise of the last start(), whose outcome `outcome` shows. */
  const lastStart = useRef(null);
  const [state, setState] = useState("idle");
  const [outcome, setOutcome] = useState(null);

  // The flow for the current options: the one held, or a new one (made on first use, so even a
  // child's effect, which runs before this component's, can start a repair).
  const acquire = useCallback(() => {
    const held = holder.current;
    if (held && held.key === key && !held.destroyed) return held;
    const { fetchToken, onEvent, onStateChange, ...rest } = latest.current;
    const entry = { key, flow: null, disposal: null, destroyed: false };
    entry.flow = new RepairFlow({
      ...rest,
      fetchToken: fetchToken ? (connection, init) => latest.current.fetchToken(connection, init) : undefined,
      onStateChange: (next) => {
        if (holder.current === entry) setState(next);
        latest.current.onStateChange?.(next);
      },
      onEvent: (event) => latest.current.onEvent?.(event),
    });
    holder.current = entry;
    return entry;
  }, [key]);

  useEffect(() => {
    const entry = acquire();
    if (entry.disposal !== null) {
      // Strict Mode's simulated unmount and remount: keep the flow and whatever it runs.
      clearTimeout(entry.disposal);
      entry.disposal = null;
    }
    setState(entry.flow.state);
    return () => {
      entry.disposal = setTimeout(() => {
        entry.destroyed = true;
        entry.flow.destroy(); // a running session resolves "cancelled" (app_closed)
        if (holder.current === entry) holder.current = null;
      }, 0);
    };
  }, [acquire]);

  const start = useCallback(
    (connection) => {
      const promise = acquire().flow.start(connection);
      if (promise !== lastStart.current) {
        // A new session (a second call for the same connection returns the same promise).
        lastStart.current = promise;
        setOutcome(null);
        promise.then(
          (result) => {
            if (lastStart.current === promise) setOutcome(result);
          },
          () => {}, // the caller gets the rejection
        );
      }
      return promise;
    },
    [acquire],
  );
  const prefetch = useCallback((connection) => acquire().flow.prefetch(connection), [acquire]);
  const close = useCallback(() => holder.current?.flow.close(), []);

  return { state, outcome, start, prefetch, close };
}
