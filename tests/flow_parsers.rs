//! The flow's pure readers: widget URL, query strings, JWT expiry, the token response check and
//! widget messages. Every rejection the repair flow relies on is named here, with hostile and
//! huge inputs alongside the happy paths.

use meld_repair::error::{Error, ErrorCode};
use meld_repair::flow::jwt::expiry;
use meld_repair::flow::message::{self, MessageFields, WidgetEvent};
use meld_repair::flow::query::{query_pairs, query_param};
use meld_repair::flow::token::{self, RepairToken, TokenResponse, WidgetPolicy, DEFAULT_WIDGET_ORIGINS};
use meld_repair::flow::url::{self, is_loopback, normalize_origin};

mod support;
use support::*;

/// Neither the token nor any 8-character piece of it appears in the message.
#[track_caller]
fn assert_token_not_in(message: &str, token: &str) {
    assert!(!message.contains(token), "token leaked: {message}");
    for piece in token.as_bytes().windows(8) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(!message.contains(piece), "a piece of the token ({piece}) leaked: {message}");
    }
}

fn meld(event_name: &str) -> MessageFields {
    MessageFields { domain: Some("meld-connect".into()), event_name: Some(event_name.into()), ..MessageFields::default() }
}

// ---------------------------------------------------------------- url

#[test]
fn url_parses_the_widget_url() {
    let parsed = url::parse("HTTPS://Institution-Connect.Meld.IO/?connectToken=abc.def&x=1#frag").unwrap();
    assert_eq!(parsed.scheme, "https");
    assert_eq!(parsed.host, "institution-connect.meld.io");
    assert_eq!(parsed.port, None);
    assert_eq!(parsed.origin, PROD);
    assert_eq!(parsed.query, "connectToken=abc.def&x=1");

    // The sample form of reference §8.1: no path before the query.
    let parsed = url::parse("https://institution-connect-sb.meld.io?connectToken=eyJ").unwrap();
    assert_eq!((parsed.origin.as_str(), parsed.query.as_str()), (SANDBOX, "connectToken=eyJ"));

    let parsed = url::parse("https://a.example/path/x").unwrap();
    assert_eq!((parsed.origin.as_str(), parsed.query.as_str()), ("https://a.example", ""));
    // A `?` inside the fragment is not a query.
    assert_eq!(url::parse("https://a.example/#frag?x=1").unwrap().query, "");
}

#[test]
fn url_ports() {
    let parsed = url::parse("https://a.example:443/").unwrap();
    assert_eq!((parsed.port, parsed.origin.as_str()), (None, "https://a.example"));
    let parsed = url::parse("http://a.example:80").unwrap();
    assert_eq!((parsed.port, parsed.origin.as_str()), (None, "http://a.example"));
    let parsed = url::parse("http://localhost:8080/widget?connectToken=t").unwrap();
    assert_eq!((parsed.port, parsed.origin.as_str()), (Some(8080), "http://localhost:8080"));
    let parsed = url::parse("https://a.example:80/").unwrap();
    assert_eq!((parsed.port, parsed.origin.as_str()), (Some(80), "https://a.example:80"));
    let parsed = url::parse("https://a.example:65535").unwrap();
    assert_eq!(parsed.port, Some(65535));
    let parsed = url::parse("http://[::1]:3000/x").unwrap();
    assert_eq!((parsed.host.as_str(), parsed.port, parsed.origin.as_str()), ("[::1]", Some(3000), "http://[::1]:3000"));
    assert_eq!(url::parse("https://[2001:DB8::1]/"), None, "the one IPv6 host is [::1]");
}

