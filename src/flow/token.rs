//! Checks the app's backend's answer (Meld's repair response, reference §8.1) before the browser
//! opens anything: the right connection, a live token, and a widget URL that is Meld's widget
//! carrying that same token. A compromised or buggy backend must not be able to make the page
//! open `javascript:`, another site, or a stale token.
//!
//! No message ever shows the connect token or a piece of it: values that share text with it are
//! replaced by a note, and the widget URL (which carries it) is never quoted.

use super::{jwt, query, url};
use crate::error::{Error, ErrorCode, Result};
use crate::read::{self, Reader, Source, Value};
use crate::text::decimal;

/// Meld's widget, production and sandbox (reference §7.1).
pub const DEFAULT_WIDGET_ORIGINS: &[&str] = &["https://institution-connect.meld.io", "https://institution-connect-sb.meld.io"];

/// A token expiring within this many seconds counts as expired: the customer needs time to log
/// in, and clocks drift.
pub const EXPIRY_MARGIN_SECONDS: u64 = 30;

/// Which widget URLs may be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WidgetPolicy {
    /// Normalised origins (`scheme://host[:port]`).
    pub allowed_origins: Vec<String>,
    /// Accept `http` for a loopback host (local tests against a fake widget).
    pub allow_insecure_loopback: bool,
}

impl WidgetPolicy {
    /// The app's `allowedWidgetOrigins`. An entry that is not an origin, an `http` origin that is
    /// not loopback or comes without `allow_insecure_loopback`, or an empty list is refused with
    /// `InvalidOptions` (a policy that can never match is a mistake, not a choice).
    pub fn new(origins: &[String], allow_insecure_loopback: bool) -> Result<WidgetPolicy> {
        if origins.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidOptions,
                "allowedWidgetOrigins is empty; leave it out to accept Meld's widget origins, or list at least one origin such as \"https://institution-connect.meld.io\"",
            ));
        }
        let mut allowed_origins = Vec::with_capacity(origins.len());
        for origin in origins {
            let Some(normalized) = url::normalize_origin(origin) else {
                return Err(Error::new(
                    ErrorCode::InvalidOptions,
                    &[
                        "allowedWidgetOrigins entries must be origins like \"https://institution-connect.meld.io\" (http or https, a host, an optional port; no path, query, credentials or spaces); got ",
                        &quote(origin, ""),
                    ]
                    .concat(),
                ));
            };
            let insecure = normalized.starts_with("http:");
            if insecure && !(allow_insecure_loopback && url::parse(&normalized).is_some_and(|parsed| url::is_loopback(&parsed.host))) {
                return Err(Error::new(
                    ErrorCode::InvalidOptions,
                    &[
                        "allowedWidgetOrigins entries must use https; http is accepted only for a loopback host (localhost, 127.x.y.z, [::1]) together with allowInsecureLoopback: true, for local tests; got ",
                        &quote(origin, ""),
                    ]
                    .concat(),
                ));
            }
            allowed_origins.push(normalized);
        }
        Ok(WidgetPolicy { allowed_origins, allow_insecure_loopback })
    }
}

impl WidgetPolicy {
    /// The app's `allowedWidgetOrigins` option as given (`undefined`/`null` for Meld's own).
    pub fn read<S: Source>(origins: Value<S>, allow_insecure_loopback: bool) -> Result<WidgetPolicy> {
        if origins.is_missing() {
            return Ok(WidgetPolicy::default());
        }
        let origins = read::strings(origins, &["options", "allowedWidgetOrigins"], ErrorCode::InvalidOptions)?;
        WidgetPolicy::new(&origins, allow_insecure_loopback)
    }
}

impl Default for WidgetPolicy {
    /// Meld's widget origins, https only.
    fn default() -> Self {
        WidgetPolicy {
            allowed_origins: DEFAULT_WIDGET_ORIGINS.iter().map(|&origin| origin.to_owned()).collect(),
            allow_insecure_loopback: false,
        }
    }
}

/// The backend's answer as the boundary read it: each field `None` when absent or not a string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenResponse {
    pub connect_token: Option<String>,
    pub widget_url: Option<String>,
    pub id: Option<String>,
    pub institution_id: Option<String>,
    /// The backend's refusal code, e.g. [`REPAIR_NOT_NEEDED`].
    pub code: Option<String>,
}

/// What meld-repair/server's token route answers (HTTP 409, with its `decision`) when the
/// connection it read from Meld needs no repair: the session ends `not_needed`.
pub const REPAIR_NOT_NEEDED: &str = "REPAIR_NOT_NEEDED";

impl TokenResponse {
    pub fn repair_not_needed(&self) -> bool {
        self.code.as_deref() == Some(REPAIR_NOT_NEEDED)
    }
}

