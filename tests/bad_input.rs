//! Bad input for the pure core, one case per test: token responses, JWTs, widget messages,
//! widget URLs, `advise` and app-defined wording (`Catalog::define`). Each case names the exact
//! outcome (a typed error with its code, `None`, or a precise value) and then checks that the
//! next, correct call still gets the right answer. Only what tests/flow_parsers.rs does not
//! already assert is here; regression cases for fuzzing findings go at the end.

use meld_repair::error::{Error, ErrorCode};
use meld_repair::explain::{Catalog, CustomLocale, CustomText};
use meld_repair::flow::jwt::expiry;
use meld_repair::flow::message::{self, MessageFields, WidgetEvent};
use meld_repair::flow::token::{self, TokenResponse, WidgetPolicy};
use meld_repair::flow::url::{self, normalize_origin};
use meld_repair::rules::{advise, decide, Action, AdviseOptions, Connection, DecideOptions, Intent, Operation, Situation};

mod support;
use support::*;

fn meld(event_name: &str) -> MessageFields {
    MessageFields { domain: Some("meld-connect".into()), event_name: Some(event_name.into()), ..MessageFields::default() }
}

fn with_metadata(event_name: &str, metadata: &str) -> MessageFields {
    MessageFields { metadata: Some(metadata.to_owned()), ..meld(event_name) }
}

fn completed(institution_id: Option<&str>, institution_name: Option<&str>, account_count: Option<u32>) -> Option<WidgetEvent> {
    Some(WidgetEvent::ConnectComplete {
        institution_id: institution_id.map(str::to_owned),
        institution_name: institution_name.map(str::to_owned),
        account_count,
    })
}

fn conn(status: &str) -> Connection {
    Connection { id: Some("conn_1".into()), ..Connection::with_status(status, None) }
}

fn with_provider(status: &str, provider: &str, products: &[&str]) -> Connection {
    Connection {
        service_provider: Some(provider.to_owned()),
        products: products.iter().map(|p| p.to_string()).collect(),
        ..conn(status)
    }
}

fn add_products(connection: &Connection, products: &[&str]) -> Result<Operation, Error> {
    let options = AdviseOptions { products: products.iter().map(|p| p.to_string()).collect(), ..AdviseOptions::default() };
    advise(connection, Intent::AddProducts, &options).map(|advice| advice.operation)
}

fn locale(tag: &str, texts: &[(&str, CustomText)]) -> CustomLocale {
    CustomLocale { tag: tag.to_owned(), texts: texts.iter().map(|(code, text)| (code.to_string(), text.clone())).collect(), ..CustomLocale::default() }
}

fn title(text: &str) -> CustomText {
    CustomText { title: Some(text.to_owned()), ..CustomText::default() }
}

fn login_required() -> meld_repair::rules::Decision {
    decide(Situation::new("RECONNECT_REQUIRED", Some("LOGIN_REQUIRED")), DecideOptions::default())
}

/// After any rejection the readers and rules still answer a correct call correctly.
#[track_caller]
fn next_call_works() {
    let token = good_token();
    let repair = validate(&response(&token, &widget_url(PROD, &token), CONNECTION)).expect("a good response still validates");
    assert_eq!((repair.widget_origin.as_str(), repair.expires_at), (PROD, Some(NOW + 3 * 3600)));
    assert_eq!(expiry(&token), Some(NOW + 3 * 3600));
    assert_eq!(message::parse(&MessageFields { account_count: Some(2.0), ..meld("connect_complete") }), completed(None, None, Some(2)));
    assert_eq!(url::parse(&widget_url(PROD, "t")).map(|u| u.origin).as_deref(), Some(PROD));
    assert_eq!(decide(Situation::new("RECONNECT_REQUIRED", None), DecideOptions::default()).action(), Action::Repair);
    let mut catalog = Catalog::default();
    assert_eq!(catalog.explain(&login_required(), Some("Acme"), "en").title, "Sign in to Acme again");
    catalog.define(locale("en", &[("login_required", title("Hi {institution}"))])).expect("a good definition");
    assert_eq!(catalog.explain(&login_required(), Some("Acme"), "en").title, "Hi Acme");
}

