//! `triage`: a customer's whole list of connections, answered as "which of these needs me, and
//! which first?". Each connection is decided and explained as `decide`/`explain` would; Meld's
//! inactive duplicates (reference §10) are folded into the connection they duplicate, deleted
//! ones are left out unless asked for, and the rest are ordered by urgency, then the app's order.
//! The one-line summary's wording is in `explain` ([`Catalog::summary`]).

use super::connection::{Connection, Situation};
use super::decide::{decide, DecideOptions, Decision};
use super::table::{Action, Urgency};
use crate::error::{Error, ErrorCode, Result};
use crate::explain::{Catalog, Explanation, Severity, DEFAULT_LOCALE};
use crate::read::{elements, Reader, Source, Value};
use crate::text::decimal;

/// The most connections one call reads: far beyond any customer's banks, small enough that a
/// hostile `length` cannot make one call decide millions.
pub const MAX_CONNECTIONS: u32 = 5_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TriageOptions {
    pub decide: DecideOptions,
    pub locale: Option<String>,
    /// Keep DELETED connections (terminal, nothing to do) in the list.
    pub include_deleted: bool,
}

impl TriageOptions {
    pub fn read<S: Source>(options: Value<S>) -> Result<TriageOptions> {
        let options = Reader::optional(options, "options", ErrorCode::InvalidOptions)?;
        let include_deleted = match options.get("includeDeleted")? {
            Value::Bool(flag) => flag,
            value if value.is_missing() => false,
            other => return Err(Error::new(ErrorCode::InvalidOptions, &["options.includeDeleted must be a boolean, got ", other.type_name()].concat())),
        };
        Ok(TriageOptions { decide: DecideOptions::read(&options)?, locale: options.optional_string("locale")?, include_deleted })
    }
}

/// One connection of the list, with the fields triage reads beyond the status's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listed {
    pub connection: Connection,
    /// `activeDuplicateConnectionId`: the duplicate Meld maintains.
    pub active_duplicate: Option<String>,
}

/// The app's array of connections; an error names the index of the bad element.
pub fn read_connections<S: Source>(value: Value<S>) -> Result<Vec<Listed>> {
    let list = match value {
        Value::List(list) => list,
        other => return Err(Error::new(ErrorCode::InvalidConnection, &["connections must be an array of connections, got ", other.type_name()].concat())),
    };
    let length = list.length().map_err(|_| Error::new(ErrorCode::InvalidConnection, "reading connections.length threw"))?;
    if length > f64::from(MAX_CONNECTIONS) {
        return Err(Error::new(ErrorCode::InvalidConnection, &["connections has more than ", &decimal(MAX_CONNECTIONS), " elements: triage them in pages"].concat()));
    }
    let items = elements(&list, MAX_CONNECTIONS).map_err(|text| Error::new(ErrorCode::InvalidConnection, &["connections ", text].concat()))?;
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| read_one(item).map_err(|error| at_index(error, index)))
        .collect()
}

fn read_one<S: Source>(value: Value<S>) -> Result<Listed> {
    let reader = Reader::required(value, "connection", ErrorCode::InvalidConnection)?;
    let mut connection = Connection::status_fields(&reader)?;
    connection.duplicate_connection_ids = reader.strings("duplicateConnectionIds")?;
    Ok(Listed { connection, active_duplicate: reader.optional_string("activeDuplicateConnectionId")? })
}

