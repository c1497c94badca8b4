//! `explain`: plain words for the customer, per verdict code and locale. The built-in locales
//! are static tables; an app can override any text or add locales at run time ([`Catalog::define`])
//! without forking. Lookup goes field by field down a fallback chain, so an override may
//! change only a title.

mod en;
mod es;

use crate::error::{Error, ErrorCode, Result};
use crate::read::{Reader, Source, Value};
use crate::rules::decide::{DecideOptions, Decision};
use crate::rules::table::{codes, Action, Urgency};
use crate::text::{replace_marker, split_marker};

type Row = (&'static str, &'static str, &'static str, Option<&'static str>);

/// A built-in locale: (code, title, message, action label) rows.
pub struct Locale {
    pub tag: &'static str,
    /// Stands in for `{institution}` when the connection has no institution name.
    pub your_institution: &'static str,
    /// One per verdict code.
    pub rows: &'static [Row],
    /// The rest a customer reads, in the same shape ([`COPY_CODES`]): a repair's outcome, and
    /// the labels of the element and the modal (title only, message empty).
    pub copy: &'static [Row],
}

/// The codes of [`Locale::copy`], each with the severity it is shown with.
pub const COPY_CODES: &[(&str, Severity)] = &[
    ("repair_completed", Severity::Success),
    ("repair_still_updating", Severity::Info),
    ("repair_cancelled", Severity::Info),
    ("repair_window_lost", Severity::Info),
    ("repair_failed", Severity::Error),
    ("repair_failed_popup", Severity::Error),
    ("repair_failed_final", Severity::Error),
    ("repair_not_needed", Severity::Success),
    ("connection_unavailable", Severity::Info),
    ("dialog", Severity::Info),
    ("dialog_progress", Severity::Info),
    ("close", Severity::Info),
    ("busy", Severity::Info),
    ("window_open", Severity::Info),
    ("severity_error", Severity::Error),
    ("severity_warning", Severity::Warning),
    ("severity_info", Severity::Info),
    ("severity_optional", Severity::Info),
    ("severity_success", Severity::Success),
    ("severity_updating", Severity::Info),
];

/// A copy code as the table's own string, with its severity; `None` for any other text.
pub fn copy_code(code: &str) -> Option<(&'static str, Severity)> {
    COPY_CODES.iter().copied().find(|(known, _)| *known == code)
}

/// Which copy tells the customer how a repair ended (`RepairOutcome`, or `{ status: "failed",
/// error }` for a start that threw): by status, and for a failure by the error's code and
/// `retryable`, so no developer message is ever needed.
pub fn outcome_code<S: Source>(outcome: Value<S>) -> Result<(&'static str, Severity)> {
    let outcome = Reader::required(outcome, "outcome", ErrorCode::InvalidOptions)?;
    let status = outcome.string("status")?;
    Ok(match status.as_str() {
        "completed" => ("repair_completed", Severity::Success),
        // A popup or tab that reads closed may still be open (COOP cut the link): the customer
        // may finish there.
        "cancelled" if outcome.optional_string("reason")?.as_deref() == Some("window_lost") => ("repair_window_lost", Severity::Info),
        "cancelled" => ("repair_cancelled", Severity::Info),
        "not_needed" => ("repair_not_needed", Severity::Success),
        "failed" => {
            let error = Reader::optional(outcome.get("error")?, "outcome.error", ErrorCode::InvalidOptions)?;
            let retryable = matches!(error.get("retryable")?, Value::Bool(true));
            let code = match error.optional_string("code")?.as_deref() {
                Some("POPUP_BLOCKED") => "repair_failed_popup",
                _ if retryable => "repair_failed",
                _ => "repair_failed_final",
            };
            (code, Severity::Error)
        }
        _ => return Err(Error::with_value(ErrorCode::InvalidOptions, "outcome.status is not completed, cancelled, failed or not_needed:", &status)),
    })
}

