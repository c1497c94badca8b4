//! `token_response`: the backend's repair response → `flow::token::validate`. Whatever the
//! backend sends, an accepted token is one the browser may open: the widget URL's origin is an
//! allowed one (https, or http on loopback with the opt-in), the URL carries that very token,
//! the token is a JWT that outlives the margin and the id is the connection's. A refusal is
//! coded, bounded in size and never shows the token.
//!
//! Lines: connectToken (`$jwt:<exp>` builds a Meld-shaped JWT expiring then), widgetUrl
//! (`$T` is replaced by the token), id (`$T` token, `$C` connection id), institutionId,
//! connection id, now (seconds), allowedWidgetOrigins (comma list; absent: the default),
//! allowInsecureLoopback (`1`).
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use meld_repair::error::ErrorCode;
use meld_repair::flow::token::{self, TokenResponse, WidgetPolicy, EXPIRY_MARGIN_SECONDS};
use meld_repair::flow::{jwt, query, url};

fuzz_target!(|data: &[u8]| {
    let mut lines = common::Lines::new(data);
    let token = lines.opt().map(|token| match token.strip_prefix("$jwt:") {
        Some(exp) => meld_jwt(exp),
        None => token,
    });
    let token_text = token.clone().unwrap_or_default();
    let widget_url = lines.opt().map(|url| url.replace("$T", &token_text));
    let connection_id = {
        // Read out of order so `$C` can refer to it.
        let id = lines.opt();
        let institution_id = lines.opt();
        let connection_id = lines.text();
        let id = id.map(|id| id.replace("$T", &token_text).replace("$C", &connection_id));
        (id, institution_id, connection_id)
    };
    let (id, institution_id, connection_id) = connection_id;
    let now = lines.number(1_700_000_000);
    let origins = lines.opt().map(|line| line.split(',').map(str::to_owned).collect::<Vec<_>>());
    let allow_insecure_loopback = lines.flag();

    let policy = match origins {
        None => WidgetPolicy::default(),
        Some(origins) => match WidgetPolicy::new(&origins, allow_insecure_loopback) {
            Ok(policy) => {
                assert_eq!(policy.allowed_origins.len(), origins.len());
                for (given, normalized) in origins.iter().zip(&policy.allowed_origins) {
                    assert_eq!(url::normalize_origin(given).as_ref(), Some(normalized));
                    let parsed = url::parse(normalized).expect("a normalised origin parses");
                    assert!(parsed.scheme == "https" || (allow_insecure_loopback && url::is_loopback(&parsed.host)), "{normalized}");
                }
                policy
            }
            Err(error) => {
                assert_eq!(error.code, ErrorCode::InvalidOptions);
                assert!(error.message.len() < 600, "{} bytes", error.message.len());
                return;
            }
        },
    };

    let response = TokenResponse { connect_token: token.clone(), widget_url: widget_url.clone(), id: id.clone(), institution_id: institution_id.clone(), code: None };
    match token::validate(&response, &connection_id, &policy, now) {
        Ok(repair) => {
            let token = token.expect("accepted without a token");
            assert_eq!(repair.connect_token, token);
            assert_eq!(id.as_deref(), Some(connection_id.as_str()), "accepted for another connection");
            let expires_at = jwt::expiry(&token).expect("accepted a token without an expiry");
            let issued_for = jwt::claims(&token, &connection_id).and_then(|claims| claims.connection_matches);
            assert_ne!(issued_for, Some(false), "accepted a token issued for another connection");
            assert_eq!(repair.expires_at, Some(expires_at));
            assert!(expires_at > now.saturating_add(EXPIRY_MARGIN_SECONDS), "accepted an expiring token");
            assert!(!token::is_expired(&repair, now));
            let widget_url = widget_url.expect("accepted without a widget URL");
            assert_eq!(repair.widget_url, widget_url);
            let parsed = url::parse(&widget_url).expect("accepted a URL that does not parse");
            assert_eq!(parsed.origin, repair.widget_origin);
            assert!(policy.allowed_origins.contains(&repair.widget_origin), "origin {} is not allowed", repair.widget_origin);
            assert!(parsed.scheme == "https" || (policy.allow_insecure_loopback && url::is_loopback(&parsed.host)), "insecure {widget_url}");
            assert_eq!(query::query_param(&parsed.query, "connectToken").as_deref(), Some(token.as_str()), "the URL carries another token");
            assert_eq!(repair.institution_id, institution_id.filter(|institution| !institution.is_empty()));
        }
        Err(error) => {
            assert!(matches!(error.code, ErrorCode::InvalidTokenResponse | ErrorCode::WidgetUrlRejected), "{:?}", error.code);
            assert!(!error.retryable);
            assert!(error.message.len() < 1_000, "a {}-byte message", error.message.len());
            if let Some(token) = token.as_deref()
                && token.len() >= 8
                && jwt::expiry(token).is_some()
            {
                assert!(!error.message.contains(token), "the token leaked: {}", error.message);
                // The values the message quotes share no 8-byte piece with the token (their
                // quotes delimit them when no value holds a quote itself).
                let quotable = [id.as_deref().unwrap_or_default(), &connection_id];
                if quotable.iter().all(|value| !value.contains('"')) {
                    for quoted in error.message.split('"').skip(1).step_by(2) {
                        assert!(!common::shares_window(quoted, token, 8), "a piece of the token leaked: {}", error.message);
                    }
                }
            }
        }
    }
});

/// A JWT shaped like Meld's connect token (HS256 header, Meld's claims), expiring at `exp`
/// (any text: the fuzzer may make it something other than a number).
fn meld_jwt(exp: &str) -> String {
    let payload = [r#"{"iss":"meld.io","connection":"WQ5RitxnrnggqcT8noLoZN","regions":["US"],"exp":"#, exp, "}"].concat();
    [common::b64url(br#"{"alg":"HS256","typ":"JWT"}"#), common::b64url(payload.as_bytes()), common::b64url(b"fake-signature-0123456789abcdef")].join(".")
}

