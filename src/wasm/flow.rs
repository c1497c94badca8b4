//! The repair flow's boundary: the session machine, the token request (built by gloo-net) and
//! the meaning of its answer, the retry policy, the readers of token responses and widget
//! messages, for js/repair-session.js to call. Every export is synchronous.

use gloo_net::http::Request;
use js_sys::{Array, Date, Math, JSON};
use wasm_bindgen::prelude::*;
use web_sys::{RequestCredentials, RequestRedirect};

use super::convert::{own, static_string, value, Writer};
use crate::error::{Error, ErrorCode};
use crate::flow::message::{self, Account, MessageFields, WidgetEvent};
use crate::text::decimal;
use crate::flow::retry::{next_delay, retryable_status};
use crate::flow::session::{self, Effect, Input, State};
use crate::flow::token::{self, RepairToken, TokenResponse, WidgetPolicy};

/// `{ state, effects, outcome }` after feeding `input` to a session in `state`, or `null` when
/// the input means nothing there. `outcome`, when the step finishes the session, says which
/// fields the outcome carries: `{ metadata, reason, error, dataArrivesByWebhook, note }`.
#[wasm_bindgen(js_name = sessionStep)]
pub fn session_step(state: &str, input: &str) -> JsValue {
    let (Some(state), Some(input)) = (State::parse(state), Input::parse(input)) else {
        return JsValue::NULL;
    };
    let Some((next, effects)) = session::step(state, input) else { return JsValue::NULL };
    let outcome = effects.contains(&Effect::Finish).then(|| next.outcome()).flatten().map(|outcome| {
        Writer::new()
            .set("metadata", outcome.metadata)
            .set("reason", outcome.reason)
            .set("error", outcome.error)
            .set("dataArrivesByWebhook", outcome.data_arrives_by_webhook)
            .set("backendDecision", outcome.backend_decision)
            .set_optional("note", outcome.note().map(static_string))
            .build()
    });
    Writer::new()
        .set_static("state", next.as_str())
        .set("effects", effects.iter().map(|effect| static_string(effect.as_str())).collect::<Array>())
        .set_optional("outcome", outcome)
        .build()
}

/// The app's `allowedWidgetOrigins`, normalised, or `INVALID_OPTIONS`.
#[wasm_bindgen(js_name = widgetOrigins)]
pub fn widget_origins(origins: JsValue, allow_insecure_loopback: bool) -> std::result::Result<Array, JsValue> {
    let policy = WidgetPolicy::read(value(origins), allow_insecure_loopback)?;
    Ok(policy.allowed_origins.iter().map(|origin| JsValue::from_str(origin)).collect())
}

/// Checks the backend's answer (Meld's repair response, unchanged) against the connection and
/// the allowed widget origins; returns `{ connectToken, widgetUrl, widgetOrigin,
/// institutionId, expiresAt }`, or `{ notNeeded: true, decision }` when the backend says no
/// repair is needed, or throws `INVALID_TOKEN_RESPONSE` / `WIDGET_URL_REJECTED`.
#[wasm_bindgen(js_name = validateTokenResponse)]
pub fn validate_token_response(
    response: JsValue,
    connection_id: &str,
    origins: JsValue,
    allow_insecure_loopback: bool,
) -> std::result::Result<JsValue, JsValue> {
    let policy = WidgetPolicy::read(value(origins), allow_insecure_loopback)?;
    let answer = response.clone();
    let response = TokenResponse::read(value(response))?;
    if response.repair_not_needed() {
        let decision = own(&answer, "decision");
        return Ok(Writer::new().set("notNeeded", true).set("decision", decision).build());
    }
    let token: RepairToken = token::validate(&response, connection_id, &policy, now_seconds())?;
    Ok(Writer::new()
        .set("connectToken", token.connect_token)
        .set("widgetUrl", token.widget_url)
        .set("widgetOrigin", token.widget_origin)
        .set_optional("institutionId", token.institution_id)
        .set_optional("expiresAt", token.expires_at.map(|at| at as f64))
        .build())
}

/// Whether a token that expires at `expires_at` (seconds, or null) is still worth opening the
/// widget with.
#[wasm_bindgen(js_name = tokenIsFresh)]
pub fn token_is_fresh(expires_at: Option<f64>) -> bool {
    let expires_at = expires_at.filter(|at| at.is_finite() && *at >= 0.0).map(|at| at as u64);
    !token::expires_too_soon(expires_at, now_seconds())
}

fn now_seconds() -> u64 {
    (Date::now() / 1000.0) as u64
}

/// A widget `postMessage` payload as a typed event `{ name, details, reason, institutionId,
/// institutionName, accountCount, accounts }`, or `null` when it is not a Meld event.
#[wasm_bindgen(js_name = parseWidgetMessage)]
pub fn parse_widget_message(data: JsValue) -> JsValue {
    let Some(fields) = MessageFields::read(value(data)) else { return JsValue::NULL };
    let Some(event) = message::parse(&fields) else { return JsValue::NULL };
    let event_object = Writer::new().set("name", event.name());
    match event {
        WidgetEvent::Init | WidgetEvent::Other { .. } => event_object,
        WidgetEvent::Debug { details } => event_object.set_optional("details", details),
        WidgetEvent::Error { details, reason } => event_object.set_optional("details", details).set_optional("reason", reason),
        WidgetEvent::ConnectComplete { institution_id, institution_name, account_count } => event_object
            .set_optional("institutionId", institution_id)
            .set_optional("institutionName", institution_name)
            .set_optional("accountCount", account_count)
            .set_optional("accounts", fields.accounts.map(|accounts| accounts_array(&accounts))),
    }
    .build()
}