/// What `explainOutcome` and `explainCopy` read of their options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyOptions {
    pub locale: Option<String>,
    pub institution_name: Option<String>,
}

impl CopyOptions {
    pub fn read<S: Source>(options: Value<S>) -> Result<CopyOptions> {
        let options = Reader::optional(options, "options", ErrorCode::InvalidOptions)?;
        Ok(CopyOptions { locale: options.optional_string("locale")?, institution_name: options.optional_string("institutionName")? })
    }
}

pub const BUILT_IN: &[&Locale] = &[&en::EN, &es::ES];
/// The summary lines of `triage`, per built-in locale: rows like a locale's, where `{count}` is
/// how many banks need the customer, `{total}` how many are shown, `{institution}` the first
/// one's name.
const SUMMARIES: &[(&str, &[Row])] = &[("en", en::SUMMARY), ("es", es::SUMMARY)];
/// The codes of [`SUMMARIES`]: `defineCopy` accepts them beside the verdict codes.
pub const SUMMARY_CODES: &[&str] = &["summary_empty", "summary_healthy", "summary_updating", "summary_optional", "summary_one", "summary_some"];
pub const DEFAULT_LOCALE: &str = "en";
const PLACEHOLDER: &str = "{institution}";

/// How often one text may name the institution.
pub const MAX_PLACES: usize = 8;

/// How many locales a fallback chain follows before English: enough for any real chain, and
/// it keeps a lookup linear however many locales the app chains.
pub const MAX_CHAIN: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Info,
    Success,
}

impl Severity {
    pub const ALL: &[Severity] = &[Severity::Error, Severity::Warning, Severity::Info, Severity::Success];

    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Success => "success",
        }
    }

    /// Required → error, recommended → warning, a healthy connection → success, the rest
    /// (optional, waiting, terminal, unknown) → info.
    pub fn of(decision: &Decision) -> Severity {
        match decision.verdict.urgency {
            Urgency::Required => Severity::Error,
            Urgency::Recommended => Severity::Warning,
            _ if decision.action() == Action::NoAction && !decision.terminal() => Severity::Success,
            _ => Severity::Info,
        }
    }
}

/// Text an app supplies for one code; `None` fields fall through to the next locale.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomText {
    pub title: Option<String>,
    pub message: Option<String>,
    /// `Some(None)` removes the label; `None` inherits it.
    pub action_label: Option<Option<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomLocale {
    pub tag: String,
    /// Where missing text comes from; `en` when not given.
    pub fallback: Option<String>,
    pub your_institution: Option<String>,
    pub texts: Vec<(String, CustomText)>,
}

impl CustomLocale {
    /// `defineCopy(locale, texts, options)`: `texts` maps verdict codes to `{ title?, message?,
    /// actionLabel? }` (`actionLabel: null` removes the label); `options` takes `fallback` and
    /// `yourInstitution`.
    pub fn read<S: Source>(locale: Value<S>, texts: Value<S>, options: Value<S>) -> Result<CustomLocale> {
        let tag = match locale {
            Value::Text(tag) => tag,
            other => return Err(Error::new(ErrorCode::InvalidCopy, &["locale must be a string such as \"fr\", got ", other.type_name()].concat())),
        };
        let options = Reader::optional(options, "options", ErrorCode::InvalidCopy)?;
        let texts = Reader::required(texts, "texts", ErrorCode::InvalidCopy)?;
        let mut read = Vec::new();
        for code in texts.keys()? {
            let entry = texts.get_dynamic(&code)?;
            // A label (`close: "Fermer"`) may be given as its text alone; a verdict's needs an object.
            let entry = match entry {
                Value::Text(title) if copy_code(&code).is_some() => {
                    read.push((code, CustomText { title: Some(title), ..CustomText::default() }));
                    continue;
                }
                entry => entry,
            };
            let entry = Reader::required(entry, "texts entry", ErrorCode::InvalidCopy)?;
            let action_label = match entry.get("actionLabel")? {
                Value::Undefined => None,
                _ => Some(entry.optional_string("actionLabel")?),
            };
            read.push((code, CustomText { title: entry.optional_string("title")?, message: entry.optional_string("message")?, action_label }));
        }
        Ok(CustomLocale {
            tag,
            fallback: options.optional_string("fallback")?,
            your_institution: options.optional_string("yourInstitution")?,
            texts: read,
        })
    }
}

