//! `url`: any string → `flow::url::parse` and `normalize_origin`. An origin, once read, reads
//! back as itself (`normalize_origin(parse(x).origin) == Some(origin)`), and every URL the reader
//! accepts means the same to the WHATWG URL parser browsers follow (the `url` crate): the same
//! scheme, host, port and origin, and the same `connectToken` for `URLSearchParams` (the widget's
//! reading). The reader may refuse more than a browser, never read anything differently.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meld_repair::flow::query::query_param;
use meld_repair::flow::url::{self as meld_url, is_loopback, normalize_origin};

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let parsed = meld_url::parse(&input);
    let normalized = normalize_origin(&input);
    if let Some(origin) = &normalized {
        assert_eq!(parsed.as_ref().map(|p| &p.origin), Some(origin), "{input:?}");
    }
    let Some(url) = parsed else { return };

    // Idempotent: the origin is itself an origin, and reads back the same.
    assert_eq!(normalize_origin(&url.origin).as_deref(), Some(url.origin.as_str()), "{input:?}");
    let again = meld_url::parse(&url.origin).expect("an origin parses");
    assert_eq!((&again.scheme, &again.host, again.port, &again.origin), (&url.scheme, &url.host, url.port, &url.origin));
    assert!(again.query.is_empty());

    // The parts are as documented.
    let default_port = match url.scheme.as_str() {
        "https" => 443,
        "http" => 80,
        other => panic!("scheme {other:?}"),
    };
    assert!(!url.host.is_empty());
    assert_eq!(url.host, url.host.to_ascii_lowercase());
    assert!(url.port != Some(default_port) && url.port != Some(0));
    let port = url.port.map(|port| [":", &port.to_string()].concat()).unwrap_or_default();
    assert_eq!(url.origin, [url.scheme.as_str(), "://", &url.host, &port].concat());
    if is_loopback(&url.host) {
        assert!(url.host == "localhost" || url.host == "[::1]" || url.host.starts_with("127."), "{}", url.host);
    }

    // What a browser makes of the same text.
    let Ok(whatwg) = whatwg_url::Url::parse(&input) else { return };
    assert_eq!(whatwg.scheme(), url.scheme, "{input:?}");
    assert_eq!(whatwg.host_str(), Some(url.host.as_str()), "{input:?}");
    assert_eq!(whatwg.port(), url.port, "{input:?}");
    assert_eq!(whatwg.origin().ascii_serialization(), url.origin, "{input:?}");
    if let Some(ours) = query_param(&url.query, "connectToken") {
        let theirs = whatwg
            .query()
            .and_then(|query| form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == "connectToken").map(|(_, value)| value.into_owned()));
        assert_eq!(Some(ours), theirs, "{input:?}");
    }
});
