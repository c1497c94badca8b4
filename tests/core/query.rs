//! `application/x-www-form-urlencoded` as `URLSearchParams` reads it, with its caps.

use meld_repair::flow::query::{query_pairs, query_param};

use crate::support::FIVE_MB;

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