/// What `explain` reads of its options: the decision's and the locale.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExplainOptions {
    pub decide: DecideOptions,
    pub locale: Option<String>,
}

impl ExplainOptions {
    pub fn read<S: Source>(options: Value<S>) -> Result<ExplainOptions> {
        let options = Reader::optional(options, "options", ErrorCode::InvalidOptions)?;
        Ok(ExplainOptions { decide: DecideOptions::read(&options)?, locale: options.optional_string("locale")? })
    }
}

/// An [`Explanation`] before the institution's name goes in ([`Catalog::template`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub title: Vec<String>,
    pub message: Vec<String>,
    pub action_label: Option<String>,
    pub severity: Severity,
    pub locale: String,
    pub code: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub title: String,
    pub message: String,
    pub action_label: Option<String>,
    pub severity: Severity,
    /// The locale the text came from (`es` for a request of `es-MX`).
    pub locale: String,
    pub code: &'static str,
}

/// A `triage` summary line in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryText {
    pub title: String,
    pub message: String,
    pub action_label: Option<String>,
    pub locale: String,
}

/// The built-in wording plus whatever the app defined.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    custom: Vec<CustomLocale>,
}

impl Catalog {
    /// Adds or replaces the app's text for a locale. Codes must be ones the rules produce, so a
    /// typo fails loudly instead of never showing.
    pub fn define(&mut self, mut locale: CustomLocale) -> Result<()> {
        locale.tag = normalize_tag(&locale.tag);
        if locale.tag.is_empty() {
            return Err(Error::new(ErrorCode::InvalidCopy, "the locale tag must be a non-empty string such as \"fr\" or \"es-MX\""));
        }
        let known = codes();
        let known = |code: &str| known.contains(&code) || SUMMARY_CODES.contains(&code) || copy_code(code).is_some();
        if let Some((code, _)) = locale.texts.iter().find(|(code, _)| !known(code)) {
            return Err(Error::with_value(ErrorCode::InvalidCopy, "no verdict has the code", code));
        }
        // Each place repeats the name (up to 20 000 characters): without a bound, one short text
        // would expand past what a JS string can hold.
        for (code, text) in &locale.texts {
            for (field, text) in [("title", &text.title), ("message", &text.message)] {
                if text.as_deref().is_some_and(|text| places(text) > MAX_PLACES) {
                    return Err(Error::new(
                        ErrorCode::InvalidCopy,
                        &["texts.", code, ".", field, " names {institution} more than 8 times"].concat(),
                    ));
                }
            }
        }
        locale.fallback = locale.fallback.map(|tag| normalize_tag(&tag));
        self.custom.retain(|existing| existing.tag != locale.tag);
        self.custom.push(locale);
        Ok(())
    }

    /// Forgets everything the app defined.
    pub fn reset(&mut self) {
        self.custom.clear();
    }

    pub fn explain(&self, decision: &Decision, institution_name: Option<&str>, locale: &str) -> Explanation {
        self.explain_code(decision.verdict.code, Severity::of(decision), institution_name, locale)
    }

    /// The text of any code, a verdict's or a [`COPY_CODES`] one.
    pub fn explain_code(&self, code: &'static str, severity: Severity, institution_name: Option<&str>, locale: &str) -> Explanation {
        let name = institution_name.map(str::trim).filter(|name| !name.is_empty());
        let template = self.template_code(code, severity, name.is_some(), locale);
        let name = name.unwrap_or("");
        let isolated;
        let name = if changes_direction(name) {
            isolated = ["\u{2068}", name, "\u{2069}"].concat();
            isolated.as_str()
        } else {
            name
        };
        Explanation {
            title: template.title.join(name),
            message: template.message.join(name),
            action_label: template.action_label,
            severity: template.severity,
            locale: template.locale,
            code: template.code,
        }
    }