fn accounts_array(accounts: &[Account]) -> JsValue {
    let account = |account: &Account| {
        Writer::new()
            .set_optional("name", account.name.as_deref())
            .set_optional("type", account.kind.as_deref())
            .set_optional("mask", account.mask.as_deref())
            .build()
    };
    accounts.iter().map(account).collect::<Array>().into()
}

/// How long to wait before asking the backend again after attempt `attempt` failed with an
/// error of `code` (`retryable` as the error says), or -1 to give up: the one retry policy for
/// `tokenUrl` and the app's `fetchToken` alike.
#[wasm_bindgen(js_name = retryDelay)]
pub fn retry_delay(code: &str, retryable: bool, attempt: u32, retries: u32) -> i32 {
    let Some(code) = ErrorCode::parse(code) else { return -1 };
    let failure = Error::new(code, "").retryable(retryable);
    next_delay(&failure, attempt, retries, Math::random()).map_or(-1, |ms| ms as i32)
}

/// The POST of `{ connectionId }` to the app's backend, built by gloo-net, for the driver to
/// `fetch` (js/repair-session.js): the request is made in wasm, the waiting done in JS, so no
/// wasm runs in a microtask of its own, where a trap could neither settle `start()` nor be
/// caught by the instance guard (js/instance.js).
#[wasm_bindgen(js_name = tokenRequest)]
pub fn token_request(url: &str, connection_id: String, headers: JsValue) -> std::result::Result<web_sys::Request, JsValue> {
    let body = JSON::stringify(&Writer::new().set("connectionId", connection_id).build())?;
    let headers = token::read_headers(value(headers))?;
    // No redirect is followed: one to another origin would carry the app's headers there and
    // bring back that origin's token. `Manual` (not `Error`) so that a redirect can be told from
    // a network error, and is not retried.
    let mut request = Request::post(url)
        .header("Content-Type", "application/json")
        .credentials(RequestCredentials::SameOrigin)
        .redirect(RequestRedirect::Manual);
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let request = request.body(body).map_err(|_| bad_url(url))?;
    Ok(request.into())
}

/// What the token endpoint's answer means: its JSON `answer` to validate, or the coded error.
/// `status` is 0 when no response came (network error, CORS), `redirected` whether the answer
/// was a redirect (a browser shows it as an opaque one, Node with its status), `answer`
/// undefined when the body was not read or is not JSON, `timed_out` whether `timeoutMs` ran
/// out first.
#[wasm_bindgen(js_name = tokenAnswer)]
pub fn token_answer(status: u16, redirected: bool, answer: JsValue, timed_out: bool, timeout_ms: u32) -> std::result::Result<JsValue, JsValue> {
    if timed_out {
        return Err(timed_out_error(timeout_ms).into());
    }
    if redirected || matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Err(Error::new(ErrorCode::TokenEndpointFailed, "the token endpoint answered a redirect, and the token request follows none (it would carry your headers to wherever it points); point tokenUrl at the final URL").retryable(false).into());
    }
    if status == 0 {
        return Err(Error::new(ErrorCode::TokenEndpointFailed, "the token endpoint could not be reached (network error or CORS); check tokenUrl and that the backend is up").into());
    }
    if status == 409 && TokenResponse::read(value(answer.clone())).is_ok_and(|answer| answer.repair_not_needed()) {
        return Ok(answer); // the backend's "no repair needed", for validateTokenResponse to read
    }
    if !(200..300).contains(&status) {
        return Err(Error::new(
            ErrorCode::TokenEndpointFailed,
            &["the token endpoint answered HTTP ", &decimal(u32::from(status)), status_hint(status)].concat(),
        )
        .retryable(retryable_status(status))
        .into());
    }
    if answer.is_undefined() {
        return Err(Error::new(
            ErrorCode::InvalidTokenResponse,
            "the token endpoint's answer is not JSON (an HTML error page?); it must relay Meld's repair response { connectToken, widgetUrl, id, institutionId } unchanged",
        )
        .into());
    }
    Ok(answer)
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => ": the backend refused the request; is the customer signed in, and are credentials or headers needed?",
        404 => ": check tokenUrl, and that the connection exists in this Meld environment",
        429 => ": rate limited; try again later",
        500..=599 => ": the backend or Meld failed; try again later",
        _ => ": the backend rejected the request",
    }
}

fn timed_out_error(timeout_ms: u32) -> Error {
    Error::new(
        ErrorCode::TokenEndpointTimeout,
        &["the token endpoint did not answer within ", &decimal(timeout_ms), " ms; try again, or raise timeoutMs"].concat(),
    )
}

fn bad_url(url: &str) -> Error {
    Error::with_value(ErrorCode::InvalidOptions, "tokenUrl is not a URL fetch accepts:", url)
}