#[test]
fn url_hosts_are_the_ones_the_browser_reports() {
    // The one IPv6 host is the loopback literal, written as browsers print it, so the origin
    // matches `event.origin`; every other spelling and address is refused, not canonicalised.
    let parsed = url::parse("http://[::1]:8080/").unwrap();
    assert_eq!(parsed.host, "[::1]");
    assert_eq!(parsed.origin, "http://[::1]:8080");
    assert!(is_loopback(&parsed.host));
    for bad in [
        "[0:0:0:0:0:0:0:1]", "[0000::0001]", "[0:0::1]", "[::]", "[1::]", "[2001:DB8:0:0:1:0:0:1]", "[1:0:0:2:0:0:0:3]",
        "[fe80::abcd]", "[1:2:3:4:5:6:7]", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]", "[:::]", "[12345::]", "[::ffff:127.0.0.1]",
        "[::g]", "[1:]", "[::1%25eth0]", "[::01]",
    ] {
        assert_eq!(url::parse(&format!("https://{bad}/")), None, "{bad}");
        assert_eq!(url::parse(&format!("http://{bad}:8080/")), None, "{bad}");
    }
    // Hosts a browser reads as IPv4 are accepted only in their canonical form.
    assert_eq!(url::parse("http://127.0.0.1/").unwrap().host, "127.0.0.1");
    assert_eq!(url::parse("https://a1.example.com2/").unwrap().host, "a1.example.com2");
    assert_eq!(url::parse("https://1.2.3.example/").unwrap().host, "1.2.3.example");
    for bad in ["127.1", "127.0.0.01", "0x7f.0.0.1", "2130706433", "127.0.0.1.", "1.2.3.4.5", "a.0x10", "example.123", "256.0.0.1"] {
        assert_eq!(url::parse(&format!("http://{bad}/")), None, "{bad}");
    }
}