    /// The explanation with the institution's name still to go in: `title` and `message` are
    /// the pieces between its places (one piece, the stand-in phrase already in, when there is
    /// no name). JS keeps one per situation and locale and joins a new name in, without a call.
    pub fn template(&self, decision: &Decision, named: bool, locale: &str) -> Template {
        self.template_code(decision.verdict.code, Severity::of(decision), named, locale)
    }

    fn template_code(&self, code: &'static str, severity: Severity, named: bool, locale: &str) -> Template {
        let chain = self.chain(locale);
        let title = self.find(&chain, |text| text.title.as_deref(), |row| Some(row.1), code);
        let message = self.find(&chain, |text| text.message.as_deref(), |row| Some(row.2), code);
        let action_label = self.find_label(&chain, code);
        let your_institution = (!named).then(|| self.your_institution(&chain));
        Template {
            title: pieces(title.unwrap_or(""), your_institution),
            message: pieces(message.unwrap_or(""), your_institution),
            action_label: action_label.map(str::to_owned),
            severity,
            locale: chain.first().cloned().unwrap_or_else(|| DEFAULT_LOCALE.to_owned()),
            code,
        }
    }

    /// A `triage` summary line (`code` from [`SUMMARY_CODES`]) with its placeholders filled; the
    /// app's `defineCopy` text first, down the same fallback chain as [`explain`](Self::explain).
    pub fn summary(&self, code: &str, locale: &str, count: &str, total: &str, institution: Option<&str>) -> SummaryText {
        let chain = self.chain(locale);
        let institution = institution.map(str::trim).filter(|name| !name.is_empty());
        let fill = |text: Option<&str>| {
            let text = replace_marker(text.unwrap_or(""), "{count}", count);
            let text = replace_marker(&text, "{total}", total);
            pieces(&text, institution.is_none().then(|| self.your_institution(&chain))).join(institution.unwrap_or(""))
        };
        SummaryText {
            title: fill(self.find(&chain, |text| text.title.as_deref(), |row| Some(row.1), code)),
            message: fill(self.find(&chain, |text| text.message.as_deref(), |row| Some(row.2), code)),
            action_label: self.find_label(&chain, code).map(str::to_owned),
            locale: chain.first().cloned().unwrap_or_else(|| DEFAULT_LOCALE.to_owned()),
        }
    }

    /// Locales to look in, most specific first: the tag, its language, their app-defined
    /// fallbacks, then English. Only locales that exist are kept.
    fn chain(&self, requested: &str) -> Vec<String> {
        let mut chain: Vec<String> = Vec::new();
        let mut pending = vec![normalize_tag(requested)];
        while let Some(tag) = pending.pop().filter(|_| chain.len() < MAX_CHAIN) {
            let language = tag.split('-').next().unwrap_or("").to_owned();
            for candidate in [tag, language] {
                if chain.contains(&candidate) || !self.exists(&candidate) {
                    continue;
                }
                if let Some(fallback) = self.custom_locale(&candidate).and_then(|c| c.fallback.clone()) {
                    pending.insert(0, fallback);
                }
                chain.push(candidate);
            }
        }
        if !chain.iter().any(|tag| tag == DEFAULT_LOCALE) {
            chain.push(DEFAULT_LOCALE.to_owned());
        }
        chain
    }

    fn exists(&self, tag: &str) -> bool {
        self.custom_locale(tag).is_some() || built_in(tag).is_some()
    }

    fn custom_locale(&self, tag: &str) -> Option<&CustomLocale> {
        self.custom.iter().find(|locale| locale.tag == tag)
    }

