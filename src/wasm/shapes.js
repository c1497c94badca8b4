// The shapes of the objects decide() and explain() return, built by the wasm boundary in one
// call each. An object literal gets one fixed hidden class; setting 14 properties one by one
// through Reflect.set from wasm cost 20 times more than the whole decision.

export function decision(
  connectionId, status, statusReason, legacyStatus, rawStatus, rawStatusReason, recognized,
  reasonRecognized, action, openWidget, customerInvolved, urgency, code, retryAfterSeconds,
) {
  return {
    connectionId, status, statusReason, legacyStatus, rawStatus, rawStatusReason, recognized,
    reasonRecognized, action, openWidget, customerInvolved, urgency, code, retryAfterSeconds,
  };
}

export function explanation(title, message, actionLabel, severity, locale, code) {
  return { title, message, actionLabel, severity, locale, code };
}
