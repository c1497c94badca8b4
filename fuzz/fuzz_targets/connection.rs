//! `connection`: a Meld connection's status, reason and institution (plus products, provider,
//! an id and an app-defined locale) → `Situation::new`, `decide`, `Catalog::explain` in both
//! built-in locales and a custom one, and `advise` for every intent.
//!
//! Lines (see common.rs): status, reason, institution, refreshAttempts, products (comma list),
//! provider, id, custom tag, custom fallback, custom yourInstitution, custom title, custom
//! message, custom actionLabel (`~~` removes it), custom code (empty: the decided code),
//! requested locale (absent: the custom tag), optionalProducts, duplicateConnectionIds, intent.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use meld_repair::error::ErrorCode;
use meld_repair::explain::{Catalog, CustomLocale, CustomText, Severity, BUILT_IN};
use meld_repair::rules::advise::PRODUCTS;
use meld_repair::rules::connection::normalize;
use meld_repair::rules::table::{codes, statuses};
use meld_repair::rules::{advise, decide, Action, AdviseOptions, Connection, DecideOptions, Decision, Intent, Operation, Situation, Urgency};

const PLACEHOLDER: &str = "{institution}";

fuzz_target!(|data: &[u8]| {
    let mut lines = common::Lines::new(data);
    let status = lines.text();
    let reason = lines.opt();
    let institution = lines.opt();
    let attempts = u32::try_from(lines.number(0)).unwrap_or(u32::MAX);
    let products = lines.list();
    let provider = lines.opt();
    let id = lines.opt();
    let tag = lines.text();
    let fallback = lines.opt();
    let your_institution = lines.opt();
    let title = lines.opt();
    let message = lines.opt();
    let action_label = match lines.opt() {
        None => None,
        Some(label) if label == "~~" => Some(None),
        Some(label) => Some(Some(label)),
    };
    let custom_code = lines.opt().filter(|code| !code.is_empty());
    let requested = lines.opt();
    let optional_products = lines.list();
    let duplicates = lines.list();
    let intent_text = lines.text();

    // ---- Situation: trimmed, upper-cased, legacy statuses mapped, empty reason = none.
    let situation = Situation::new(&status, reason.as_deref());
    let normalized = normalize(&status);
    match situation.legacy_status {
        Some(old) => assert_eq!(old, normalized),
        None => assert_eq!(situation.status, normalized),
    }
    if let Some(reason) = &situation.reason {
        assert!(!reason.is_empty());
        assert_eq!(reason, &reason.trim().to_ascii_uppercase());
    }

    // ---- decide
    let options = DecideOptions { refresh_attempts: attempts };
    let decision = decide(situation.clone(), options);
    check_decision(&decision);
    assert_eq!(decision.recognized, statuses().contains(&decision.situation.status.as_str()));

    // ---- explain, built-in locales
    let name = institution.as_deref().map(str::trim).filter(|name| !name.is_empty());
    let catalog = Catalog::default();
    for locale in BUILT_IN {
        let explanation = catalog.explain(&decision, institution.as_deref(), locale.tag);
        let row = locale.rows.iter().find(|row| row.0 == decision.verdict.code).expect("every code has wording in every built-in locale");
        assert_eq!(explanation.locale, locale.tag);
        assert_eq!(explanation.code, decision.verdict.code);
        assert_eq!(explanation.title, fill(row.1, name, locale.your_institution));
        assert_eq!(explanation.message, fill(row.2, name, locale.your_institution));
        assert_eq!(explanation.action_label.as_deref(), row.3);
        assert!(!explanation.title.is_empty() && !explanation.message.is_empty());
        if name.is_none_or(|name| !name.contains(['{', '}'])) {
            assert!(!explanation.title.contains(PLACEHOLDER) && !explanation.message.contains(PLACEHOLDER));
        }
        assert_eq!(explanation.severity, severity(&decision));
        // A regional tag falls back to its language.
        let regional = catalog.explain(&decision, institution.as_deref(), &[locale.tag, "-ZZ"].concat());
        assert_eq!(regional, explanation);
    }

    // ---- explain, an app-defined locale
    let code = custom_code.clone().unwrap_or_else(|| decision.verdict.code.to_owned());
    let text = CustomText { title: title.clone(), message: message.clone(), action_label: action_label.clone() };
    let custom = CustomLocale { tag: tag.clone(), fallback, your_institution: your_institution.clone(), texts: vec![(code.clone(), text)] };
    let mut catalog = Catalog::default();
    let normalized_tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    match catalog.define(custom) {
        Ok(()) => {
            assert!(!normalized_tag.is_empty());
            assert!(codes().contains(&code.as_str()));
        }
        Err(error) => {
            assert_eq!(error.code, ErrorCode::InvalidCopy);
            let too_many_places = [&title, &message].iter().any(|text| text.as_deref().is_some_and(|text| text.matches(PLACEHOLDER).count() > 8));
            assert!(normalized_tag.is_empty() || !codes().contains(&code.as_str()) || too_many_places, "{}", error.message);
            // A refused definition changes nothing.
            assert_eq!(catalog.explain(&decision, institution.as_deref(), &tag), Catalog::default().explain(&decision, institution.as_deref(), &tag));
            return advise_all(&decision, status, reason, institution, id, provider, products, optional_products, duplicates, options, &intent_text);
        }
    }
    let asked = requested.unwrap_or_else(|| tag.clone());
    let explanation = catalog.explain(&decision, institution.as_deref(), &asked);
    assert_eq!(explanation.code, decision.verdict.code);
    assert_eq!(explanation.severity, severity(&decision));
    assert!(!explanation.locale.is_empty());
    if asked == tag {
        assert_eq!(explanation.locale, normalized_tag);
        if code == decision.verdict.code {
            let yours = your_institution.as_deref();
            if let Some(title) = &title
                && (name.is_some() || yours.is_some())
            {
                assert_eq!(explanation.title, fill(title, name, yours.unwrap_or_default()));
            }
            if let Some(message) = &message
                && (name.is_some() || yours.is_some())
            {
                assert_eq!(explanation.message, fill(message, name, yours.unwrap_or_default()));
            }
            if let Some(label) = &action_label {
                assert_eq!(&explanation.action_label, label);
            }
        }
    }
    catalog.reset();
    assert_eq!(catalog.explain(&decision, institution.as_deref(), &asked), Catalog::default().explain(&decision, institution.as_deref(), &asked));

    advise_all(&decision, status, reason, institution, id, provider, products, optional_products, duplicates, options, &intent_text);
});

