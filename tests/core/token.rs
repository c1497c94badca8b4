//! The token response check: the right connection, a live token, and a widget URL that is
//! Meld's widget carrying that same token; no message ever shows the token or a piece of it.

use meld_repair::error::{Error, ErrorCode};
use meld_repair::flow::token::{self, RepairToken, TokenResponse, WidgetPolicy, DEFAULT_WIDGET_ORIGINS};
use meld_repair::flow::url::normalize_origin;

use crate::support::*;

/// Neither the token nor any 8-character piece of it appears in the message.
#[track_caller]
fn assert_token_not_in(message: &str, token: &str) {
    assert!(!message.contains(token), "token leaked: {message}");
    for piece in token.as_bytes().windows(8) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(!message.contains(piece), "a piece of the token ({piece}) leaked: {message}");
    }
}

#[test]
fn valid_repair_response() {
    let token = good_token();
    let repair = validate(&response(&token, &widget_url(SANDBOX, &token), CONNECTION)).unwrap();
    assert_eq!(repair.connect_token, token);
    assert_eq!(repair.widget_url, widget_url(SANDBOX, &token));
    assert_eq!(repair.widget_origin, SANDBOX);
    assert_eq!(repair.institution_id.as_deref(), Some(INSTITUTION));
    assert_eq!(repair.expires_at, Some(NOW + 3 * 3600));
    assert!(!token::is_expired(&repair, NOW));

    // The sample shape (no `/` before `?`), production, extra parameters, a fragment.
    for widget in [
        format!("{PROD}?connectToken={token}"),
        format!("{PROD}/?lang=en&connectToken={token}#top"),
        format!("HTTPS://INSTITUTION-CONNECT.MELD.IO:443/?connectToken={token}"),
    ] {
        let repair = validate(&response(&token, &widget, CONNECTION)).unwrap();
        assert_eq!(repair.widget_origin, PROD);
    }
    // No institutionId is fine, and an empty one reads as none.
    let mut without = response(&token, &widget_url(PROD, &token), CONNECTION);
    without.institution_id = None;
    assert_eq!(validate(&without).unwrap().institution_id, None);
    without.institution_id = Some(String::new());
    assert_eq!(validate(&without).unwrap().institution_id, None);
}

#[test]
fn missing_fields_are_named() {
    let token = good_token();
    let full = response(&token, &widget_url(PROD, &token), CONNECTION);
    for (field, name) in [(0, "connectToken"), (1, "widgetUrl"), (2, "id")] {
        for value in [None, Some(String::new())] {
            let mut broken = full.clone();
            match field {
                0 => broken.connect_token = value.clone(),
                1 => broken.widget_url = value.clone(),
                _ => broken.id = value.clone(),
            }
            let error = rejected(validate(&broken), ErrorCode::InvalidTokenResponse, &["no ", name]);
            assert!(!error.retryable);
        }
    }
    let error = rejected(validate(&TokenResponse::default()), ErrorCode::InvalidTokenResponse, &[]);
    assert!(error.message.contains("connectToken"));
}

#[test]
fn another_connections_id_is_rejected() {
    let token = good_token();
    let error = rejected(
        validate(&response(&token, &widget_url(PROD, &token), "someOtherConnection")),
        ErrorCode::InvalidTokenResponse,
        &["\"someOtherConnection\"", CONNECTION, "POST /bank-linking/connect/repair"],
    );
    assert_eq!(
        error.message,
        format!(
            "the token response's id \"someOtherConnection\" is not the connection being repaired \"{CONNECTION}\"; the backend must call POST /bank-linking/connect/repair with this connection's id"
        )
    );
    // Exact comparison: no trimming, no case folding.
    for id in [format!(" {CONNECTION}"), CONNECTION.to_lowercase(), format!("{CONNECTION}\0")] {
        rejected(validate(&response(&token, &widget_url(PROD, &token), &id)), ErrorCode::InvalidTokenResponse, &["not the connection"]);
    }
}

