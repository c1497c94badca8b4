//! The widget URL reader: what it accepts reads exactly as a browser reads it, and everything
//! a browser might read differently is refused.

use meld_repair::flow::url::{self, is_loopback, normalize_origin};

use crate::support::*;

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

/// URLs the reader accepts, as a browser prints them: (what the row shows, URL, host, port,
/// origin).
#[rustfmt::skip]
const ACCEPTED: &[(&str, &str, &str, Option<u16>, &str)] = &[
    ("url_ports: the https default is dropped",              "https://a.example:443/",                      "a.example",                   None,        "https://a.example"),
    ("url_ports: the http default is dropped",               "http://a.example:80",                         "a.example",                   None,        "http://a.example"),
    ("url_ports: an explicit port is kept",                  "http://localhost:8080/widget?connectToken=t", "localhost",                   Some(8080),  "http://localhost:8080"),
    ("url_ports: 80 is not the https default",               "https://a.example:80/",                       "a.example",                   Some(80),    "https://a.example:80"),
    ("url_ports: the highest port",                          "https://a.example:65535",                     "a.example",                   Some(65535), "https://a.example:65535"),
    ("url_ports: the loopback IPv6 literal",                 "http://[::1]:3000/x",                         "[::1]",                       Some(3000),  "http://[::1]:3000"),
    ("port_with_a_leading_zero_is_the_default_port",         "https://institution-connect.meld.io:0443/",   "institution-connect.meld.io", None,        PROD),
    ("canonical_ipv4_host_is_kept",                          "https://1.2.3.4:8443/x",                      "1.2.3.4",                     Some(8443),  "https://1.2.3.4:8443"),
    ("the IPv4 loopback",                                    "http://127.0.0.1/",                           "127.0.0.1",                   None,        "http://127.0.0.1"),
    ("a name ending in letters and a digit",                 "https://a1.example.com2/",                    "a1.example.com2",             None,        "https://a1.example.com2"),
    ("a name starting with digits",                          "https://1.2.3.example/",                      "1.2.3.example",               None,        "https://1.2.3.example"),
    ("punycode_and_underscore_hosts_are_kept_as_written",    "https://XN--BCHER-KVA.example/",              "xn--bcher-kva.example",       None,        "https://xn--bcher-kva.example"),
    ("punycode_and_underscore_hosts_are_kept_as_written: _", "https://a_b.example/",                        "a_b.example",                 None,        "https://a_b.example"),
];

#[test]
fn url_accepted_urls_have_the_browser_s_host_port_and_origin() {
    for &(row, input, host, port, origin) in ACCEPTED {
        let parsed = url::parse(input).unwrap_or_else(|| panic!("{row}: {input} is refused"));
        assert_eq!((parsed.host.as_str(), parsed.port, parsed.origin.as_str()), (host, port, origin), "{row}");
    }
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
    // Hosts a browser reads as IPv4 are accepted only in their canonical form (see ACCEPTED).
    // `0` and `0x` too: host_zero_reads_as_an_address_so_it_is_refused.
    for bad in ["127.1", "127.0.0.01", "0x7f.0.0.1", "2130706433", "127.0.0.1.", "1.2.3.4.5", "a.0x10", "example.123", "256.0.0.1", "0", "0x"] {
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
        // port_of_more_than_five_digits_is_refused, even of zeros.
        "https://institution-connect.meld.io:000443/",
        // port_before_userinfo_is_refused: it is still userinfo.
        "https://institution-connect.meld.io:443@evil.example/",
        // ipv4_mapped_ipv6_in_hex_is_printed_as_browsers_do (before IPv6 other than [::1] was refused).
        "HTTPS://[::FFFF:7F00:1]/",
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

#[test]
fn origins_normalise_scheme_host_and_default_port() {
    assert_eq!(normalize_origin("HTTP://LOCALHOST:8081").as_deref(), Some("http://localhost:8081"));
    assert_eq!(normalize_origin("https://institution-connect.meld.io:0443/").as_deref(), Some(PROD));
    assert_eq!(normalize_origin("https://institution-connect.meld.io:443/?").as_deref(), None);
}

#[test]
fn origin_of_a_url_is_its_own_origin() {
    for input in ["https://a.example:8443/p?q#f", "http://[::1]:80/", "HTTPS://Institution-Connect.Meld.IO./"] {
        let origin = url::parse(input).unwrap().origin;
        assert_eq!(normalize_origin(&origin).as_deref(), Some(origin.as_str()), "{input}");
    }
}
