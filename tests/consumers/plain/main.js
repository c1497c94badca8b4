// No bundler: the browser loads the package's files as they are.
import { decide, explain } from "./node_modules/meld-repair/pkg/index.js";
import "./node_modules/meld-repair/pkg/element.js";

const connection = { id: "conn_2", status: "DEGRADED", statusReason: "INSTITUTION_ACTION_REQUIRED", institutionName: "Paisley Trust" };
document.querySelector("#title").textContent = explain(connection).title;
document.querySelector("#decision").textContent = decide(connection).action;