/// One `#[test]` per case, each ending with [`next_call_works`].
macro_rules! cases {
    ($($(#[$attr:meta])* $name:ident => $body:block)*) => {
        $(
            $(#[$attr])*
            #[test]
            fn $name() {
                $body
                next_call_works();
            }
        )*
    };
}

// ---------------------------------------------------------------- token responses

cases! {
    token_response_of_empty_strings_names_the_first_field => {
        let empty = TokenResponse { connect_token: Some(String::new()), widget_url: Some(String::new()), id: Some(String::new()), institution_id: Some(String::new()) };
        rejected(validate(&empty), ErrorCode::InvalidTokenResponse, &["the token response has no connectToken"]);
    }
    token_of_spaces_is_not_a_jwt => {
        let token = good_token();
        rejected(validate(&response("   ", &widget_url(PROD, &token), CONNECTION)), ErrorCode::InvalidTokenResponse, &["connectToken is not a JWT"]);
    }
    token_with_surrounding_whitespace_is_not_trimmed => {
        let token = good_token();
        let padded = format!(" {token}\n");
        rejected(validate(&response(&padded, &widget_url(PROD, &token), CONNECTION)), ErrorCode::InvalidTokenResponse, &["connectToken is not a JWT"]);
    }
    empty_connection_id_is_not_the_response_id => {
        let token = good_token();
        let error = token::validate(&response(&token, &widget_url(PROD, &token), CONNECTION), "", &WidgetPolicy::default(), NOW).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidTokenResponse);
        assert!(error.message.contains(&format!("id \"{CONNECTION}\" is not the connection being repaired \"\"")), "{}", error.message);
    }
    id_with_a_cyrillic_lookalike_is_another_connection => {
        let token = good_token();
        let lookalike = CONNECTION.replacen('o', "\u{43e}", 1);
        rejected(validate(&response(&token, &widget_url(PROD, &token), &lookalike)), ErrorCode::InvalidTokenResponse, &["is not the connection being repaired"]);
    }
    vbscript_widget_url_names_its_scheme => {
        let token = good_token();
        rejected(validate(&response(&token, &format!("vbscript:msgbox(1)?connectToken={token}"), CONNECTION)), ErrorCode::WidgetUrlRejected, &["scheme \"vbscript\" is not https"]);
    }
    blob_widget_url_on_meld_origin_is_refused => {
        let token = good_token();
        let blob = format!("blob:{PROD}/0f4c2f5e-1b0a-4c43-9f7e-2d7e0c6a1b2c?connectToken={token}");
        rejected(validate(&response(&token, &blob, CONNECTION)), ErrorCode::WidgetUrlRejected, &["scheme \"blob\" is not https"]);
    }
    file_widget_url_is_refused => {
        let token = good_token();
        rejected(validate(&response(&token, &format!("file:///etc/passwd?connectToken={token}"), CONNECTION)), ErrorCode::WidgetUrlRejected, &["scheme \"file\""]);
    }
    javascript_split_by_a_newline_is_not_a_url => {
        let token = good_token();
        let split = format!("java\nscript:alert(1)//?connectToken={token}");
        rejected(validate(&response(&token, &split, CONNECTION)), ErrorCode::WidgetUrlRejected, &["is not an absolute https URL"]);
    }
    loopback_http_with_the_opt_in_but_not_listed_is_refused => {
        let token = good_token();
        let policy = WidgetPolicy::new(&[PROD.to_owned()], true).unwrap();
        let error = token::validate(&response(&token, &widget_url("http://127.0.0.1:8081", &token), CONNECTION), CONNECTION, &policy, NOW).unwrap_err();
        assert_eq!(error.code, ErrorCode::WidgetUrlRejected);
        assert!(error.message.contains("\"http://127.0.0.1:8081\" is not an allowed widget origin"), "{}", error.message);
    }
    https_on_a_listed_loopback_origin_needs_no_opt_in => {
        let token = good_token();
        let policy = WidgetPolicy::new(&["https://localhost:8443".to_owned()], false).unwrap();
        let repair = token::validate(&response(&token, &widget_url("https://localhost:8443", &token), CONNECTION), CONNECTION, &policy, NOW).unwrap();
        assert_eq!(repair.widget_origin, "https://localhost:8443");
    }
    empty_userinfo_is_still_userinfo => {
        let token = good_token();
        rejected(validate(&response(&token, &format!("https://:@institution-connect.meld.io/?connectToken={token}"), CONNECTION)), ErrorCode::WidgetUrlRejected, &["not an absolute https URL"]);
    }
    percent_encoded_at_in_the_host_is_refused => {
        let token = good_token();
        let url = format!("https://institution-connect.meld.io%40evil.example/?connectToken={token}");
        rejected(validate(&response(&token, &url, CONNECTION)), ErrorCode::WidgetUrlRejected, &["not an absolute https URL"]);
    }
    trailing_dot_host_is_another_origin => {
        let token = good_token();
        let url = format!("https://institution-connect.meld.io./?connectToken={token}");
        rejected(validate(&response(&token, &url, CONNECTION)), ErrorCode::WidgetUrlRejected, &["\"https://institution-connect.meld.io.\" is not an allowed widget origin"]);
    }
    meld_host_after_a_fragment_is_not_the_host => {
        let token = good_token();
        let url = format!("https://evil.example#@institution-connect.meld.io/?connectToken={token}");
        rejected(validate(&response(&token, &url, CONNECTION)), ErrorCode::WidgetUrlRejected, &["\"https://evil.example\" is not an allowed widget origin"]);
    }
    meld_host_after_a_question_mark_is_not_the_host => {
        let token = good_token();
        let url = format!("https://evil.example?@institution-connect.meld.io/&connectToken={token}");
        rejected(validate(&response(&token, &url, CONNECTION)), ErrorCode::WidgetUrlRejected, &["\"https://evil.example\" is not an allowed widget origin"]);
    }
    percent_encoded_token_in_the_url_is_the_same_token => {
        // URLSearchParams (the widget's reading) decodes it to the same token.
        let token = good_token();
        let url = format!("{PROD}/?connectToken={}", token.replace('.', "%2E"));
        assert_eq!(validate(&response(&token, &url, CONNECTION)).unwrap().widget_origin, PROD);
    }
    connect_token_key_in_another_case_is_absent => {
        let token = good_token();
        rejected(validate(&response(&token, &format!("{PROD}/?ConnectToken={token}"), CONNECTION)), ErrorCode::WidgetUrlRejected, &["carries no connectToken"]);
    }
    plus_after_the_token_is_a_space_so_another_token => {
        let token = good_token();
        rejected(validate(&response(&token, &format!("{PROD}/?connectToken={token}+"), CONNECTION)), ErrorCode::WidgetUrlRejected, &["is not the response's connectToken"]);
    }
    first_connect_token_wins_as_in_url_search_params => {
        let token = good_token();
        let url = format!("{PROD}/?connectToken={token}&connectToken=eyJsomething.else.entirely");
        assert_eq!(validate(&response(&token, &url, CONNECTION)).unwrap().connect_token, token);
    }
    token_past_the_sixty_fourth_pair_is_not_read => {
        let token = good_token();
        let junk: String = (0..64).map(|i| format!("p{i}=v&")).collect();
        let url = format!("{PROD}/?{junk}connectToken={token}");
        rejected(validate(&response(&token, &url, CONNECTION)), ErrorCode::WidgetUrlRejected, &["carries no connectToken"]);
        let url = format!("{PROD}/?{}connectToken={token}", &junk[junk.find("p1=").unwrap()..]);
        assert!(validate(&response(&token, &url, CONNECTION)).is_ok(), "the 64th pair is still read");
    }
    five_mb_institution_id_is_passed_through_whole => {
        let token = good_token();
        let mut big = response(&token, &widget_url(PROD, &token), CONNECTION);
        big.institution_id = Some("i".repeat(FIVE_MB));
        assert_eq!(validate(&big).unwrap().institution_id.map(|id| id.len()), Some(FIVE_MB));
    }
    five_mb_matching_ids_are_accepted => {
        let token = good_token();
        let id = "c".repeat(FIVE_MB);
        let repair = token::validate(&response(&token, &widget_url(PROD, &token), &id), &id, &WidgetPolicy::default(), NOW).unwrap();
        assert_eq!(repair.widget_origin, PROD);
    }
    token_one_byte_over_the_cap_is_not_a_jwt => {
        let pad = |len: usize| jwt_with_payload(format!(r#"{{"exp":1800000000,"pad":"{}"}}"#, "x".repeat(len)).as_bytes());
        let over = (12_000..12_400).map(pad).find(|t| t.len() > 16_384).unwrap();
        rejected(validate(&response(&over, &widget_url(PROD, &over), CONNECTION)), ErrorCode::InvalidTokenResponse, &["connectToken is not a JWT"]);
    }
    expiry_at_the_end_of_time_is_accepted => {
        let token = jwt("18446744073709551615");
        assert_eq!(validate(&response(&token, &widget_url(PROD, &token), CONNECTION)).unwrap().expires_at, Some(u64::MAX));
    }
    clock_at_the_end_of_time_makes_every_token_expired => {
        let token = jwt("18446744073709551615");
        let error = token::validate(&response(&token, &widget_url(PROD, &token), CONNECTION), CONNECTION, &WidgetPolicy::default(), u64::MAX).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidTokenResponse);
        assert!(error.message.contains("expires at 18446744073709551615, now is 18446744073709551615"), "{}", error.message);
    }
    fractional_expiry_inside_the_margin_is_expired => {
        // 1700000030.999 is read as 1700000030: exactly the 30 s margin, so expired.
        let token = jwt("1700000030.999");
        rejected(validate(&response(&token, &widget_url(PROD, &token), CONNECTION)), ErrorCode::InvalidTokenResponse, &["expires at 1700000030, now is 1700000000"]);
    }
    policy_entry_with_a_path_and_a_good_one_is_refused_whole => {
        let error = WidgetPolicy::new(&[PROD.to_owned(), format!("{PROD}/widget")], false).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOptions);
        assert!(error.message.contains("got \"https://institution-connect.meld.io/widget\""), "{}", error.message);
    }
}

// ---------------------------------------------------------------- JWTs

cases! {
    jwt_with_non_ascii_letters_is_not_one => {
        assert_eq!(expiry(&good_token().replacen('e', "\u{e9}", 1)), None);
        assert_eq!(expiry(&good_token().replacen('e', "\u{1d5be}", 1)), None);
    }
    jwt_with_a_raw_nul_in_a_json_string => {
        assert_eq!(expiry(&jwt_with_payload(b"{\"a\":\"\0\",\"exp\":1}")), None);
        assert_eq!(expiry(&jwt_with_payload(br#"{"a":"\u0000","exp":1}"#)), Some(1), "an escaped NUL is fine");
    }
    jwt_payload_with_a_byte_order_mark => {
        assert_eq!(expiry(&jwt_with_payload("\u{feff}{\"exp\":1}".as_bytes())), None);
    }
    jwt_payload_with_a_trailing_nul => {
        assert_eq!(expiry(&jwt_with_payload(b"{\"exp\":1}\0")), None);
    }
    jwt_payload_with_a_vertical_tab => {
        assert_eq!(expiry(&jwt_with_payload(b"{\x0b\"exp\":1}")), None, "\\v is not JSON whitespace");
    }
    jwt_exp_nested_in_another_claim_is_not_the_expiry => {
        assert_eq!(expiry(&jwt_with_payload(br#"{"claims":{"exp":1800000000}}"#)), None);
    }
    jwt_exp_key_with_a_trailing_space_is_another_key => {
        assert_eq!(expiry(&jwt_with_payload(br#"{"exp ":1800000000}"#)), None);
    }
    jwt_exp_near_the_top_of_u64 => {
        assert_eq!(expiry(&jwt("1.8e19")), Some(18_000_000_000_000_000_000));
        assert_eq!(expiry(&jwt("1e20")), None);
        assert_eq!(expiry(&jwt("18446744073709551615.9")), Some(u64::MAX));
    }
    jwt_exp_with_huge_negative_exponent_is_zero => {
        assert_eq!(expiry(&jwt("1e-999999999999")), Some(0));
        assert_eq!(expiry(&jwt("-1e-999999999999")), None, "a negative number, whatever its size");
    }
    jwt_exp_exponent_forms => {
        assert_eq!(expiry(&jwt("1e+9")), Some(1_000_000_000));
        assert_eq!(expiry(&jwt("1E0009")), Some(1_000_000_000));
        assert_eq!(expiry(&jwt("17.000000000000000000000000001e8")), Some(1_700_000_000));
    }
    jwt_keys_with_surrogates => {
        assert_eq!(expiry(&jwt_with_payload(br#"{"\ud83e\udd86":1,"exp":5}"#)), Some(5));
        // JSON.parse accepts a lone surrogate escape, and so does the reader.
        assert_eq!(expiry(&jwt_with_payload(br#"{"k":"\ud800","exp":5}"#)), Some(5));
    }
    jwt_duplicate_exp_last_number_wins => {
        assert_eq!(expiry(&jwt_with_payload(br#"{"exp":"x","exp":9}"#)), Some(9));
        assert_eq!(expiry(&jwt_with_payload(br#"{"exp":9,"exp":null}"#)), None);
    }
    jwt_payload_of_json_scalars => {
        for payload in [&b"null"[..], b"true", b"\"exp\"", b"{\"exp\":1}{\"exp\":2}", b"{\"exp\":1},"] {
            assert_eq!(expiry(&jwt_with_payload(payload)), None, "{}", String::from_utf8_lossy(payload));
        }
    }
    jwt_with_empty_header_after_padding_is_refused => {
        let parts: Vec<String> = good_token().split('.').map(str::to_owned).collect();
        assert_eq!(expiry(&format!("==.{}.{}", parts[1], parts[2])), None);
        assert_eq!(expiry(&format!("{}.{}.=", parts[0], parts[1])), None);
    }
    jwt_of_five_mb_base64_with_dots => {
        let token = format!("{0}.{0}.{0}", "A".repeat(FIVE_MB / 3));
        assert_eq!(expiry(&token), None);
    }
}

// ---------------------------------------------------------------- widget messages

cases! {
    domain_with_a_unicode_hyphen_is_not_meld => {
        let fields = MessageFields { domain: Some("meld\u{2010}connect".into()), ..meld("connect_complete") };
        assert_eq!(message::parse(&fields), None);
    }
    domain_with_a_zero_width_space_is_not_meld => {
        let fields = MessageFields { domain: Some("meld-connect\u{200b}".into()), ..meld("connect_complete") };
        assert_eq!(message::parse(&fields), None);
    }
    event_name_with_a_nul_is_an_unknown_event => {
        assert_eq!(message::parse(&meld("init\0")), Some(WidgetEvent::Other { name: "init\0".into() }));
    }
    event_name_with_a_leading_space_is_an_unknown_event => {
        assert_eq!(message::parse(&meld(" init")), Some(WidgetEvent::Other { name: " init".into() }));
    }
    event_name_of_64_four_byte_characters_is_kept => {
        let name = "\u{1f986}".repeat(64);
        assert_eq!(message::parse(&meld(&name)), Some(WidgetEvent::Other { name: name.clone() }));
        assert_eq!(message::parse(&meld(&"\u{1f986}".repeat(65))), None);
    }
    empty_details_field_wins_over_the_query_string => {
        let fields = MessageFields { details: Some(String::new()), ..with_metadata("debug", "details=from+query") };
        assert_eq!(message::parse(&fields), Some(WidgetEvent::Debug { details: Some(String::new()) }));
    }
    metadata_as_a_whole_url_has_no_known_keys => {
        let fields = with_metadata("connect_complete", "https://x.example/?institutionId=ins_1&accountCount=2");
        assert_eq!(message::parse(&fields), completed(None, None, Some(2)));
    }
    metadata_with_two_question_marks => {
        let fields = with_metadata("connect_complete", "??institutionId=ins_1");
        assert_eq!(message::parse(&fields), completed(None, None, None));
    }
    metadata_percent_nul_is_kept_as_text => {
        assert_eq!(message::parse(&with_metadata("connect_complete", "institutionId=%00")), completed(Some("\0"), None, None));
    }
    metadata_overlong_utf8_becomes_replacement_characters => {
        assert_eq!(message::parse(&with_metadata("connect_complete", "institutionId=%C0%AF")), completed(Some("\u{fffd}\u{fffd}"), None, None));
    }
    metadata_truncated_utf8_becomes_one_replacement_character => {
        assert_eq!(message::parse(&with_metadata("connect_complete", "institutionName=Caf%F0%9F")), completed(None, Some("Caf\u{fffd}"), None));
    }
    metadata_of_equals_signs => {
        assert_eq!(message::parse(&with_metadata("connect_complete", "====&institutionName==x")), completed(None, Some("=x"), None));
    }
    metadata_key_in_the_sixty_fourth_pair_is_read_not_the_sixty_fifth => {
        let junk = |n: usize| (0..n).map(|i| format!("k{i}=v&")).collect::<String>();
        assert_eq!(message::parse(&with_metadata("connect_complete", &format!("{}institutionId=ins", junk(63)))), completed(Some("ins"), None, None));
        assert_eq!(message::parse(&with_metadata("connect_complete", &format!("{}institutionId=ins", junk(64)))), completed(None, None, None));
    }
    metadata_after_five_mb_of_ampersands_is_read => {
        let metadata = format!("{}institutionId=ins_1", "&".repeat(FIVE_MB));
        assert_eq!(message::parse(&with_metadata("connect_complete", &metadata)), completed(Some("ins_1"), None, None));
    }
    metadata_of_a_lone_question_mark => {
        assert_eq!(message::parse(&with_metadata("error", "?")), Some(WidgetEvent::Error { details: None, reason: None }));
    }
    details_of_513_characters_lose_one => {
        let fields = MessageFields { details: Some(format!("{}\u{e9}", "d".repeat(512))), ..meld("debug") };
        assert_eq!(message::parse(&fields), Some(WidgetEvent::Debug { details: Some("d".repeat(512)) }));
    }
    combining_marks_count_as_characters_when_clipping => {
        let fields = MessageFields { reason: Some("e\u{301}".repeat(300)), ..meld("error") };
        let Some(WidgetEvent::Error { reason: Some(reason), .. }) = message::parse(&fields) else { panic!() };
        assert_eq!((reason.chars().count(), reason.ends_with('\u{301}')), (512, true));
    }
    account_count_of_tiny_and_huge_floats => {
        for number in [1e-300, f64::MAX, 10_000.000_000_001, -f64::MIN_POSITIVE] {
            let fields = MessageFields { account_count: Some(number), ..meld("connect_complete") };
            assert_eq!(message::parse(&fields), completed(None, None, None), "{number}");
        }
    }
    account_count_in_the_query_with_an_encoded_plus => {
        assert_eq!(message::parse(&with_metadata("connect_complete", "accountCount=%2B2")), completed(None, None, None));
        assert_eq!(message::parse(&with_metadata("connect_complete", "accountCount=%32%30")), completed(None, None, Some(20)));
    }
}

// ---------------------------------------------------------------- widget URLs

cases! {
    port_with_a_leading_zero_is_the_default_port => {
        let parsed = url::parse("https://institution-connect.meld.io:0443/").unwrap();
        assert_eq!((parsed.port, parsed.origin.as_str()), (None, PROD));
    }
    port_of_more_than_five_digits_is_refused => {
        assert_eq!(url::parse("https://institution-connect.meld.io:000443/"), None);
    }
    host_zero_reads_as_an_address_so_it_is_refused => {
        assert_eq!(url::parse("http://0/"), None);
        assert_eq!(url::parse("http://0x/"), None);
    }
    canonical_ipv4_host_is_kept => {
        assert_eq!(url::parse("https://1.2.3.4:8443/x").unwrap().origin, "https://1.2.3.4:8443");
    }
    ipv4_mapped_ipv6_in_hex_is_refused => {
        assert_eq!(url::parse("HTTPS://[::FFFF:7F00:1]/"), None);
    }
    punycode_and_underscore_hosts_are_kept_as_written => {
        assert_eq!(url::parse("https://XN--BCHER-KVA.example/").unwrap().host, "xn--bcher-kva.example");
        assert_eq!(url::parse("https://a_b.example/").unwrap().host, "a_b.example");
    }
    port_before_userinfo_is_refused => {
        assert_eq!(url::parse("https://institution-connect.meld.io:443@evil.example/"), None);
    }
    origins_normalise_scheme_host_and_default_port => {
        assert_eq!(normalize_origin("HTTP://LOCALHOST:8081").as_deref(), Some("http://localhost:8081"));
        assert_eq!(normalize_origin("https://institution-connect.meld.io:0443/").as_deref(), Some(PROD));
        assert_eq!(normalize_origin("https://institution-connect.meld.io:443/?").as_deref(), None);
    }
    origin_of_a_url_is_its_own_origin => {
        for input in ["https://a.example:8443/p?q#f", "http://[::1]:80/", "HTTPS://Institution-Connect.Meld.IO./"] {
            let origin = url::parse(input).unwrap().origin;
            assert_eq!(normalize_origin(&origin).as_deref(), Some(origin.as_str()), "{input}");
        }
    }
}

// ---------------------------------------------------------------- advise

cases! {
    empty_product_name_is_refused => {
        let error = add_products(&with_provider("ACTIVE", "PLAID", &[]), &[""]).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOptions);
        assert!(error.message.ends_with("got \"\""), "{}", error.message);
    }
    product_with_spaces_and_lower_case_is_read => {
        assert_eq!(add_products(&with_provider("ACTIVE", "PLAID", &["TRANSACTIONS"]), &[" owners "]).unwrap(), Operation::Update);
    }
    one_unknown_product_among_known_ones_refuses_all => {
        let error = add_products(&with_provider("ACTIVE", "PLAID", &[]), &["OWNERS", "NOPE"]).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOptions);
        assert!(error.message.ends_with("got \"NOPE\""), "{}", error.message);
    }
    fullwidth_product_name_is_unknown => {
        let error = add_products(&with_provider("ACTIVE", "PLAID", &[]), &["\u{ff34}\u{ff32}\u{ff21}\u{ff2e}\u{ff33}"]).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOptions);
    }
    product_with_a_nul_is_unknown => {
        assert_eq!(add_products(&with_provider("ACTIVE", "PLAID", &[]), &["OWNERS\0"]).unwrap_err().code, ErrorCode::InvalidOptions);
    }
    five_mb_product_name_is_refused => {
        let error = add_products(&with_provider("ACTIVE", "PLAID", &[]), &[&"X".repeat(FIVE_MB)]).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOptions);
    }
    products_are_checked_before_the_status => {
        // An expired connection gets a new link, but a bad product list is still the app's bug.
        assert_eq!(add_products(&with_provider("EXPIRED", "PLAID", &[]), &["NOPE"]).unwrap_err().code, ErrorCode::InvalidOptions);
        assert_eq!(add_products(&with_provider("EXPIRED", "PLAID", &[]), &["OWNERS"]).unwrap(), Operation::NewConnection);
    }
    other_intents_ignore_a_bad_product_list => {
        let options = AdviseOptions { products: vec!["NOPE".into()], ..AdviseOptions::default() };
        for (intent, operation) in [(Intent::Fix, Operation::Repair), (Intent::FreshData, Operation::Repair), (Intent::Remove, Operation::Delete)] {
            assert_eq!(advise(&conn("RECONNECT_REQUIRED"), intent, &options).unwrap().operation, operation, "{intent:?}");
        }
    }
    provider_spelled_with_separators_is_recognised => {
        assert_eq!(add_products(&with_provider("ACTIVE", " y-o_d l e e ", &["BALANCES"]), &["OWNERS"]).unwrap(), Operation::NewConnection);
    }
    empty_provider_is_an_unknown_provider => {
        let options = AdviseOptions { products: vec!["OWNERS".into()], ..AdviseOptions::default() };
        let advice = advise(&with_provider("ACTIVE", " - _ ", &["BALANCES"]), Intent::AddProducts, &options).unwrap();
        assert_eq!(advice.operation, Operation::Update);
        assert!(advice.note.contains("unknown to this version"), "{}", advice.note);
    }
    intent_with_a_leading_space_is_unknown => {
        let error = Intent::parse(" fix").unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidIntent);
        assert!(error.message.ends_with("got \" fix\""), "{}", error.message);
    }
    connection_id_with_the_marker_is_filled_in_once => {
        let connection = Connection { id: Some("{connectionId}".into()), ..conn("ACTIVE") };
        let advice = advise(&connection, Intent::FreshData, &AdviseOptions::default()).unwrap();
        assert_eq!(advice.path(connection.id.as_deref()).as_deref(), Some("POST /bank-linking/connections/{connectionId}/refresh"));
    }
}

// ---------------------------------------------------------------- app-defined wording

cases! {
    upper_case_code_is_unknown => {
        let error = Catalog::default().define(locale("fr", &[("LOGIN_REQUIRED", title("x"))])).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidCopy);
        assert_eq!(error.message, "no verdict has the code \"LOGIN_REQUIRED\"");
    }
    code_with_a_leading_space_is_unknown => {
        assert_eq!(Catalog::default().define(locale("fr", &[(" login_required", title("x"))])).unwrap_err().code, ErrorCode::InvalidCopy);
    }
    empty_code_is_unknown => {
        assert_eq!(Catalog::default().define(locale("fr", &[("", title("x"))])).unwrap_err().code, ErrorCode::InvalidCopy);
    }
    blank_tags_are_refused => {
        for tag in ["", "   ", "\t\n", "\u{3000}"] {
            let error = Catalog::default().define(locale(tag, &[("login_required", title("x"))])).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidCopy, "{tag:?}");
        }
    }
    one_unknown_code_refuses_the_whole_definition => {
        let mut catalog = Catalog::default();
        let error = catalog.define(locale("en", &[("login_required", title("Hi {institution}")), ("no_such_code", title("x"))])).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidCopy);
        assert_eq!(catalog.explain(&login_required(), Some("Acme"), "en").title, "Sign in to Acme again", "nothing was applied");
    }
    fallback_cycle_ends_in_english => {
        let mut catalog = Catalog::default();
        catalog.define(CustomLocale { fallback: Some("de".into()), ..locale("fr", &[("expired", title("fr"))]) }).unwrap();
        catalog.define(CustomLocale { fallback: Some("FR".into()), ..locale("de", &[("expired", title("de"))]) }).unwrap();
        let text = catalog.explain(&login_required(), Some("Acme"), "de-AT");
        assert_eq!((text.locale.as_str(), text.title.as_str()), ("de", "Sign in to Acme again"));
    }
    redefining_a_locale_replaces_it => {
        let mut catalog = Catalog::default();
        catalog.define(locale("en", &[("login_required", title("first"))])).unwrap();
        catalog.define(locale("EN", &[("expired", title("second"))])).unwrap();
        assert_eq!(catalog.explain(&login_required(), None, "en").title, "Sign in to your bank again");
    }
    underscore_tag_is_the_hyphen_tag => {
        let mut catalog = Catalog::default();
        catalog.define(locale("PT_br", &[("login_required", title("Entre no {institution}"))])).unwrap();
        let text = catalog.explain(&login_required(), Some("Itaú"), "pt-BR");
        assert_eq!((text.locale.as_str(), text.title.as_str()), ("pt-br", "Entre no Itaú"));
    }
    five_mb_title_is_used_whole => {
        let mut catalog = Catalog::default();
        catalog.define(locale("en", &[("login_required", title(&"t".repeat(FIVE_MB)))])).unwrap();
        assert_eq!(catalog.explain(&login_required(), None, "en").title.len(), FIVE_MB);
    }
    institution_name_holding_the_marker_is_not_filled_twice => {
        let text = Catalog::default().explain(&login_required(), Some("{institution}"), "en");
        assert_eq!(text.title, "Sign in to {institution} again");
    }
}

// ---------------------------------------------------------------- fuzzing findings
// Inputs the fuzz targets found (docs/fuzzing.md). An `#[ignore]`d case is a library bug not
// fixed yet: `cargo test --test bad_input -- --ignored` shows it failing; un-ignore it with the fix.

cases! {
    /// fuzz/artifacts/url/crash-07f1b47e…: `https://institution-connect.meld.io??connectToken=…`.
    /// The widget reads `new URL(widgetUrl).searchParams`, whose first key is `?connectToken`:
    /// it finds no token, so the URL must be refused like any URL without one.
    widget_url_query_starting_with_a_question_mark => {
        let token = good_token();
        let url = format!("{PROD}??connectToken={token}");
        rejected(validate(&response(&token, &url, CONNECTION)), ErrorCode::WidgetUrlRejected, &["carries no connectToken"]);
    }
    /// fuzz/artifacts/jwt/crash-a9907ff3…: a key with a lone surrogate escape (`"\u0065x\ud800p"`)
    /// next to the real `exp`. Not a bug (JSON.parse accepts lone surrogates, and so does the
    /// reader); the fuzz target's reference was too strict. Kept as the reader's exact answer.
    lone_surrogate_in_a_key_beside_exp => {
        assert_eq!(expiry(&jwt_with_payload(br#"{"\u0065x\ud800p":1,"s":"a \u01e9 ]","\ufffd":{"exp":"no"},"exp":42}"#)), Some(42));
    }
}
