// RepairFlow listens for `pagehide` on the window; Node has none, so the suites give it an
// EventTarget for the length of a test.

/**
 * Installs `events`' `addEventListener`/`removeEventListener` on globalThis (a test dispatches
 * `pagehide` on `events`); returns the undo.
 */
export function withWindowEvents(events = new EventTarget()) {
  globalThis.addEventListener = events.addEventListener.bind(events);
  globalThis.removeEventListener = events.removeEventListener.bind(events);
  return () => {
    delete globalThis.addEventListener;
    delete globalThis.removeEventListener;
  };
}
