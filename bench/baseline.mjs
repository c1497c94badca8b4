// The baseline: what an app hand-rolls today — a JavaScript switch over status and reason,
// and English/Spanish strings filled with the institution's name. It does the same job as
// decide() + explain() for the benchmark (the wording is copied from the package at set-up,
// outside the timed loop, so both sides build strings of the same length).

export function makeBaseline(copyFor) {
  const copy = copyFor; // (locale, code) → { title, message, actionLabel } templates

  function verdict(status, reason, refreshAttempts) {
    switch (status) {
      case "RECONNECT_REQUIRED":
        switch (reason) {
          case "LOGIN_REQUIRED": return ["repair", "required", "login_required"];
          case "TOKEN_EXPIRED": return ["repair", "required", "token_expired"];
          case "REPAIRING_INSTITUTION": return ["repair", "required", "repairing_institution"];
          case "OTHER": return ["repair", "required", "reconnect_required_other"];
          default: return ["repair", "required", "reconnect_required"];
        }
      case "UNRECOVERABLE":
        return reason === "CONTINUED_AGGREGATION_FAILURES"
          ? ["repair", "required", "continued_aggregation_failures"]
          : ["repair", "required", "unrecoverable"];
      case "ACTIVE":
        if (reason === "ACCESS_EXPIRING_SOON") return ["repair", "recommended", "access_expiring_soon"];
        if (reason === "NEW_ACCOUNTS_AVAILABLE") return ["repair", "optional", "new_accounts_available"];
        return ["none", "none", "healthy"];
      case "DEGRADED":
        switch (reason) {
          case "INTERACTIVE_REFRESH": return ["repair", "recommended", "interactive_refresh"];
          case "INSTITUTION_ACTION_REQUIRED": return ["contact_institution", "required", "institution_action_required"];
          case "INSTITUTION_CURRENTLY_UNAVAILABLE": return ["wait", "none", "institution_unavailable"];
          case "SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE": return ["wait", "none", "provider_unavailable"];
          default: return ["wait", "none", "degraded"];
        }
      case "PARTIALLY_ACTIVE":
        if (reason === "INACTIVE_DUPLICATE") return ["resolve_duplicate", "none", "inactive_duplicate"];
        if (reason === "PARTIAL_AGGREGATION_SUCCESS") {
          return refreshAttempts >= 1 ? ["repair", "recommended", "partial_aggregation_persists"] : ["refresh", "optional", "partial_aggregation"];
        }
        return refreshAttempts >= 1 ? ["repair", "recommended", "partially_active_persists"] : ["refresh", "optional", "partially_active"];
      case "UNDETERMINED": return ["refresh", "none", "undetermined"];
      case "IN_PROGRESS": return ["wait", "none", "in_progress"];
      case "EXPIRED": return ["new_connection", "optional", "expired"];
      case "DELETED": return ["none", "none", "deleted"];
      default: return ["wait", "none", "unknown_status"];
    }
  }

  function decide(connection, refreshAttempts = 0) {
    const status = connection.status.trim().toUpperCase();
    const reason = connection.statusReason ? connection.statusReason.trim().toUpperCase() : null;
    const [action, urgency, code] = verdict(status, reason, refreshAttempts);
    return {
      connectionId: connection.id ?? null, status, statusReason: reason, action, urgency, code,
      openWidget: action === "repair",
      customerInvolved: action === "repair" || action === "contact_institution" || action === "new_connection",
    };
  }

  function explain(connection, locale = "en") {
    const { code, urgency, action } = decide(connection);
    const text = copy(locale, code);
    const name = connection.institutionName || (locale === "es" ? "tu banco" : "your bank");
    return {
      title: text.title.replaceAll("{institution}", name),
      message: text.message.replaceAll("{institution}", name),
      actionLabel: text.actionLabel,
      severity: urgency === "required" ? "error" : urgency === "recommended" ? "warning" : action === "none" && code === "healthy" ? "success" : "info",
      code,
    };
  }

  return { decide, explain };
}