fn check_decision(decision: &Decision) {
    let action = decision.action();
    assert_eq!(decision.open_widget(), action == Action::Repair);
    assert_eq!(decision.customer_involved(), matches!(action, Action::Repair | Action::ContactInstitution | Action::NewConnection));
    assert_eq!(decision.retry_after_seconds.is_some(), action == Action::Wait);
    if let Some(seconds) = decision.retry_after_seconds {
        assert!(seconds > 0 && seconds <= 86_400, "{seconds}");
    }
    assert!(codes().contains(&decision.verdict.code));
    if !decision.recognized {
        assert!(!decision.reason_recognized);
        assert_eq!(decision.verdict.code, "unknown_status");
    }
}

fn severity(decision: &Decision) -> Severity {
    match decision.verdict.urgency {
        Urgency::Required => Severity::Error,
        Urgency::Recommended => Severity::Warning,
        _ if decision.action() == Action::NoAction && !decision.terminal() => Severity::Success,
        _ => Severity::Info,
    }
}

/// The reference for the template filler: `str::replace`, with the stand-in phrase
/// capitalised (ASCII) when it starts the text, and a name that could turn the text around
/// (the README's right-to-left blocks and bidi controls) between U+2068 and U+2069.
fn fill(template: &str, name: Option<&str>, your_institution: &str) -> String {
    match name {
        Some(name) if name.chars().any(|c| matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}' | '\u{10800}'..='\u{10FFF}' | '\u{1E800}'..='\u{1EFFF}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')) => {
            template.replace(PLACEHOLDER, &["\u{2068}", name, "\u{2069}"].concat())
        }
        Some(name) => template.replace(PLACEHOLDER, name),
        None => match template.strip_prefix(PLACEHOLDER) {
            Some(rest) => {
                let mut phrase = your_institution.to_owned();
                if let Some(first) = phrase.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                // With an empty phrase, following markers also start the text.
                let rest = if your_institution.is_empty() { rest.replace(PLACEHOLDER, "") } else { rest.replace(PLACEHOLDER, your_institution) };
                phrase + &rest
            }
            None => template.replace(PLACEHOLDER, your_institution),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn advise_all(
    decision: &Decision,
    status: String,
    reason: Option<String>,
    institution: Option<String>,
    id: Option<String>,
    provider: Option<String>,
    products: Vec<String>,
    optional_products: Vec<String>,
    duplicates: Vec<String>,
    options: DecideOptions,
    intent_text: &str,
) {
    match Intent::parse(intent_text) {
        Ok(intent) => assert!(Intent::ALL.iter().any(|(name, known)| *name == intent_text && *known == intent)),
        Err(error) => {
            assert_eq!(error.code, ErrorCode::InvalidIntent);
            assert!(Intent::ALL.iter().all(|(name, _)| *name != intent_text));
        }
    }

    let connection = Connection {
        id: id.clone(),
        status,
        status_reason: reason,
        institution_name: institution,
        service_provider: provider.clone(),
        products: Vec::new(),
        optional_products,
        duplicate_connection_ids: duplicates,
    };
    // The connection's own products are the requested ones shifted by one, so some are present.
    let connection = Connection { products: products.iter().skip(1).cloned().collect(), ..connection };
    let advise_options = AdviseOptions { products: products.clone(), decide: options };
    let status = decision.situation.status.as_str();
    let provider_key: Option<String> = provider
        .as_deref()
        .map(|p| p.chars().filter(|c| !matches!(c, '_' | '-' | ' ')).map(|c| c.to_ascii_uppercase()).collect())
        .filter(|key: &String| !key.is_empty());
    for &(_, intent) in Intent::ALL {
        let result = advise(&connection, intent, &advise_options);
        let bad_products = products.is_empty() || products.iter().any(|p| !PRODUCTS.contains(&normalize(p).as_str()));
        let advice = match result {
            Err(error) => {
                assert_eq!(intent, Intent::AddProducts, "{}", error.message);
                assert!(bad_products);
                assert_eq!(error.code, ErrorCode::InvalidOptions);
                continue;
            }
            Ok(advice) => advice,
        };
        assert!(!(intent == Intent::AddProducts && bad_products));
        assert_eq!(advice.intent, intent);
        assert!(!advice.note.is_empty());
        let expected_path = advice.operation.endpoint().map(|endpoint| match id.as_deref() {
            Some(id) => endpoint.replace("{connectionId}", id),
            None => endpoint.to_owned(),
        });
        assert_eq!(advice.path(id.as_deref()), expected_path);
        assert_eq!(advice.operation.involves_customer(), matches!(advice.operation, Operation::Repair | Operation::NewConnection));
        let terminal = matches!(status, "EXPIRED" | "DELETED");
        match intent {
            Intent::Fix => {
                let fixed = advice.decision.as_ref().expect("fix carries its decision");
                assert_eq!(fixed, &decide(Situation::of(&connection), options));
                assert_eq!(fixed, decision);
                assert_eq!(advice.operation == Operation::Repair, decision.action() == Action::Repair);
            }
            Intent::Migrate => {
                assert!(advice.decision.is_none());
                let importable = provider_key.as_deref().is_some_and(|key| key == "PLAID" || key == "AKOYA");
                assert_eq!(advice.operation, if importable { Operation::Import } else { Operation::NewConnection });
            }
            Intent::Remove => {
                assert_eq!(advice.operation, if status == "DELETED" { Operation::NoOperation } else { Operation::Delete });
            }
            Intent::FreshData | Intent::AddProducts => {
                assert!(advice.decision.is_none());
                if status == "IN_PROGRESS" {
                    assert_eq!(advice.operation, Operation::Wait);
                } else if terminal {
                    assert_eq!(advice.operation, Operation::NewConnection);
                } else if intent == Intent::FreshData {
                    // A refresh of a connection that is not ACTIVE delivers only where decide
                    // would refresh too; elsewhere decide's verdict stands (the customer acts,
                    // or is present, or the outage must end).
                    let follows_decide = match decision.action() {
                        Action::Refresh | Action::ResolveDuplicate | Action::NoAction => None,
                        Action::Repair => Some(Operation::Repair),
                        Action::ContactInstitution => Some(Operation::NoOperation),
                        Action::Wait => Some(Operation::Wait),
                        Action::NewConnection => Some(Operation::NewConnection),
                    };
                    let expected = match status {
                        "PARTIALLY_ACTIVE" | "DEGRADED" | "UNDETERMINED" if follows_decide.is_some() => follows_decide.unwrap(),
                        "ACTIVE" | "PARTIALLY_ACTIVE" | "DEGRADED" | "UNDETERMINED" => Operation::Refresh,
                        "RECONNECT_REQUIRED" | "UNRECOVERABLE" => Operation::Repair,
                        _ => Operation::Wait,
                    };
                    assert_eq!(advice.operation, expected);
                } else {
                    assert!(matches!(advice.operation, Operation::Update | Operation::NewConnection | Operation::NoOperation));
                }
            }
        }
    }
}