#[test]
fn a_token_issued_for_another_connection_is_rejected() {
    let exp = NOW + 3600;
    // The response's id is right; the token's own connection claim is not (red-team D4).
    for claim in [r#""conn_ATTACKER""#, &format!(r#""{}""#, CONNECTION.to_lowercase()), "42", "null"] {
        let token = jwt_with_payload(format!(r#"{{"connection":{claim},"exp":{exp}}}"#));
        let error = rejected(validate(&response(&token, &widget_url(PROD, &token), CONNECTION)), ErrorCode::InvalidTokenResponse, &["issued for another connection"]);
        assert_token_not_in(&error.message, &token);
    }
    // The claim as JSON.parse decodes it, the last one winning; no claim at all is accepted.
    let escaped: String = CONNECTION.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
    for payload in [
        format!(r#"{{"connection":"{escaped}","exp":{exp}}}"#),
        format!(r#"{{"connection":"conn_ATTACKER","connection":"{CONNECTION}","exp":{exp}}}"#),
        format!(r#"{{"exp":{exp}}}"#),
        format!(r#"{{"nested":{{"connection":"conn_ATTACKER"}},"exp":{exp}}}"#),
    ] {
        let token = jwt_with_payload(&payload);
        assert!(validate(&response(&token, &widget_url(PROD, &token), CONNECTION)).is_ok(), "{payload}");
    }
}

#[test]
fn expired_tokens_are_rejected() {
    for exp in [0, NOW - 3600, NOW, NOW + 30] {
        let token = jwt(exp.max(14_400));
        let error = rejected(
            validate(&response(&token, &widget_url(PROD, &token), CONNECTION)),
            ErrorCode::InvalidTokenResponse,
            &["the backend returned an expired token", "POST /bank-linking/connect/repair"],
        );
        assert_token_not_in(&error.message, &token);
    }
    let token = jwt(NOW + 31);
    let repair = validate(&response(&token, &widget_url(PROD, &token), CONNECTION)).unwrap();
    assert!(!token::is_expired(&repair, NOW));
    assert!(token::is_expired(&repair, NOW + 1));
    assert!(token::is_expired(&repair, u64::MAX));
    assert!(token::is_expired(&RepairToken { expires_at: None, ..repair }, NOW), "an unknown expiry is not trusted");
}

#[test]
fn malformed_tokens_are_invalid_responses() {
    let payload = b64url(br#"{"exp":1800000000}"#);
    for token in [
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}"),              // two parts
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}$$.c2ln"),       // bad base64
        jwt_with_payload("this is not json"),                    // payload not JSON
        jwt_with_payload(r#"{"exp":"1800000000"}"#),             // exp as a string
        jwt_with_payload(r#"{"exp":-1800000000}"#),              // exp negative
        "opaque-token-that-is-not-a-jwt".to_owned(),
    ] {
        let error = rejected(
            validate(&response(&token, &widget_url(PROD, &token), CONNECTION)),
            ErrorCode::InvalidTokenResponse,
            &["connectToken is not a JWT"],
        );
        assert_token_not_in(&error.message, &token);
    }
}

/// Widget URLs refused for the good token, all `WIDGET_URL_REJECTED`: (name, URL, what the
/// message says). In the URL, `{token}` is the response's token, `{token-1}` the same without
/// its last character, `{other}` another live token and `{prod}` Meld's production origin.
#[rustfmt::skip]
const REFUSED_WIDGET_URLS: &[(&str, &str, &str)] = &[
    ("javascript",                                       "javascript:alert(document.cookie)//?connectToken={token}",                 "\"javascript\""),
    ("javascript in capitals",                           "JAVASCRIPT:alert(1)//?connectToken={token}",                               "is not https"),
    ("data",                                             "data:text/html;base64,PHNjcmlwdD4=?connectToken={token}",                  "\"data\""),
    ("vbscript_widget_url_names_its_scheme",             "vbscript:msgbox(1)?connectToken={token}",                                  "scheme \"vbscript\" is not https"),
    ("blob_widget_url_on_meld_origin_is_refused",        "blob:{prod}/0f4c2f5e-1b0a-4c43-9f7e-2d7e0c6a1b2c?connectToken={token}",    "scheme \"blob\" is not https"),
    ("file_widget_url_is_refused",                       "file:///etc/passwd?connectToken={token}",                                  "scheme \"file\""),
    ("javascript_split_by_a_newline_is_not_a_url",       "java\nscript:alert(1)//?connectToken={token}",                             "is not an absolute https URL"),
    ("http on Meld's host",                              "http://institution-connect.meld.io/?connectToken={token}",                 "http on a host that is not loopback"),
    ("another host",                                     "https://evil.example/?connectToken={token}",                               "\"https://evil.example\" is not an allowed widget origin"),
    ("Meld's host as a subdomain",                       "https://institution-connect.meld.io.evil.example/?connectToken={token}",   "not an allowed widget origin"),
    ("another port",                                     "https://institution-connect.meld.io:8443/?connectToken={token}",           "not an allowed widget origin"),
    ("trailing_dot_host_is_another_origin",              "https://institution-connect.meld.io./?connectToken={token}",               "\"https://institution-connect.meld.io.\" is not an allowed widget origin"),
    ("meld_host_after_a_fragment_is_not_the_host",       "https://evil.example#@institution-connect.meld.io/?connectToken={token}",  "\"https://evil.example\" is not an allowed widget origin"),
    ("meld_host_after_a_question_mark_is_not_the_host",  "https://evil.example?@institution-connect.meld.io/&connectToken={token}",  "\"https://evil.example\" is not an allowed widget origin"),
    ("Meld's host as userinfo",                          "https://institution-connect.meld.io@evil.example/?connectToken={token}",   "not an absolute https URL"),
    ("a backslash before the userinfo",                  "https://institution-connect.meld.io\\@evil.example/?connectToken={token}", "not an absolute https URL"),
    ("empty_userinfo_is_still_userinfo",                 "https://:@institution-connect.meld.io/?connectToken={token}",              "not an absolute https URL"),
    ("percent_encoded_at_in_the_host_is_refused",        "https://institution-connect.meld.io%40evil.example/?connectToken={token}", "not an absolute https URL"),
    ("scheme-relative",                                  "//institution-connect.meld.io/?connectToken={token}",                      "not an absolute https URL"),
    ("path only",                                        "/widget?connectToken={token}",                                             "not an absolute https URL"),
    ("a leading space",                                  " https://institution-connect.meld.io/?connectToken={token}",               "not an absolute https URL"),
    ("no query",                                         "{prod}/",                                                                  "no connectToken"),
    ("another parameter",                                "{prod}/?token={token}",                                                    "no connectToken"),
    ("the token in the fragment",                        "{prod}/#connectToken={token}",                                             "no connectToken"),
    ("connect_token_key_in_another_case_is_absent",      "{prod}/?ConnectToken={token}",                                             "carries no connectToken"),
    // Fuzzing finding (fuzz/artifacts/url/crash-07f1b47e…): the widget reads
    // `new URL(widgetUrl).searchParams`, whose first key is `?connectToken`: it finds no token.
    ("widget_url_query_starting_with_a_question_mark",   "{prod}??connectToken={token}",                                             "carries no connectToken"),
    ("another token",                                    "{prod}/?connectToken={other}",                                             "not the response's connectToken"),
    ("an empty token",                                   "{prod}/?connectToken=",                                                    "not the response's connectToken"),
    ("another token first",                              "{prod}/?connectToken={other}&connectToken={token}",                        "not the response's connectToken"),
    ("the token cut short",                              "{prod}/?connectToken={token-1}",                                           "not the response's connectToken"),
    ("plus_after_the_token_is_a_space_so_another_token", "{prod}/?connectToken={token}+",                                            "is not the response's connectToken"),
    ("loopback http without the opt-in",                 "http://localhost:8080/?connectToken={token}",                              "allowInsecureLoopback"),
];

#[test]
fn widget_url_rejections() {
    let token = good_token();
    let other = jwt(NOW + 7200);
    for &(name, template, mention) in REFUSED_WIDGET_URLS {
        let widget = template
            .replace("{token-1}", &token[..token.len() - 1])
            .replace("{token}", &token)
            .replace("{other}", &other)
            .replace("{prod}", PROD);
        let error = rejected(validate(&response(&token, &widget, CONNECTION)), ErrorCode::WidgetUrlRejected, &[mention]);
        assert!(!error.retryable, "{name}");
        assert_token_not_in(&error.message, &token);
        assert_token_not_in(&error.message, &other);
    }
}

#[test]
fn insecure_loopback_needs_the_opt_in_and_the_origin() {
    let token = good_token();
    let local = widget_url("http://localhost:8080", &token);
    let policy = WidgetPolicy::new(&["http://localhost:8080".to_owned()], true).unwrap();
    let repair = token::validate(&response(&token, &local, CONNECTION), CONNECTION, &policy, NOW).unwrap();
    assert_eq!(repair.widget_origin, "http://localhost:8080");
    let policy = WidgetPolicy::new(&["http://127.0.0.1:5173/".to_owned(), "http://[::1]".to_owned()], true).unwrap();
    for widget in [widget_url("http://127.0.0.1:5173", &token), widget_url("http://[::1]:80", &token)] {
        token::validate(&response(&token, &widget, CONNECTION), CONNECTION, &policy, NOW).unwrap();
    }

    // The opt-in alone does not allow a loopback origin that is not listed …
    let policy = WidgetPolicy::new(&[PROD.to_owned()], true).unwrap();
    let error = token::validate(&response(&token, &local, CONNECTION), CONNECTION, &policy, NOW).unwrap_err();
    assert_eq!(error.code, ErrorCode::WidgetUrlRejected);
    assert!(error.message.contains("\"http://localhost:8080\" is not an allowed widget origin"), "{}", error.message);
    // … nor https-only origins on another port.
    let policy = WidgetPolicy::new(&["http://localhost:3000".to_owned()], true).unwrap();
    let error = token::validate(&response(&token, &local, CONNECTION), CONNECTION, &policy, NOW).unwrap_err();
    assert_eq!(error.code, ErrorCode::WidgetUrlRejected);

    // Without the opt-in, a listed loopback origin is refused when the policy is built …
    let error = WidgetPolicy::new(&["http://localhost:8080".to_owned()], false).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOptions);
    assert!(error.message.contains("allowInsecureLoopback"), "{}", error.message);
    // … and, for a policy built by hand, when the URL is checked.
    let by_hand = WidgetPolicy { allowed_origins: vec!["http://localhost:8080".to_owned()], allow_insecure_loopback: false };
    let error = token::validate(&response(&token, &local, CONNECTION), CONNECTION, &by_hand, NOW).unwrap_err();
    assert_eq!(error.code, ErrorCode::WidgetUrlRejected);
    assert!(error.message.contains("allowInsecureLoopback"), "{}", error.message);

    // http on a public host stays refused, opt-in or not, listed or not.
    let error = WidgetPolicy::new(&["http://evil.example".to_owned()], true).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOptions);
    let by_hand = WidgetPolicy { allowed_origins: vec!["http://evil.example".to_owned()], allow_insecure_loopback: true };
    let public = widget_url("http://evil.example", &token);
    let error = token::validate(&response(&token, &public, CONNECTION), CONNECTION, &by_hand, NOW).unwrap_err();
    assert_eq!(error.code, ErrorCode::WidgetUrlRejected);
    let public = widget_url("http://localhost.evil.example", &token);
    let error = token::validate(&response(&token, &public, CONNECTION), CONNECTION, &policy, NOW).unwrap_err();
    assert_eq!(error.code, ErrorCode::WidgetUrlRejected);
}

#[test]
fn widget_policy_options() {
    let default = WidgetPolicy::default();
    assert_eq!(default.allowed_origins, DEFAULT_WIDGET_ORIGINS.iter().map(|o| o.to_string()).collect::<Vec<_>>());
    assert!(!default.allow_insecure_loopback);
    for origin in DEFAULT_WIDGET_ORIGINS {
        assert_eq!(normalize_origin(origin).as_deref(), Some(*origin), "the defaults are normalised");
    }

    let policy = WidgetPolicy::new(&["HTTPS://Institution-Connect.Meld.io/".to_owned(), "https://widget.example:8443".to_owned()], false).unwrap();
    assert_eq!(policy.allowed_origins, vec![PROD.to_owned(), "https://widget.example:8443".to_owned()]);

    let error = WidgetPolicy::new(&[], false).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOptions);
    assert!(error.message.contains("allowedWidgetOrigins is empty"), "{}", error.message);

    for bad in ["institution-connect.meld.io", "https://institution-connect.meld.io/widget", "", "*"] {
        let error = WidgetPolicy::new(&[PROD.to_owned(), bad.to_owned()], false).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOptions);
        assert!(error.message.contains(&format!("got \"{bad}\"")), "{}", error.message);
    }
    let error = WidgetPolicy::new(&["x".repeat(FIVE_MB)], false).unwrap_err();
    assert!(error.message.len() < 400, "a huge entry is described, not shown: {}", error.message);
}

#[test]
fn huge_inputs_are_rejected_quickly() {
    let token = good_token();
    let huge = "A".repeat(FIVE_MB);
    let widget = widget_url(PROD, &token);

    let error = rejected(validate(&response(&huge, &widget_url(PROD, &huge), CONNECTION)), ErrorCode::InvalidTokenResponse, &["not a JWT"]);
    assert!(error.message.len() < 400);

    let error = rejected(validate(&response(&token, &widget, &huge)), ErrorCode::InvalidTokenResponse, &["not the connection", "5242880 characters"]);
    assert!(error.message.len() < 400);
    let error = token::validate(&response(&token, &widget, CONNECTION), &huge, &WidgetPolicy::default(), NOW).unwrap_err();
    assert!(error.message.len() < 400);

    for widget in [
        huge.clone(),
        format!("{PROD}/?{}", "&".repeat(FIVE_MB)),
        format!("{PROD}/?connectToken={token}{huge}"),
        format!("https://{huge}/?connectToken={token}"),
        format!("{PROD}/?{}connectToken={token}", "x=1&".repeat(FIVE_MB / 4)),
        format!("{PROD}/{}", "\u{e9}".repeat(FIVE_MB / 2)),
    ] {
        let error = rejected(validate(&response(&token, &widget, CONNECTION)), ErrorCode::WidgetUrlRejected, &[]);
        assert!(error.message.len() < 400, "{}", error.message);
    }
}

#[test]
fn no_error_message_contains_the_token() {
    let token = good_token();
    let widget = widget_url(PROD, &token);
    let mut errors: Vec<Error> = Vec::new();
    let policy = WidgetPolicy::default();
    let mut check = |response: TokenResponse, connection: &str| {
        errors.push(token::validate(&response, connection, &policy, NOW).unwrap_err());
    };
    // A backend that swapped fields or put the token everywhere.
    check(response(&token, &widget, &token), CONNECTION);
    check(response(&token, &widget, &token[..60]), CONNECTION);
    check(response(&token, &widget, &token[20..70]), CONNECTION);
    check(response(&token, &widget, "x"), &token[token.len() - 40..]);
    check(response(&token, &token, CONNECTION), CONNECTION);
    check(response(&token, &format!("{token}:alert(1)"), CONNECTION), CONNECTION);
    check(response(&token, &format!("https://{token}/?connectToken={token}"), CONNECTION), CONNECTION);
    check(response(&token, &format!("https://{}.example/?connectToken={token}", &token[..30]), CONNECTION), CONNECTION);
    check(response(&token, &format!("https://{PROD}@{token}/?connectToken={token}"), CONNECTION), CONNECTION);
    check(response(&token, &format!("http://{token}/?connectToken={token}"), CONNECTION), CONNECTION);
    check(response(&token, &format!("{PROD}/?connectToken={token}x"), CONNECTION), CONNECTION);
    check(response(&token, &format!("{PROD}/{token}"), CONNECTION), CONNECTION);
    check(TokenResponse { connect_token: Some(token.clone()), ..TokenResponse::default() }, CONNECTION);
    let expired = jwt(NOW);
    check(response(&expired, &widget_url(PROD, &expired), CONNECTION), CONNECTION);
    assert_eq!(errors.len(), 14);
    for error in &errors {
        assert_token_not_in(&error.message, &token);
        assert_token_not_in(&error.message, &expired);
    }
    // Ids that merely look alike are still shown.
    let error = token::validate(&response(&token, &widget, "eyJnot"), CONNECTION, &policy, NOW).unwrap_err();
    assert!(error.message.contains("\"eyJnot\""), "{}", error.message);
}

#[test]
fn token_response_of_empty_strings_names_the_first_field() {
    let empty = TokenResponse { connect_token: Some(String::new()), widget_url: Some(String::new()), id: Some(String::new()), institution_id: Some(String::new()), code: None };
    rejected(validate(&empty), ErrorCode::InvalidTokenResponse, &["the token response has no connectToken"]);
}

#[test]
fn token_of_spaces_is_not_a_jwt() {
    let token = good_token();
    rejected(validate(&response("   ", &widget_url(PROD, &token), CONNECTION)), ErrorCode::InvalidTokenResponse, &["connectToken is not a JWT"]);
}

#[test]
fn token_with_surrounding_whitespace_is_not_trimmed() {
    let token = good_token();
    let padded = format!(" {token}\n");
    rejected(validate(&response(&padded, &widget_url(PROD, &token), CONNECTION)), ErrorCode::InvalidTokenResponse, &["connectToken is not a JWT"]);
}

#[test]
fn empty_connection_id_is_not_the_response_id() {
    let token = good_token();
    let error = token::validate(&response(&token, &widget_url(PROD, &token), CONNECTION), "", &WidgetPolicy::default(), NOW).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidTokenResponse);
    assert!(error.message.contains(&format!("id \"{CONNECTION}\" is not the connection being repaired \"\"")), "{}", error.message);
}

#[test]
fn id_with_a_cyrillic_lookalike_is_another_connection() {
    let token = good_token();
    let lookalike = CONNECTION.replacen('o', "\u{43e}", 1);
    rejected(validate(&response(&token, &widget_url(PROD, &token), &lookalike)), ErrorCode::InvalidTokenResponse, &["is not the connection being repaired"]);
}

#[test]
fn loopback_http_with_the_opt_in_but_not_listed_is_refused() {
    let token = good_token();
    let policy = WidgetPolicy::new(&[PROD.to_owned()], true).unwrap();
    let error = token::validate(&response(&token, &widget_url("http://127.0.0.1:8081", &token), CONNECTION), CONNECTION, &policy, NOW).unwrap_err();
    assert_eq!(error.code, ErrorCode::WidgetUrlRejected);
    assert!(error.message.contains("\"http://127.0.0.1:8081\" is not an allowed widget origin"), "{}", error.message);
}

#[test]
fn https_on_a_listed_loopback_origin_needs_no_opt_in() {
    let token = good_token();
    let policy = WidgetPolicy::new(&["https://localhost:8443".to_owned()], false).unwrap();
    let repair = token::validate(&response(&token, &widget_url("https://localhost:8443", &token), CONNECTION), CONNECTION, &policy, NOW).unwrap();
    assert_eq!(repair.widget_origin, "https://localhost:8443");
}

#[test]
fn percent_encoded_token_in_the_url_is_the_same_token() {
    // URLSearchParams (the widget's reading) decodes it to the same token.
    let token = good_token();
    let url = format!("{PROD}/?connectToken={}", token.replace('.', "%2E"));
    assert_eq!(validate(&response(&token, &url, CONNECTION)).unwrap().widget_origin, PROD);
}

#[test]
fn first_connect_token_wins_as_in_url_search_params() {
    let token = good_token();
    let url = format!("{PROD}/?connectToken={token}&connectToken=eyJsomething.else.entirely");
    assert_eq!(validate(&response(&token, &url, CONNECTION)).unwrap().connect_token, token);
}

#[test]
fn token_past_the_sixty_fourth_pair_is_not_read() {
    let token = good_token();
    let junk: String = (0..64).map(|i| format!("p{i}=v&")).collect();
    let url = format!("{PROD}/?{junk}connectToken={token}");
    rejected(validate(&response(&token, &url, CONNECTION)), ErrorCode::WidgetUrlRejected, &["carries no connectToken"]);
    let url = format!("{PROD}/?{}connectToken={token}", &junk[junk.find("p1=").unwrap()..]);
    assert!(validate(&response(&token, &url, CONNECTION)).is_ok(), "the 64th pair is still read");
}

#[test]
fn five_mb_institution_id_is_passed_through_whole() {
    let token = good_token();
    let mut big = response(&token, &widget_url(PROD, &token), CONNECTION);
    big.institution_id = Some("i".repeat(FIVE_MB));
    assert_eq!(validate(&big).unwrap().institution_id.map(|id| id.len()), Some(FIVE_MB));
}

#[test]
fn five_mb_matching_ids_are_accepted() {
    let token = jwt_with_payload(format!(r#"{{"exp":{}}}"#, NOW + 3600)); // no connection claim to differ
    let id = "c".repeat(FIVE_MB);
    let repair = token::validate(&response(&token, &widget_url(PROD, &token), &id), &id, &WidgetPolicy::default(), NOW).unwrap();
    assert_eq!(repair.widget_origin, PROD);
}

#[test]
fn token_one_byte_over_the_cap_is_not_a_jwt() {
    let pad = |len: usize| jwt_with_payload(format!(r#"{{"exp":1800000000,"pad":"{}"}}"#, "x".repeat(len)).as_bytes());
    let over = (12_000..12_400).map(pad).find(|t| t.len() > 16_384).unwrap();
    rejected(validate(&response(&over, &widget_url(PROD, &over), CONNECTION)), ErrorCode::InvalidTokenResponse, &["connectToken is not a JWT"]);
}

#[test]
fn expiry_at_the_end_of_time_is_accepted() {
    let token = jwt("18446744073709551615");
    assert_eq!(validate(&response(&token, &widget_url(PROD, &token), CONNECTION)).unwrap().expires_at, Some(u64::MAX));
}

#[test]
fn clock_at_the_end_of_time_makes_every_token_expired() {
    let token = jwt("18446744073709551615");
    let error = token::validate(&response(&token, &widget_url(PROD, &token), CONNECTION), CONNECTION, &WidgetPolicy::default(), u64::MAX).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidTokenResponse);
    assert!(error.message.contains("expires at 18446744073709551615, now is 18446744073709551615"), "{}", error.message);
}

#[test]
fn fractional_expiry_inside_the_margin_is_expired() {
    // 1700000030.999 is read as 1700000030: exactly the 30 s margin, so expired.
    let token = jwt("1700000030.999");
    rejected(validate(&response(&token, &widget_url(PROD, &token), CONNECTION)), ErrorCode::InvalidTokenResponse, &["expires at 1700000030, now is 1700000000"]);
}

#[test]
fn policy_entry_with_a_path_and_a_good_one_is_refused_whole() {
    let error = WidgetPolicy::new(&[PROD.to_owned(), format!("{PROD}/widget")], false).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOptions);
    assert!(error.message.contains("got \"https://institution-connect.meld.io/widget\""), "{}", error.message);
}

#[test]
fn the_backends_repair_not_needed_is_read_as_such() {
    use crate::support::js::{object, text, Js};
    let answer = object(&[("code", text("REPAIR_NOT_NEEDED")), ("decision", object(&[("status", text("ACTIVE"))]))]);
    assert!(TokenResponse::read(answer.value()).unwrap().repair_not_needed());
    assert!(!TokenResponse::read(object(&[("code", text("FORBIDDEN"))]).value()).unwrap().repair_not_needed());
    assert!(!response("t", "u", CONNECTION).repair_not_needed());
    let error = TokenResponse::read(object(&[("code", Js::Number(409.0))]).value()).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidTokenResponse);
}
