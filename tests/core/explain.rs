//! `explain`: every verdict code has its wording in every built-in locale, severity follows
//! urgency, and the app's own wording (`Catalog::define`) is checked before anything is applied.

use meld_repair::error::ErrorCode;
use meld_repair::explain::{outcome_code, Catalog, CustomLocale, CustomText, Severity, BUILT_IN, COPY_CODES};
use meld_repair::rules::table::codes;
use meld_repair::rules::{decide, DecideOptions, Decision, Situation};

use crate::support::js::{object, text, Js};
use crate::support::FIVE_MB;

fn locale(tag: &str, texts: &[(&str, CustomText)]) -> CustomLocale {
    CustomLocale { tag: tag.to_owned(), texts: texts.iter().map(|(code, text)| (code.to_string(), text.clone())).collect(), ..CustomLocale::default() }
}

fn title(text: &str) -> CustomText {
    CustomText { title: Some(text.to_owned()), ..CustomText::default() }
}

fn login_required() -> Decision {
    decide(Situation::new("RECONNECT_REQUIRED", Some("LOGIN_REQUIRED")), DecideOptions::default())
}

/// The wording half of adding a status or a reason: a code without its line in a locale, or a
/// line for a code no verdict has, fails here.
#[test]
fn every_code_has_exactly_one_line_in_every_built_in_locale() {
    let codes = codes();
    for locale in BUILT_IN {
        for code in &codes {
            let lines = locale.rows.iter().filter(|row| row.0 == *code).count();
            assert_eq!(lines, 1, "{}: {code} has {lines} lines", locale.tag);
        }
        for row in locale.rows {
            assert!(codes.contains(&row.0), "{}: {} is no verdict's code", locale.tag, row.0);
            assert!(!row.1.is_empty() && !row.2.is_empty(), "{}: {} has an empty title or message", locale.tag, row.0);
        }
    }
}

/// Everything else a customer reads (outcomes, labels) is in every locale too, and nothing more.
#[test]
fn every_copy_code_has_exactly_one_line_in_every_built_in_locale() {
    for locale in BUILT_IN {
        for (code, _) in COPY_CODES {
            let lines = locale.copy.iter().filter(|row| row.0 == *code).count();
            assert_eq!(lines, 1, "{}: {code} has {lines} lines", locale.tag);
        }
        for row in locale.copy {
            assert!(COPY_CODES.iter().any(|(code, _)| *code == row.0), "{}: {} is no copy code", locale.tag, row.0);
            assert!(!row.1.is_empty(), "{}: {} has an empty title", locale.tag, row.0);
        }
    }
}

/// A failure is worded by its code and `retryable`, never by its developer message.
#[test]
fn outcomes_map_to_customer_copy() {
    let failed = |code: &str, retryable: bool| {
        let error = object(&[("code", text(code)), ("retryable", Js::Bool(retryable)), ("message", text("the token endpoint answered HTTP 502"))]);
        outcome_code(object(&[("status", text("failed")), ("error", error)]).value()).unwrap()
    };
    let status = |status: &str| outcome_code(object(&[("status", text(status))]).value()).unwrap();
    assert_eq!(status("completed"), ("repair_completed", Severity::Success));
    assert_eq!(status("cancelled"), ("repair_cancelled", Severity::Info));
    let cancelled = |reason: &str| outcome_code(object(&[("status", text("cancelled")), ("reason", text(reason))]).value()).unwrap();
    assert_eq!(cancelled("customer_closed"), ("repair_cancelled", Severity::Info));
    assert_eq!(cancelled("window_lost"), ("repair_window_lost", Severity::Info), "a popup cut off by COOP may still be open");
    assert_eq!(status("not_needed"), ("repair_not_needed", Severity::Success));
    assert_eq!(status("failed"), ("repair_failed_final", Severity::Error));
    assert_eq!(failed("TOKEN_ENDPOINT_FAILED", true), ("repair_failed", Severity::Error));
    assert_eq!(failed("POPUP_BLOCKED", true), ("repair_failed_popup", Severity::Error));
    assert_eq!(failed("WIDGET_URL_REJECTED", false), ("repair_failed_final", Severity::Error));
    let error = outcome_code(object(&[("status", text("open"))]).value()).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOptions);

    let catalog = Catalog::default();
    let text = catalog.explain_code("repair_failed", Severity::Error, Some("Flannel Bank"), "es-MX");
    assert_eq!((text.title.as_str(), text.locale.as_str()), ("No pudimos volver a conectar Flannel Bank", "es"));
    assert_eq!(text.action_label.as_deref(), Some("Intentar de nuevo"));
}