/// `connections[3]: connection.status must be a string, got a number`.
fn at_index(mut error: Error, index: usize) -> Error {
    error.message = ["connections[", &decimal(index as u64), "]: ", &error.message].concat();
    error
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// Where the connection is in the app's list.
    pub index: usize,
    pub decision: Decision,
    pub explanation: Explanation,
    /// Indexes of the inactive duplicates folded into this one, in the app's order.
    pub duplicates: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The items whose decision needs the customer, required or recommended.
    pub needs_attention: usize,
    /// The highest urgency of any item (`none` for an empty list).
    pub urgency: Urgency,
    pub code: &'static str,
    pub title: String,
    pub message: String,
    /// Only when some item opens the widget ("Fix all").
    pub action_label: Option<String>,
    pub severity: Severity,
    pub locale: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Triage {
    pub items: Vec<Item>,
    pub summary: Summary,
}

pub fn triage(list: &[Listed], options: &TriageOptions, catalog: &Catalog) -> Triage {
    let locale = options.locale.as_deref().unwrap_or(DEFAULT_LOCALE);
    let decisions: Vec<Decision> = list.iter().map(|listed| decide(Situation::of(&listed.connection), options.decide)).collect();
    let shown: Vec<bool> = decisions.iter().map(|decision| options.include_deleted || decision.standing() != Some(super::Standing::Deleted)).collect();
    let targets: Vec<Option<usize>> = (0..list.len()).map(|index| duplicate_of(list, &decisions, &shown, index)).collect();
    let mut duplicates: Vec<Vec<usize>> = vec![Vec::new(); list.len()];
    for (index, target) in targets.iter().enumerate() {
        if let Some(target) = *target {
            duplicates[target].push(index);
        }
    }
    // Most urgent first, the app's order within an urgency: one pass per urgency, no sort
    // (a stable sort would add kilobytes to the status page's wasm).
    let mut items: Vec<Item> = Vec::new();
    for &urgency in Urgency::ALL {
        for (index, decision) in decisions.iter().enumerate() {
            if decision.verdict.urgency != urgency || !shown[index] || targets[index].is_some() {
                continue;
            }
            let connection = &list[index].connection;
            items.push(Item {
                index,
                decision: decision.clone(),
                explanation: catalog.explain(decision, connection.institution_name.as_deref(), locale),
                duplicates: std::mem::take(&mut duplicates[index]),
            });
        }
    }
    let summary = summarize(&items, list, catalog, locale);
    Triage { items, summary }
}

/// The connection `index` duplicates, when Meld marks it an inactive duplicate and the one it
/// duplicates is in the list: the active duplicate Meld names, else the first other id of
/// `duplicateConnectionIds` (most recently aggregated first). Only inactive duplicates fold, so
/// a connection that needs the customer is never hidden behind another.
fn duplicate_of(list: &[Listed], decisions: &[Decision], shown: &[bool], index: usize) -> Option<usize> {
    if decisions[index].action() != Action::ResolveDuplicate {
        return None;
    }
    let own = list[index].connection.id.as_deref();
    // A target is never an inactive duplicate itself: no chains, no cycles.
    let find = |id: &str| {
        (Some(id) != own)
            .then(|| list.iter().position(|other| other.connection.id.as_deref() == Some(id)))
            .flatten()
            .filter(|&other| shown[other] && decisions[other].action() != Action::ResolveDuplicate)
    };
    let listed = &list[index];
    listed.active_duplicate.as_deref().and_then(find).or_else(|| listed.connection.duplicate_connection_ids.iter().find_map(|id| find(id)))
}

/// Which summary fits, and the count and name it weaves in.
fn summarize(items: &[Item], list: &[Listed], catalog: &Catalog, locale: &str) -> Summary {
    let needing: Vec<&Item> = items
        .iter()
        .filter(|item| item.decision.customer_involved() && item.decision.verdict.urgency >= Urgency::Recommended)
        .collect();
    let urgency = items.iter().map(|item| item.decision.verdict.urgency).max().unwrap_or(Urgency::NoUrgency);
    let (code, severity) = if items.is_empty() {
        ("summary_empty", Severity::Info)
    } else if !needing.is_empty() {
        let code = if needing.len() == 1 { "summary_one" } else { "summary_some" };
        (code, if urgency == Urgency::Required { Severity::Error } else { Severity::Warning })
    } else if items.iter().any(|item| item.decision.customer_involved()) {
        ("summary_optional", Severity::Info)
    } else if items.iter().all(|item| Severity::of(&item.decision) == Severity::Success) {
        ("summary_healthy", Severity::Success)
    } else {
        ("summary_updating", Severity::Info)
    };
    let name = needing.first().and_then(|item| list[item.index].connection.institution_name.as_deref());
    let opens_widget = items.iter().any(|item| item.decision.open_widget());
    let text = catalog.summary(code, locale, &decimal(needing.len() as u64), &decimal(items.len() as u64), name);
    Summary {
        needs_attention: needing.len(),
        urgency,
        code,
        title: text.title,
        message: text.message,
        action_label: text.action_label.filter(|_| opens_widget),
        severity,
        locale: text.locale,
    }
}