#[test]
fn url_rejects_everything_else() {
    for bad in [
        "",
        "javascript:alert(1)",
        "JavaScript://institution-connect.meld.io/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://institution-connect.meld.io/",
        "institution-connect.meld.io/?connectToken=x",
        "//institution-connect.meld.io/",
        "https:institution-connect.meld.io",
        "https:/institution-connect.meld.io",
        "https:///institution-connect.meld.io",
        "https://",
        "https://?connectToken=x",
        "https://:443/",
        "https://user@institution-connect.meld.io/",
        "https://user:pass@institution-connect.meld.io/",
        "https://institution-connect.meld.io@evil.example/",
        "https://@evil.example/",
        "https://a.example:/",
        "https://a.example:0/",
        "https://a.example:65536/",
        "https://a.example:99999999999999999999/",
        "https://a.example:-1/",
        "https://a.example:+1/",
        "https://a.example:80:80/",
        "https://a.example:8o/",
        "https://a .example/",
        " https://a.example/",
        "https://a.example/ ",
        "https://a.example/\tx",
        "https://a.exa\nmple/",
        "https://a.example/\u{0}",
        "https://a.example/\u{7f}",
        "https://a.example/\u{85}",
        "https://a.example/\u{a0}",
        "https://a.example\\@evil.example/",
        "https:\\\\a.example/",
        "https://a%2eexample/",
        "https://b\u{fc}cher.example/",
        "https://[::1/",
        "https://[]/",
        "https://[zz::1]/",
        "https://[127.0.0.1]/",
        "https://[::1]x/",
        "https://[::1]:/",
    ] {
        assert_eq!(url::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn url_handles_huge_input() {
    let long_query = format!("https://a.example/?{}", "a".repeat(FIVE_MB));
    assert_eq!(url::parse(&long_query).unwrap().query.len(), FIVE_MB);
    assert_eq!(url::parse(&"a".repeat(FIVE_MB)), None);
    assert_eq!(url::parse(&format!("https://{}/", "a".repeat(FIVE_MB))).unwrap().host.len(), FIVE_MB);
    assert_eq!(url::parse(&format!("https://a.example:{}/", "1".repeat(FIVE_MB))), None);
    assert_eq!(url::parse(&format!("https://{}", "@".repeat(FIVE_MB))), None);
    assert_eq!(url::parse(&format!("https://[{}]/", ":".repeat(FIVE_MB))), None);
    assert_eq!(url::parse(&format!("https://[{}]/", "1:".repeat(FIVE_MB))), None);
    assert_eq!(url::parse(&format!("https://{}/", "1.".repeat(FIVE_MB))), None);
    assert_eq!(url::parse(&"\u{e9}".repeat(FIVE_MB / 2)), None);
}

#[test]
fn loopback_hosts() {
    for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "127.255.255.255", "127.0.0.0", "[::1]"] {
        assert!(is_loopback(host), "{host}");
    }
    for host in [
        "",
        "localhost.evil.example",
        "evil-localhost",
        "128.0.0.1",
        "10.0.0.1",
        "127.0.0",
        "127.0.0.1.1",
        "127.0.0.256",
        "127.0.0.1000",
        "0127.0.0.1",
        "127.0.0.01",
        "127.0.0.-1",
        "127..0.1",
        "127.0.0.1:80",
        "[::2]",
        "[0:0:0:0:0:0:0:2]",
        "::1",
        "2130706433",
    ] {
        assert!(!is_loopback(host), "{host}");
    }
}

#[test]
fn origins_normalise() {
    assert_eq!(normalize_origin("HTTPS://Institution-Connect.Meld.io/").as_deref(), Some(PROD));
    assert_eq!(normalize_origin(PROD).as_deref(), Some(PROD));
    assert_eq!(normalize_origin("https://a.example:443").as_deref(), Some("https://a.example"));
    assert_eq!(normalize_origin("http://localhost:80/").as_deref(), Some("http://localhost"));
    assert_eq!(normalize_origin("http://127.0.0.1:5173").as_deref(), Some("http://127.0.0.1:5173"));
    for bad in [
        "",
        "*",
        "institution-connect.meld.io",
        "https://institution-connect.meld.io/widget",
        "https://institution-connect.meld.io//",
        "https://institution-connect.meld.io?",
        "https://institution-connect.meld.io/?connectToken=x",
        "https://institution-connect.meld.io#",
        "https://institution-connect.meld.io/#x",
        "https://user@institution-connect.meld.io",
        " https://institution-connect.meld.io",
        "javascript:alert(1)",
        "null",
    ] {
        assert_eq!(normalize_origin(bad), None, "{bad:?}");
    }
}

// ---------------------------------------------------------------- query

#[test]
fn query_decodes_form_encoding() {
    let pairs = query_pairs("a=1&b=two+words&c=%41%62%2B&d=%ZZ&e=%4&f=%&g&=x&h=a=b&%C3%A9=%E2%9C%93");
    let expected: Vec<(&str, &str)> = vec![
        ("a", "1"),
        ("b", "two words"),
        ("c", "Ab+"),
        ("d", "%ZZ"),
        ("e", "%4"),
        ("f", "%"),
        ("g", ""),
        ("", "x"),
        ("h", "a=b"),
        ("\u{e9}", "\u{2713}"),
    ];
    let got: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(got, expected);
    // Bytes that are not UTF-8 become U+FFFD instead of failing.
    assert_eq!(query_param("x=%FF%C3", "x").as_deref(), Some("\u{fffd}\u{fffd}"));
    assert_eq!(query_param("?x=1", "x"), None, "a `?` inside the query is part of the key");
    assert_eq!(query_param("x=1&x=2", "x").as_deref(), Some("1"));
    assert_eq!(query_param("connect%54oken=t", "connectToken").as_deref(), Some("t"));
    assert_eq!(query_param("x=1", "y"), None);
    assert_eq!(query_param("", "x"), None);
}

#[test]
fn query_junk_and_caps() {
    assert!(query_pairs("").is_empty());
    assert!(query_pairs("&&&").is_empty());
    assert_eq!(query_pairs("=x"), vec![(String::new(), "x".to_owned())]);

    let many: String = (0..10_000).map(|i| format!("k{i}=v{i}&")).collect();
    let pairs = query_pairs(&many);
    assert_eq!(pairs.len(), 64);
    assert_eq!(pairs[63], ("k63".to_owned(), "v63".to_owned()));
    assert_eq!(query_param(&many, "k63").as_deref(), Some("v63"));
    assert_eq!(query_param(&many, "k64"), None, "pairs past 64 are ignored");
    // Empty segments do not count towards the cap.
    assert_eq!(query_param(&format!("{}k=v", "&".repeat(FIVE_MB)), "k").as_deref(), Some("v"));

    let huge = format!("k={}", "%41".repeat(FIVE_MB / 3));
    assert_eq!(query_param(&huge, "k").map(|v| v.len()), Some(FIVE_MB / 3));
    assert_eq!(query_pairs(&"%".repeat(FIVE_MB))[0].0.len(), FIVE_MB);
}

// ---------------------------------------------------------------- jwt

#[test]
fn jwt_reads_exp() {
    assert_eq!(expiry(&good_token()), Some(NOW + 3 * 3600));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":1700000000}"#)), Some(1_700_000_000));
    assert_eq!(expiry(&jwt_with_payload(" {\n\t\"exp\" : 0 \r} ")), Some(0));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":1700000000.9}"#)), Some(1_700_000_000));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":1.7e9}"#)), Some(1_700_000_000));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":17E+8}"#)), Some(1_700_000_000));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":170000000000e-2}"#)), Some(1_700_000_000));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":0.0000017e15}"#)), Some(1_700_000_000));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":5e-1}"#)), Some(0));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":-0}"#)), Some(0));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":0e999999999999999999999}"#)), Some(0));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":18446744073709551615}"#)), Some(u64::MAX));
    // Escaped key, nested values with tricky strings, and the last `exp` winning, as JSON.parse.
    let payload = r#"{"\u0065xp":1,"s":"a \"}\" \\ \/ \b\f\n\r\t \u00e9 ]","n":{"exp":"no","a":[[],{},[{"x":[true,false,null,-1.5e-3]}]]},"exp":42}"#;
    assert_eq!(expiry(&jwt_with_payload(payload)), Some(42));
    assert_eq!(expiry(&jwt_with_payload(r#"{"\u0065xp":7}"#)), Some(7));
    assert_eq!(expiry(&jwt_with_payload(r#"{"exp":7,"exp":"late"}"#)), None);
    assert_eq!(expiry(&jwt_with_payload("{\"caf\u{e9}\":1,\"exp\":9}")), Some(9));
}

#[test]
fn jwt_padding_is_tolerated() {
    for (claims, pads) in [(r#"{"exp":1700000000 }"#, "=="), (r#"{"exp":1700000000  }"#, "=")] {
        let payload = b64url(claims.as_bytes());
        assert_eq!(payload.len() % 4, 4 - pads.len());
        assert_eq!(expiry(&format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln")), Some(1_700_000_000));
        assert_eq!(expiry(&format!("eyJhbGciOiJIUzI1NiJ9=.{payload}{pads}.c2ln=")), Some(1_700_000_000));
        assert_eq!(expiry(&format!("eyJhbGciOiJIUzI1NiJ9.{payload}{pads}===.c2ln")), None);
        assert_eq!(expiry(&format!("eyJhbGciOiJIUzI1NiJ9.{payload}=x.c2ln")), None);
        assert_eq!(expiry(&format!("eyJhbGciOiJIUzI1NiJ9.={payload}.c2ln")), None);
    }
    assert_eq!(expiry("==.==.=="), None);
}

#[test]
fn jwt_rejects_malformed_tokens() {
    let payload = b64url(br#"{"exp":1700000000}"#);
    let cases = [
        String::new(),
        "not a jwt".to_owned(),
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}"),
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln.c2ln"),
        format!(".{payload}.c2ln"),
        "eyJhbGciOiJIUzI1NiJ9..c2ln".to_owned(),
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}."),
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}!.c2ln"),
        format!("eyJhbGciOiJIUzI1NiJ9.{}.c2ln", payload.replace('e', "+")),
        format!("eyJhbGc/OiJIUzI1NiJ9.{payload}.c2ln"),
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2l*"),
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}x.c2ln"), // length ≡ 1 (mod 4)
        format!("eyJhbGciOiJIUzI1NiJ9 .{payload}.c2ln"),
        jwt_with_payload("hello"),
        jwt_with_payload(""),
        jwt_with_payload("[1700000000]"),
        jwt_with_payload("1700000000"),
        jwt_with_payload("{}"),
        jwt_with_payload(r#"{"iat":1700000000}"#),
        jwt_with_payload(r#"{"exp":"1700000000"}"#),
        jwt_with_payload(r#"{"exp":-1}"#),
        jwt_with_payload(r#"{"exp":-1700000000.5}"#),
        jwt_with_payload(r#"{"exp":-0.5}"#),
        jwt_with_payload(r#"{"exp":true}"#),
        jwt_with_payload(r#"{"exp":null}"#),
        jwt_with_payload(r#"{"exp":[1700000000]}"#),
        jwt_with_payload(r#"{"exp":{"value":1700000000}}"#),
        jwt_with_payload(r#"{"exp":1e400}"#),
        jwt_with_payload(r#"{"exp":18446744073709551616}"#),
        jwt_with_payload(r#"{"exp":NaN}"#),
        jwt_with_payload(r#"{"exp":Infinity}"#),
        jwt_with_payload(r#"{"exp":01}"#),
        jwt_with_payload(r#"{"exp":1.}"#),
        jwt_with_payload(r#"{"exp":.5}"#),
        jwt_with_payload(r#"{"exp":1e}"#),
        jwt_with_payload(r#"{"exp":+1}"#),
        jwt_with_payload(r#"{"exp":0x10}"#),
        jwt_with_payload(r#"{"exp":1700000000"#),
        jwt_with_payload(r#"{"exp":1700000000}}"#),
        jwt_with_payload(r#"{"exp":1700000000} x"#),
        jwt_with_payload(r#"{"exp":1700000000,}"#),
        jwt_with_payload(r#"{"exp" 1700000000}"#),
        jwt_with_payload(r#"{exp:1700000000}"#),
        jwt_with_payload(r#"{'exp':1700000000}"#),
        jwt_with_payload(r#"{"a":[1,],"exp":1}"#),
        jwt_with_payload(r#"{"a":[1}],"exp":1}"#),
        jwt_with_payload(r#"{"a":{"b"},"exp":1}"#),
        jwt_with_payload(r#"{"a":{"b":1,},"exp":1}"#),
        jwt_with_payload(r#"{"a":"\x","exp":1}"#),
        jwt_with_payload(r#"{"a":"\u12G4","exp":1}"#),
        jwt_with_payload("{\"a\":\"tab\there\",\"exp\":1}"),
        jwt_with_payload(r#"{"a":tru,"exp":1}"#),
        jwt_with_payload(r#"{"a":"unterminated,"exp":1}"#),
        // The payload must be UTF-8.
        [b64url(b"{}"), b64url(b"{\"exp\":1,\"a\":\"\xff\"}"), b64url(b"s")].join("."),
    ];
    for token in &cases {
        assert_eq!(expiry(token), None, "{token:?}");
    }
}

#[test]
fn jwt_depth_and_length_are_capped() {
    let nested = |depth: usize| format!(r#"{{"exp":1,"a":{}1{}}}"#, "[".repeat(depth), "]".repeat(depth));
    // The payload object is level 1, so 63 arrays inside it reach the cap exactly.
    assert_eq!(expiry(&jwt_with_payload(nested(63))), Some(1));
    assert_eq!(expiry(&jwt_with_payload(nested(64))), None);
    let objects = |depth: usize| format!(r#"{{"exp":1,"a":{}1{}}}"#, r#"{"k":"#.repeat(depth), "}".repeat(depth));
    assert_eq!(expiry(&jwt_with_payload(objects(63))), Some(1));
    assert_eq!(expiry(&jwt_with_payload(objects(64))), None);
    assert_eq!(expiry(&jwt_with_payload("[".repeat(10_000))), None);
    assert_eq!(expiry(&jwt_with_payload(format!(r#"{{"exp":1,"a":{}}}"#, "[".repeat(10_000)))), None);

    // 16 KB in all is fine; one byte more is not, whatever it holds.
    let filler = |len: usize| jwt_with_payload(format!(r#"{{"exp":5,"pad":"{}"}}"#, "x".repeat(len)));
    let longest = (12_000..12_400).map(filler).take_while(|t| t.len() <= 16_384).last().unwrap();
    assert!(longest.len() > 16_380, "{}", longest.len());
    assert_eq!(expiry(&longest), Some(5));
    let too_long = filler(longest.len() * 3 / 4);
    assert!(too_long.len() > 16_384);
    assert_eq!(expiry(&too_long), None);
    assert_eq!(expiry(&"A".repeat(FIVE_MB)), None);
    assert_eq!(expiry(&".".repeat(FIVE_MB)), None);
}

// ---------------------------------------------------------------- token response

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

#[test]
fn widget_url_rejections() {
    let token = good_token();
    let other = jwt(NOW + 7200);
    let cases: Vec<(String, &str)> = vec![
        (format!("javascript:alert(document.cookie)//?connectToken={token}"), "\"javascript\""),
        (format!("JAVASCRIPT:alert(1)//?connectToken={token}"), "is not https"),
        (format!("data:text/html;base64,PHNjcmlwdD4=?connectToken={token}"), "\"data\""),
        (format!("http://institution-connect.meld.io/?connectToken={token}"), "http on a host that is not loopback"),
        (format!("https://evil.example/?connectToken={token}"), "\"https://evil.example\" is not an allowed widget origin"),
        (format!("https://institution-connect.meld.io.evil.example/?connectToken={token}"), "not an allowed widget origin"),
        (format!("https://institution-connect.meld.io:8443/?connectToken={token}"), "not an allowed widget origin"),
        (format!("https://institution-connect.meld.io@evil.example/?connectToken={token}"), "not an absolute https URL"),
        (format!("https://institution-connect.meld.io\\@evil.example/?connectToken={token}"), "not an absolute https URL"),
        (format!("//institution-connect.meld.io/?connectToken={token}"), "not an absolute https URL"),
        (format!("/widget?connectToken={token}"), "not an absolute https URL"),
        (format!(" https://institution-connect.meld.io/?connectToken={token}"), "not an absolute https URL"),
        (format!("{PROD}/"), "no connectToken"),
        (format!("{PROD}/?token={token}"), "no connectToken"),
        (format!("{PROD}/#connectToken={token}"), "no connectToken"),
        (format!("{PROD}/?connectToken={other}"), "not the response's connectToken"),
        (format!("{PROD}/?connectToken="), "not the response's connectToken"),
        (format!("{PROD}/?connectToken={other}&connectToken={token}"), "not the response's connectToken"),
        (format!("{PROD}/?connectToken={}", &token[..token.len() - 1]), "not the response's connectToken"),
        (format!("http://localhost:8080/?connectToken={token}"), "allowInsecureLoopback"),
    ];
    for (widget, mention) in &cases {
        let error = rejected(validate(&response(&token, widget, CONNECTION)), ErrorCode::WidgetUrlRejected, &[mention]);
        assert!(!error.retryable);
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

// ---------------------------------------------------------------- widget messages

#[test]
fn meld_events_are_read() {
    assert_eq!(message::parse(&meld("init")), Some(WidgetEvent::Init));
    assert_eq!(message::parse(&meld("debug")), Some(WidgetEvent::Debug { details: None }));
    assert_eq!(message::parse(&meld("error")), Some(WidgetEvent::Error { details: None, reason: None }));
    assert_eq!(
        message::parse(&meld("connect_complete")),
        Some(WidgetEvent::ConnectComplete { institution_id: None, institution_name: None, account_count: None })
    );
    for (name, event) in [("init", WidgetEvent::Init), ("error", WidgetEvent::Error { details: None, reason: None })] {
        assert_eq!(event.name(), name);
    }
    assert_eq!(WidgetEvent::Debug { details: None }.name(), "debug");
    assert_eq!(message::parse(&meld("connect_complete")).unwrap().name(), "connect_complete");
}

#[test]
fn metadata_as_fields() {
    let fields = MessageFields {
        institution_id: Some("ins_1".into()),
        institution_name: Some("First Platypus Bank".into()),
        account_count: Some(2.0),
        ..meld("connect_complete")
    };
    assert_eq!(
        message::parse(&fields),
        Some(WidgetEvent::ConnectComplete {
            institution_id: Some("ins_1".into()),
            institution_name: Some("First Platypus Bank".into()),
            account_count: Some(2),
        })
    );
    let fields = MessageFields { details: Some("provider timeout".into()), reason: Some("SERVICE_PROVIDER_FAILURE".into()), ..meld("error") };
    assert_eq!(
        message::parse(&fields),
        Some(WidgetEvent::Error { details: Some("provider timeout".into()), reason: Some("SERVICE_PROVIDER_FAILURE".into()) })
    );
    let fields = MessageFields { details: Some("screen 2".into()), ..meld("debug") };
    assert_eq!(message::parse(&fields), Some(WidgetEvent::Debug { details: Some("screen 2".into()) }));
}

#[test]
fn metadata_as_query_string() {
    let fields = MessageFields {
        metadata: Some("institutionId=ins_1&institutionName=First+Platypus+Bank&accountCount=2".into()),
        ..meld("connect_complete")
    };
    assert_eq!(
        message::parse(&fields),
        Some(WidgetEvent::ConnectComplete {
            institution_id: Some("ins_1".into()),
            institution_name: Some("First Platypus Bank".into()),
            account_count: Some(2),
        })
    );
    let fields = MessageFields { metadata: Some("?details=Bad%20credentials&reason=LOGIN_FAILED".into()), ..meld("error") };
    assert_eq!(
        message::parse(&fields),
        Some(WidgetEvent::Error { details: Some("Bad credentials".into()), reason: Some("LOGIN_FAILED".into()) })
    );

    // Direct fields win; missing ones come from the query string.
    let fields = MessageFields {
        institution_name: Some("From the field".into()),
        account_count: Some(3.0),
        metadata: Some("institutionId=ins_q&institutionName=From+the+query&accountCount=9".into()),
        ..meld("connect_complete")
    };
    assert_eq!(
        message::parse(&fields),
        Some(WidgetEvent::ConnectComplete {
            institution_id: Some("ins_q".into()),
            institution_name: Some("From the field".into()),
            account_count: Some(3),
        })
    );
    // A present but unusable count is not replaced by the query's.
    let fields = MessageFields { account_count: Some(2.5), metadata: Some("accountCount=9".into()), ..meld("connect_complete") };
    assert!(matches!(message::parse(&fields), Some(WidgetEvent::ConnectComplete { account_count: None, .. })));
    // Events read only their own metadata.
    let fields = MessageFields { metadata: Some("details=x".into()), institution_id: Some("ins".into()), ..meld("init") };
    assert_eq!(message::parse(&fields), Some(WidgetEvent::Init));
}

#[test]
fn account_counts() {
    let from_number = |n: f64| match message::parse(&MessageFields { account_count: Some(n), ..meld("connect_complete") }) {
        Some(WidgetEvent::ConnectComplete { account_count, .. }) => account_count,
        other => panic!("{other:?}"),
    };
    assert_eq!(from_number(0.0), Some(0));
    assert_eq!(from_number(-0.0), Some(0));
    assert_eq!(from_number(2.0), Some(2));
    assert_eq!(from_number(10_000.0), Some(10_000));
    for bad in [-1.0, 2.5, 10_000.5, 10_001.0, 1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MIN_POSITIVE] {
        assert_eq!(from_number(bad), None, "{bad}");
    }
    let from_query = |q: &str| match message::parse(&MessageFields { metadata: Some(q.into()), ..meld("connect_complete") }) {
        Some(WidgetEvent::ConnectComplete { account_count, .. }) => account_count,
        other => panic!("{other:?}"),
    };
    assert_eq!(from_query("accountCount=2"), Some(2));
    assert_eq!(from_query("accountCount=007"), Some(7));
    assert_eq!(from_query("accountCount=10000"), Some(10_000));
    assert_eq!(from_query("accountCount=%32"), Some(2));
    for bad in ["accountCount=", "accountCount", "accountCount=2.0", "accountCount=-1", "accountCount=+2", "accountCount=1e3", "accountCount=10001", "accountCount=+2+", "accountCount=99999999999999999999999", "accountCount=%ZZ", "accountCount=two"] {
        assert_eq!(from_query(bad), None, "{bad}");
    }
    assert_eq!(from_query(&format!("accountCount={}", "9".repeat(FIVE_MB))), None);
}

#[test]
fn junk_in_the_query_string() {
    let parse = |q: &str| message::parse(&MessageFields { metadata: Some(q.into()), ..meld("connect_complete") });
    assert_eq!(
        parse("%ZZ&&&=x&institutionId=%ZZ&institutionName=a%2"),
        Some(WidgetEvent::ConnectComplete { institution_id: Some("%ZZ".into()), institution_name: Some("a%2".into()), account_count: None })
    );
    assert_eq!(parse("&&&"), Some(WidgetEvent::ConnectComplete { institution_id: None, institution_name: None, account_count: None }));
    assert_eq!(parse("=x"), Some(WidgetEvent::ConnectComplete { institution_id: None, institution_name: None, account_count: None }));

    let mut many: String = (0..10_000).map(|i| format!("k{i}=v&")).collect();
    many.push_str("institutionId=too_late");
    assert_eq!(parse(&many), Some(WidgetEvent::ConnectComplete { institution_id: None, institution_name: None, account_count: None }));
    let early = format!("institutionId=ins_1&{many}");
    assert!(matches!(parse(&early), Some(WidgetEvent::ConnectComplete { institution_id: Some(id), .. }) if id == "ins_1"));
}

#[test]
fn not_meld_events() {
    for domain in [None, Some(""), Some("meld-connect "), Some("Meld-Connect"), Some("plaid"), Some("meld-connect\0")] {
        let fields = MessageFields { domain: domain.map(str::to_owned), ..meld("connect_complete") };
        assert_eq!(message::parse(&fields), None, "{domain:?}");
    }
    assert_eq!(message::parse(&MessageFields::default()), None);
    let no_name = MessageFields { event_name: None, ..meld("init") };
    assert_eq!(message::parse(&no_name), None);
    assert_eq!(message::parse(&meld("")), None);
    assert_eq!(message::parse(&meld(&"x".repeat(65))), None);
    assert_eq!(message::parse(&meld(&"x".repeat(FIVE_MB))), None);
    assert_eq!(message::parse(&meld(&"\u{e9}".repeat(65))), None);
}

#[test]
fn unknown_events_pass_through() {
    for name in ["exit", "OPEN", "Init", "connect_complete ", "handoff", "provider:plaid:EXIT"] {
        let event = message::parse(&meld(name)).unwrap();
        assert_eq!(event, WidgetEvent::Other { name: name.to_owned() });
        assert_eq!(event.name(), name);
    }
    let long = "x".repeat(64);
    assert_eq!(message::parse(&meld(&long)).unwrap().name(), long);
    let wide = "\u{e9}".repeat(64); // 128 bytes, 64 characters
    assert_eq!(message::parse(&meld(&wide)).unwrap().name(), wide);
}

#[test]
fn huge_strings_are_clipped() {
    let huge = "d".repeat(FIVE_MB);
    let fields = MessageFields { details: Some(huge.clone()), reason: Some("\u{e9}".repeat(FIVE_MB / 2)), ..meld("error") };
    let Some(WidgetEvent::Error { details: Some(details), reason: Some(reason) }) = message::parse(&fields) else { panic!() };
    assert_eq!(details, "d".repeat(512));
    assert_eq!(reason.chars().count(), 512);
    assert_eq!(reason.len(), 1024);

    let fields = MessageFields {
        metadata: Some(format!("institutionName={}&institutionId=%F0%9F%A6%86{}", "%E2%9C%93".repeat(FIVE_MB / 9), "i".repeat(FIVE_MB))),
        ..meld("connect_complete")
    };
    let Some(WidgetEvent::ConnectComplete { institution_id: Some(id), institution_name: Some(name), .. }) = message::parse(&fields) else {
        panic!()
    };
    assert_eq!(name, "\u{2713}".repeat(512));
    assert_eq!(id.chars().count(), 512);
    assert!(id.starts_with('\u{1f986}'));

    // Short strings are left alone, empty ones too.
    let fields = MessageFields { details: Some(String::new()), ..meld("debug") };
    assert_eq!(message::parse(&fields), Some(WidgetEvent::Debug { details: Some(String::new()) }));
    let exact = "x".repeat(512);
    let fields = MessageFields { details: Some(exact.clone()), ..meld("debug") };
    assert_eq!(message::parse(&fields), Some(WidgetEvent::Debug { details: Some(exact) }));
}