/// The app's labels go down the same chain as its verdict text; a label may be a bare string.
#[test]
fn labels_follow_define_copy() {
    let mut catalog = Catalog::default();
    let texts = object(&[("close", text("Fermer")), ("repair_completed", object(&[("title", text("Reconnecté"))]))]);
    catalog.define(CustomLocale::read(text("fr").value(), texts.value(), Js::Undefined.value()).unwrap()).unwrap();
    assert_eq!(catalog.explain_code("close", Severity::Info, None, "fr-CA").title, "Fermer");
    let completed = catalog.explain_code("repair_completed", Severity::Success, None, "fr");
    assert_eq!(completed.title, "Reconnecté");
    assert_eq!(completed.message, "Your accounts at your bank are updating. This can take a few minutes.");
}

#[test]
fn severity_follows_urgency() {
    let severity = |status, reason| Severity::of(&decide(Situation::new(status, reason), DecideOptions::default()));
    assert_eq!(severity("RECONNECT_REQUIRED", None), Severity::Error);
    assert_eq!(severity("DEGRADED", Some("INSTITUTION_ACTION_REQUIRED")), Severity::Error);
    assert_eq!(severity("ACTIVE", Some("ACCESS_EXPIRING_SOON")), Severity::Warning);
    assert_eq!(severity("ACTIVE", Some("NEW_ACCOUNTS_AVAILABLE")), Severity::Info);
    assert_eq!(severity("DEGRADED", None), Severity::Info);
    assert_eq!(severity("EXPIRED", None), Severity::Info);
    assert_eq!(severity("DELETED", None), Severity::Info);
    assert_eq!(severity("ACTIVE", None), Severity::Success);
    assert_eq!(severity("WHATEVER", None), Severity::Info);
}

#[test]
fn upper_case_code_is_unknown() {
    let error = Catalog::default().define(locale("fr", &[("LOGIN_REQUIRED", title("x"))])).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidCopy);
    assert_eq!(error.message, "no verdict has the code \"LOGIN_REQUIRED\"");
}

#[test]
fn code_with_a_leading_space_is_unknown() {
    assert_eq!(Catalog::default().define(locale("fr", &[(" login_required", title("x"))])).unwrap_err().code, ErrorCode::InvalidCopy);
}

#[test]
fn empty_code_is_unknown() {
    assert_eq!(Catalog::default().define(locale("fr", &[("", title("x"))])).unwrap_err().code, ErrorCode::InvalidCopy);
}

#[test]
fn blank_tags_are_refused() {
    for tag in ["", "   ", "\t\n", "\u{3000}"] {
        let error = Catalog::default().define(locale(tag, &[("login_required", title("x"))])).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidCopy, "{tag:?}");
    }
}

#[test]
fn one_unknown_code_refuses_the_whole_definition() {
    let mut catalog = Catalog::default();
    let error = catalog.define(locale("en", &[("login_required", title("Hi {institution}")), ("no_such_code", title("x"))])).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidCopy);
    assert_eq!(catalog.explain(&login_required(), Some("Acme"), "en").title, "Sign in to Acme again", "nothing was applied");
}

#[test]
fn fallback_cycle_ends_in_english() {
    let mut catalog = Catalog::default();
    catalog.define(CustomLocale { fallback: Some("de".into()), ..locale("fr", &[("expired", title("fr"))]) }).unwrap();
    catalog.define(CustomLocale { fallback: Some("FR".into()), ..locale("de", &[("expired", title("de"))]) }).unwrap();
    let text = catalog.explain(&login_required(), Some("Acme"), "de-AT");
    assert_eq!((text.locale.as_str(), text.title.as_str()), ("de", "Sign in to Acme again"));
}

