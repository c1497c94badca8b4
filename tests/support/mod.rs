//! Fixtures shared by the core's test modules: Meld-shaped connect tokens, widget URLs and
//! repair responses, and the check of a rejection.

mod b64url;
pub use b64url::b64url;

pub mod js;

use meld_repair::error::{Error, ErrorCode};
use meld_repair::flow::token::{self, RepairToken, TokenResponse, WidgetPolicy};

/// "Now" for every expiry check, in seconds.
pub const NOW: u64 = 1_700_000_000;
pub const FIVE_MB: usize = 5 * 1024 * 1024;
/// The ids of Meld's sample repair response (reference §8.1).
pub const CONNECTION: &str = "WQ5RitxnrnggqcT8noLoZN";
pub const INSTITUTION: &str = "Ntj3AwgdridJc2rtfeheku";
pub const PROD: &str = "https://institution-connect.meld.io";
pub const SANDBOX: &str = "https://institution-connect-sb.meld.io";

/// A JWT shaped like Meld's (HS256 header, this payload), signature fake.
pub fn jwt_with_payload(payload: impl AsRef<[u8]>) -> String {
    [b64url(br#"{"alg":"HS256","typ":"JWT"}"#), b64url(payload.as_ref()), b64url(b"not-a-real-signature-0123456789")].join(".")
}

/// A token with the claims of Meld's sample (reference §6.3), expiring at `exp` (written as
/// given: `"1.7e9"` stays a float).
pub fn jwt(exp: impl std::fmt::Display) -> String {
    jwt_with_payload(format!(
        r#"{{"redirect":true,"regions":["US"],"iss":"meld.io","connection":"{CONNECTION}","exp":{exp},"account":"acc","customer":"cus","products":["BALANCES","TRANSACTIONS"],"routingProfile":{{"a":[1,{{"b":null}}]}}}}"#
    ))
}

/// Valid for three more hours.
pub fn good_token() -> String {
    jwt(NOW + 3 * 3600)
}

pub fn widget_url(origin: &str, token: &str) -> String {
    format!("{origin}/?connectToken={token}")
}

pub fn response(token: &str, widget: &str, id: &str) -> TokenResponse {
    TokenResponse {
        connect_token: Some(token.to_owned()),
        widget_url: Some(widget.to_owned()),
        id: Some(id.to_owned()),
        institution_id: Some(INSTITUTION.to_owned()),
        code: None,
    }
}

/// Validated for [`CONNECTION`] with the default widget origins, at [`NOW`].
pub fn validate(response: &TokenResponse) -> Result<RepairToken, Error> {
    token::validate(response, CONNECTION, &WidgetPolicy::default(), NOW)
}

/// The outcome is `code`, not retryable, and the message mentions each of `mentions`.
#[track_caller]
pub fn rejected(result: Result<RepairToken, Error>, code: ErrorCode, mentions: &[&str]) -> Error {
    let error = result.expect_err("should be rejected");
    assert_eq!(error.code, code, "{}", error.message);
    assert!(!error.retryable);
    for mention in mentions {
        assert!(error.message.contains(mention), "message should mention {mention:?}: {}", error.message);
    }
    error
}
