import { decide, explain } from "meld-repair";
import "meld-repair/element";

const connection = {
  id: "conn_1",
  status: "RECONNECT_REQUIRED",
  statusReason: "LOGIN_REQUIRED",
  institutionName: "First Platypus Bank",
};

const decision = decide(connection);
const { title, message } = explain(connection, { locale: "en" });
document.querySelector("#title").textContent = title;
document.querySelector("#message").textContent = message;
document.querySelector("#decision").textContent = `${decision.action} (${decision.urgency})`;
document.querySelector("#status").connection = connection;