#[test]
fn redefining_a_locale_replaces_it() {
    let mut catalog = Catalog::default();
    catalog.define(locale("en", &[("login_required", title("first"))])).unwrap();
    catalog.define(locale("EN", &[("expired", title("second"))])).unwrap();
    assert_eq!(catalog.explain(&login_required(), None, "en").title, "Sign in to your bank again");
}

#[test]
fn underscore_tag_is_the_hyphen_tag() {
    let mut catalog = Catalog::default();
    catalog.define(locale("PT_br", &[("login_required", title("Entre no {institution}"))])).unwrap();
    let text = catalog.explain(&login_required(), Some("Itaú"), "pt-BR");
    assert_eq!((text.locale.as_str(), text.title.as_str()), ("pt-br", "Entre no Itaú"));
}

#[test]
fn five_mb_title_is_used_whole() {
    let mut catalog = Catalog::default();
    catalog.define(locale("en", &[("login_required", title(&"t".repeat(FIVE_MB)))])).unwrap();
    assert_eq!(catalog.explain(&login_required(), None, "en").title.len(), FIVE_MB);
}

#[test]
fn institution_name_holding_the_marker_is_not_filled_twice() {
    let text = Catalog::default().explain(&login_required(), Some("{institution}"), "en");
    assert_eq!(text.title, "Sign in to {institution} again");
}

#[test]
fn names_that_can_turn_the_sentence_around_are_bidi_isolated() {
    // Red-team D18: an unterminated U+202E reversed the rest of the sentence.
    let catalog = Catalog::default();
    let text = catalog.explain(&login_required(), Some("\u{202E}First Bank"), "en");
    assert!(text.message.contains("\u{2068}\u{202E}First Bank\u{2069}"), "{}", text.message);
    assert_eq!(text.title, "Sign in to \u{2068}\u{202E}First Bank\u{2069} again");
    for name in ["בנק הפועלים", "مصرف 1", "Bank\u{200F}", "a\u{2066}b", "\u{10900}"] {
        assert_eq!(catalog.explain(&login_required(), Some(name), "en").title, format!("Sign in to \u{2068}{name}\u{2069} again"), "{name:?}");
    }
    // Left-to-right names go in as they are.
    for name in ["First Platypus Bank", "Crédit Agricole", "三菱UFJ銀行", "Bank\u{FEFF}1"] {
        assert_eq!(catalog.explain(&login_required(), Some(name), "en").title, format!("Sign in to {name} again"), "{name:?}");
    }
}

#[test]
fn a_text_names_the_institution_at_most_eight_times() {
    // Red-team D9: 1e5 places and a 5.4 KB name made a title past V8's string limit.
    let mut catalog = Catalog::default();
    let error = catalog.define(locale("en", &[("login_required", title(&"{institution}".repeat(9)))])).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidCopy);
    assert_eq!(error.message, "texts.login_required.title names {institution} more than 8 times");
    catalog.define(locale("en", &[("login_required", title(&"{institution}".repeat(8)))])).unwrap();
    assert_eq!(catalog.explain(&login_required(), Some("B"), "en").title, "B".repeat(8));
}

#[test]
fn a_long_fallback_chain_is_cut_after_sixteen_locales() {
    // Red-team D12: 10 000 chained locales made one explain take 1.3 s.
    let mut catalog = Catalog::default();
    for i in 0..10_000 {
        let mut custom = locale(&format!("x{i}"), &[]);
        custom.fallback = Some(format!("x{}", i + 1));
        catalog.define(custom).unwrap();
    }
    catalog.define(locale("x10", &[("login_required", title("ten"))])).unwrap();
    let mut fifty = locale("x50", &[("login_required", title("fifty"))]);
    fifty.fallback = Some("x51".into());
    catalog.define(fifty).unwrap();
    let started = std::time::Instant::now();
    assert_eq!(catalog.explain(&login_required(), Some("B"), "x0").title, "ten", "11 locales down");
    assert_eq!(catalog.explain(&login_required(), Some("B"), "x35").title, "fifty", "16 locales down");
    assert_eq!(catalog.explain(&login_required(), Some("B"), "x34").title, "Sign in to B again", "17 locales down: cut, English");
    assert_eq!(catalog.explain(&login_required(), Some("B"), "x100").title, "Sign in to B again");
    assert!(started.elapsed().as_millis() < 500, "{:?}", started.elapsed());
}