    /// The first text down the chain: the app's for a locale, then the built-in one.
    fn find<'a>(
        &'a self,
        chain: &[String],
        custom: impl Fn(&'a CustomText) -> Option<&'a str>,
        built: impl Fn(&'static Row) -> Option<&'static str>,
        code: &str,
    ) -> Option<&'a str> {
        chain.iter().find_map(|tag| {
            let from_app = self.custom_text(tag, code).and_then(&custom);
            from_app.or_else(|| built_in_row(tag, code).and_then(&built))
        })
    }

    /// Like [`find`](Self::find), but an app may also remove a label.
    fn find_label(&self, chain: &[String], code: &str) -> Option<&str> {
        for tag in chain {
            if let Some(label) = self.custom_text(tag, code).and_then(|text| text.action_label.as_ref()) {
                return label.as_deref();
            }
            if let Some(row) = built_in_row(tag, code) {
                return row.3;
            }
        }
        None
    }

    fn custom_text(&self, tag: &str, code: &str) -> Option<&CustomText> {
        let locale = self.custom_locale(tag)?;
        locale.texts.iter().find(|(text_code, _)| text_code == code).map(|(_, text)| text)
    }

    fn your_institution(&self, chain: &[String]) -> &str {
        chain
            .iter()
            .find_map(|tag| {
                let from_app = self.custom_locale(tag).and_then(|locale| locale.your_institution.as_deref());
                from_app.or_else(|| built_in(tag).map(|locale| locale.your_institution))
            })
            .unwrap_or(en::EN.your_institution)
    }
}

fn built_in(tag: &str) -> Option<&'static Locale> {
    BUILT_IN.iter().copied().find(|locale| locale.tag == tag)
}

fn built_in_row(tag: &str, code: &str) -> Option<&'static Row> {
    let locale = built_in(tag)?;
    let summaries = SUMMARIES.iter().filter(|(summary_tag, _)| *summary_tag == tag).flat_map(|(_, rows)| rows.iter());
    locale.rows.iter().chain(locale.copy).chain(summaries).find(|row| row.0 == code)
}

/// BCP 47 tags compare without case; `_` is accepted for `-` (`es_MX`).
fn normalize_tag(tag: &str) -> String {
    tag.trim().replace('_', "-").to_ascii_lowercase()
}

/// How many `{institution}` a text has (`split_marker`: `str::matches` costs kilobytes of wasm).
fn places(mut text: &str) -> usize {
    let mut count = 0;
    while let Some((_, after)) = split_marker(text, PLACEHOLDER) {
        count += 1;
        text = after;
    }
    count
}

/// Whether a name has a character that can change the direction of the text around it: a
/// right-to-left letter or a bidi control (an unterminated U+202E would reverse the rest of the
/// sentence). Such a name goes in between U+2068 and U+2069 (first strong isolate … pop), which
/// confine its direction to itself; other names go in as they are. js/api.js `CHANGES_DIRECTION`
/// sends the same names here rather than join them in itself.
pub fn changes_direction(name: &str) -> bool {
    name.chars().any(|c| {
        matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFC | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF
            | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
    })
}

/// A template cut at each `{institution}`, to be joined with the name; without a name
/// (`your_institution` given) one piece with the stand-in phrase in, upper-cased first when it
/// starts the text (ASCII only: Unicode case tables would cost kilobytes of wasm for no
/// built-in phrase).
fn pieces(template: &str, your_institution: Option<&str>) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some((before, after)) = split_marker(rest, PLACEHOLDER) {
        piece.push_str(before);
        match your_institution {
            None => pieces.push(std::mem::take(&mut piece)),
            Some(phrase) if piece.is_empty() => {
                let mut phrase = phrase.to_owned();
                if let Some(first) = phrase.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                piece.push_str(&phrase);
            }
            Some(phrase) => piece.push_str(phrase),
        }
        rest = after;
    }
    piece.push_str(rest);
    pieces.push(piece);
    pieces
}