/// A checked token, safe to open.
impl TokenResponse {
    /// The backend's answer (parsed JSON): an object whose fields are read as strings.
    pub fn read<S: Source>(response: Value<S>) -> Result<TokenResponse> {
        let reader = Reader::required(response, "the token response", ErrorCode::InvalidTokenResponse)?;
        Ok(TokenResponse {
            connect_token: reader.optional_string("connectToken")?,
            widget_url: reader.optional_string("widgetUrl")?,
            id: reader.optional_string("id")?,
            institution_id: reader.optional_string("institutionId")?,
            code: reader.optional_string("code")?,
        })
    }
}

/// The app's `headers` for the token request, as `(name, value)` pairs of strings.
pub fn read_headers<S: Source>(headers: Value<S>) -> Result<Vec<(String, String)>> {
    let reader = Reader::optional(headers, "options.headers", ErrorCode::InvalidOptions)?;
    reader
        .keys()?
        .into_iter()
        .map(|name| match reader.get_dynamic(&name)? {
            Value::Text(value) => Ok((name, value)),
            _ => Err(Error::with_value(ErrorCode::InvalidOptions, "options.headers values must be strings; not so for", &name)),
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepairToken {
    pub connect_token: String,
    /// The backend's URL as given (it was checked, not rebuilt).
    pub widget_url: String,
    /// Its origin, normalised: the origin widget messages must come from.
    pub widget_origin: String,
    pub institution_id: Option<String>,
    /// The token's `exp` (seconds since the epoch); always set by [`validate`].
    pub expires_at: Option<u64>,
}

/// Checks the backend's repair response for `connection_id` at `now_seconds`. Missing fields,
/// another connection's id, a malformed or expiring token are `InvalidTokenResponse`; a widget
/// URL that is not an allowed origin over https carrying that same token is `WidgetUrlRejected`.
pub fn validate(response: &TokenResponse, connection_id: &str, policy: &WidgetPolicy, now_seconds: u64) -> Result<RepairToken> {
    let token = required(&response.connect_token, "connectToken")?;
    let widget_url = required(&response.widget_url, "widgetUrl")?;
    let id = required(&response.id, "id")?;

    // The token is read first so that later messages can tell which values share text with it
    // (a backend that swapped fields would otherwise print the token in the id message).
    let Some(jwt::Claims { expires_at, connection_matches }) = jwt::claims(token, connection_id) else {
        return Err(invalid_response(
            "the token response's connectToken is not a JWT with an expiry (three base64url parts, the middle one a JSON object with a numeric exp); the backend must pass Meld's connectToken through unchanged",
        ));
    };
    if id != connection_id {
        return Err(invalid_response(
            &[
                "the token response's id ",
                &quote(id, token),
                " is not the connection being repaired ",
                &quote(connection_id, token),
                "; the backend must call POST /bank-linking/connect/repair with this connection's id",
            ]
            .concat(),
        ));
    }
    if connection_matches == Some(false) {
        // The response's id is the backend's word; the token's claim is Meld's. A token for
        // another connection (another customer's session) must not open.
        return Err(invalid_response(
            "the token response's connectToken was issued for another connection (its connection claim is not the connection being repaired); the backend must call POST /bank-linking/connect/repair with this connection's id and return that response unchanged",
        ));
    }
    if expires_too_soon(Some(expires_at), now_seconds) {
        return Err(invalid_response(
            &[
                "the backend returned an expired token: its connectToken expires at ",
                &decimal(expires_at),
                ", now is ",
                &decimal(now_seconds),
                " (",
                &decimal(EXPIRY_MARGIN_SECONDS),
                " seconds of margin); the backend must request a fresh one from POST /bank-linking/connect/repair each time the customer starts a repair, not reuse a stored one, and its clock must be right",
            ]
            .concat(),
        ));
    }

    let widget_origin = check_widget_url(widget_url, token, policy)?;
    Ok(RepairToken {
        connect_token: token.to_owned(),
        widget_url: widget_url.to_owned(),
        widget_origin,
        institution_id: response.institution_id.clone().filter(|institution| !institution.is_empty()),
        expires_at: Some(expires_at),
    })
}

/// Whether a cached token is too close to its expiry to open (the same margin as [`validate`]).
/// A token without a known expiry counts as expired: it is cheaper to ask again than to open a
/// dead widget.
pub fn is_expired(token: &RepairToken, now_seconds: u64) -> bool {
    expires_too_soon(token.expires_at, now_seconds)
}

/// The one freshness rule: an expiry inside [`EXPIRY_MARGIN_SECONDS`] from now, or none known.
pub fn expires_too_soon(expires_at: Option<u64>, now_seconds: u64) -> bool {
    expires_at.is_none_or(|expires_at| expires_at <= now_seconds.saturating_add(EXPIRY_MARGIN_SECONDS))
}

/// The URL's normalised origin when it may be opened with `token`.
fn check_widget_url(widget_url: &str, token: &str, policy: &WidgetPolicy) -> Result<String> {
    let Some(parsed) = url::parse(widget_url) else {
        return Err(match foreign_scheme(widget_url) {
            Some(scheme) => rejected(
                &[
                    "the widgetUrl's scheme ",
                    &quote(scheme, token),
                    " is not https; only Meld's widget (https://institution-connect.meld.io/?connectToken=…) may be opened, so the backend must return Meld's widgetUrl unchanged",
                ]
                .concat(),
            ),
            None => rejected(
                "the widgetUrl is not an absolute https URL with a host (credentials, spaces, control characters, backslashes and bad ports are refused); the backend must return Meld's widgetUrl unchanged. The URL is not shown because it carries the connect token",
            ),
        });
    };
    if parsed.scheme != "https" {
        // `http` only for a loopback host with the opt-in; the origin must then be allowed too.
        if !url::is_loopback(&parsed.host) {
            return Err(rejected(
                "the widgetUrl uses http on a host that is not loopback; only https is accepted, so the backend must return Meld's widgetUrl unchanged",
            ));
        }
        if !policy.allow_insecure_loopback {
            return Err(rejected(
                "the widgetUrl uses http on a loopback host; that is accepted only for local tests, with allowInsecureLoopback: true and its origin in allowedWidgetOrigins",
            ));
        }
    }
    check_origin_and_token(parsed, token, policy)
}

fn check_origin_and_token(parsed: url::WidgetUrl, token: &str, policy: &WidgetPolicy) -> Result<String> {
    if !policy.allowed_origins.contains(&parsed.origin) {
        return Err(rejected(
            &[
                "the widgetUrl's origin ",
                &quote(&parsed.origin, token),
                " is not an allowed widget origin; if it really is Meld's widget add it to allowedWidgetOrigins, otherwise the backend must return Meld's widgetUrl unchanged",
            ]
            .concat(),
        ));
    }
    match query::query_param(&parsed.query, "connectToken") {
        None => Err(rejected(
            "the widgetUrl carries no connectToken query parameter; the backend must return Meld's widgetUrl unchanged",
        )),
        Some(carried) if carried != token => Err(rejected(
            "the widgetUrl's connectToken is not the response's connectToken; the backend must return the connectToken and widgetUrl of the same repair response",
        )),
        Some(_) => Ok(parsed.origin),
    }
}

/// The scheme of a URL `url::parse` refused, when it clearly has one that is not http(s)
/// (`javascript:`, `data:`, `ftp:`), for a clearer message.
fn foreign_scheme(widget_url: &str) -> Option<&str> {
    let (scheme, _) = widget_url.split_once(':')?;
    let well_formed = scheme.len() <= 16
        && scheme.bytes().next().is_some_and(|first| first.is_ascii_alphabetic())
        && scheme.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.'));
    let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    (well_formed && !web).then_some(scheme)
}

fn required<'a>(field: &'a Option<String>, name: &str) -> Result<&'a str> {
    match field.as_deref() {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(invalid_response(
            &[
                "the token response has no ",
                name,
                "; the backend must return Meld's POST /bank-linking/connect/repair response as it is: { connectToken, widgetUrl, id, institutionId }",
            ]
            .concat(),
        )),
    }
}

fn invalid_response(message: &str) -> Error {
    Error::new(ErrorCode::InvalidTokenResponse, message)
}

fn rejected(message: &str) -> Error {
    Error::new(ErrorCode::WidgetUrlRejected, message)
}

/// Values longer than this are described, not shown.
const SHOWN_MAX: usize = 64;

/// Shared runs of this many bytes count as "part of the token".
const TOKEN_PIECE: usize = 8;

/// `"value"` for a message, or a note in its place when it is long or shares a run of
/// [`TOKEN_PIECE`] bytes with `token`. Bounded work: at most 57 windows of a value of at most
/// 64 bytes, each looked for in a token `jwt::expiry` capped at 16 KB.
fn quote(value: &str, token: &str) -> String {
    if value.len() > SHOWN_MAX {
        return ["(a value of ", &decimal(value.chars().count() as u64), " characters, not shown)"].concat();
    }
    let token = token.as_bytes();
    let shares_token = value.as_bytes().windows(TOKEN_PIECE).any(|piece| token.windows(TOKEN_PIECE).any(|window| window == piece));
    if shares_token {
        return String::from("(not shown: it contains part of the connect token)");
    }
    ["\"", value, "\""].concat()
}
