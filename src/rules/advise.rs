//! `advise`: which of Meld's operations (refresh, repair, update, delete, import, or a new link)
//! serves what the app wants to do with a connection. The wrong one no-ops or is billed for
//! nothing (reference §5), so each answer comes with the endpoint and a note saying why.

use super::connection::{normalize, Connection, Situation};
use super::decide::{decide, DecideOptions, Decision};
use super::table::{self, Action, Standing};
use crate::error::{Error, ErrorCode, Result};
use crate::read::{Reader, Source, Value};
use crate::text::replace_marker;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// The customer just did something and wants up-to-the-minute data.
    FreshData,
    AddProducts,
    Remove,
    Fix,
    /// The connection lives at a provider and is not in Meld yet.
    Migrate,
}

impl Intent {
    pub const ALL: &[(&str, Intent)] = &[
        ("fresh_data", Intent::FreshData),
        ("add_products", Intent::AddProducts),
        ("remove", Intent::Remove),
        ("fix", Intent::Fix),
        ("migrate", Intent::Migrate),
    ];

    pub fn parse(value: &str) -> Result<Intent> {
        Intent::ALL.iter().find(|(name, _)| *name == value).map(|&(_, intent)| intent).ok_or_else(|| {
            Error::with_value(ErrorCode::InvalidIntent, INTENTS, value)
        })
    }

    pub fn read<S>(value: Value<S>) -> Result<Intent> {
        match value {
            Value::Text(intent) => Intent::parse(&intent),
            other => Err(Error::new(ErrorCode::InvalidIntent, &[INTENTS, " ", other.type_name()].concat())),
        }
    }

    /// Its name, as `advise` answers it.
    pub fn as_str(self) -> &'static str {
        Intent::ALL.iter().find(|(_, intent)| *intent == self).map_or("", |(name, _)| *name)
    }
}

const INTENTS: &str = "intent must be one of fresh_data, add_products, remove, fix, migrate; got";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Refresh,
    Repair,
    Update,
    Delete,
    Import,
    NewConnection,
    Wait,
    NoOperation,
}

impl Operation {
    pub const ALL: &[Operation] = &[
        Operation::Refresh,
        Operation::Repair,
        Operation::Update,
        Operation::Delete,
        Operation::Import,
        Operation::NewConnection,
        Operation::Wait,
        Operation::NoOperation,
    ];

    /// Reference §5 as data: name, whether the customer takes part, and Meld's method and path
    /// with `{connectionId}` where the id goes. The delete path is inferred (§9): Meld's page
    /// names the operation but not its path.
    #[rustfmt::skip]
    const fn row(self) -> (&'static str, bool, Option<&'static str>) {
        match self {
            Operation::Refresh       => ("refresh",        false, Some("POST /bank-linking/connections/{connectionId}/refresh")),
            Operation::Repair        => ("repair",         true,  Some("POST /bank-linking/connect/repair")),
            Operation::Update        => ("update",         false, Some("POST /bank-linking/connections/{connectionId}/update")),
            Operation::Delete        => ("delete",         false, Some("DELETE /bank-linking/connections/{connectionId}")),
            Operation::Import        => ("import",         false, Some("POST /bank-linking/connections/import")),
            Operation::NewConnection => ("new_connection", true,  Some("POST /bank-linking/connect/start")),
            Operation::Wait          => ("wait",           false, None),
            Operation::NoOperation   => ("none",           false, None),
        }
    }

    pub const fn as_str(self) -> &'static str {
        self.row().0
    }

    pub const fn involves_customer(self) -> bool {
        self.row().1
    }

    pub const fn endpoint(self) -> Option<&'static str> {
        self.row().2
    }
}

/// Which products a provider can add to a live connection (reference §12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProductSupport {
    All,
    NoneAfterConnect,
    MxPairing,
}

/// Provider names compared without case, `_`, `-` or spaces, so `SALT_EDGE`, `saltedge` and
/// `Salt Edge Partners` all match.
#[rustfmt::skip]
const PROVIDERS: &[(&str, ProductSupport)] = &[
    ("PLAID",               ProductSupport::All),
    ("FINICITY",            ProductSupport::All),
    ("AKOYA",               ProductSupport::All),
    ("MX",                  ProductSupport::MxPairing),
    ("YODLEE",              ProductSupport::NoneAfterConnect),
    ("SALTEDGE",            ProductSupport::NoneAfterConnect),
    ("SALTEDGEPARTNERS",    ProductSupport::NoneAfterConnect),
    ("SALTEDGEOPENBANKING", ProductSupport::NoneAfterConnect),
    ("MESH",                ProductSupport::NoneAfterConnect),
];

/// Providers whose existing connections Meld can import (reference §13).
const IMPORTABLE_PROVIDERS: &[&str] = &["PLAID", "AKOYA"];

pub const PRODUCTS: &[&str] =
    &["BALANCES", "IDENTIFIERS", "INVESTMENT_HOLDINGS", "INVESTMENT_TRANSACTIONS", "OWNERS", "TRANSACTIONS"];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdviseOptions {
    /// For `add_products`: the products wanted.
    pub products: Vec<String>,
    pub decide: DecideOptions,
}

impl AdviseOptions {
    pub fn read<S: Source>(options: Value<S>) -> Result<AdviseOptions> {
        let options = Reader::optional(options, "options", ErrorCode::InvalidOptions)?;
        Ok(AdviseOptions { products: options.strings("products")?, decide: DecideOptions::read(&options)? })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advice {
    pub intent: Intent,
    pub operation: Operation,
    pub note: &'static str,
    /// For `fix`: the verdict the advice follows.
    pub decision: Option<Decision>,
}

impl Advice {
    /// The endpoint with the connection's id filled in, when both exist.
    pub fn path(&self, connection_id: Option<&str>) -> Option<String> {
        let endpoint = self.operation.endpoint()?;
        Some(match connection_id {
            Some(id) => replace_marker(endpoint, "{connectionId}", id),
            None => endpoint.to_owned(),
        })
    }
}

pub fn advise(connection: &Connection, intent: Intent, options: &AdviseOptions) -> Result<Advice> {
    let requested = match intent {
        Intent::AddProducts => requested_products(&options.products)?,
        _ => Vec::new(),
    };
    let situation = Situation::of(connection);
    let standing = table::standing(&situation.status);
    let advice = |operation, note| Advice { intent, operation, note, decision: None };
    Ok(match intent {
        Intent::Migrate => migrate(connection, advice),
        Intent::Remove => remove(connection, standing, advice),
        Intent::Fix => {
            let decision = decide(situation, options.decide);
            let (operation, note) = fix(&decision);
            Advice { intent, operation, note, decision: Some(decision) }
        }
        _ if standing == Some(Standing::InWidget) => advice(Operation::Wait, NOTE_IN_PROGRESS),
        _ if standing.is_some_and(Standing::terminal) => advice(Operation::NewConnection, NOTE_TERMINAL),
        Intent::FreshData => fresh_data(&decide(situation, options.decide), advice),
        Intent::AddProducts => add_products(connection, requested, advice),
    })
}

/// The products `add_products` asks for, normalised; an empty list or an unknown product is
/// the app's mistake, not Meld's, so it is rejected.
fn requested_products(products: &[String]) -> Result<Vec<String>> {
    if products.is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidOptions,
            "add_products needs options.products: a non-empty array of Meld products such as [\"TRANSACTIONS\"]",
        ));
    }
    products
        .iter()
        .map(|product| {
            let product = normalize(product);
            if PRODUCTS.contains(&product.as_str()) {
                Ok(product)
            } else {
                Err(Error::with_value(
                    ErrorCode::InvalidOptions,
                    "options.products must hold BALANCES, IDENTIFIERS, INVESTMENT_HOLDINGS, INVESTMENT_TRANSACTIONS, OWNERS or TRANSACTIONS; got",
                    &product,
                ))
            }
        })
        .collect()
}

/// A refresh where it can deliver without the customer; otherwise what `decide` says.
fn fresh_data(decision: &Decision, advice: impl Fn(Operation, &'static str) -> Advice) -> Advice {
    // A billed refresh cannot bring data that waits on the customer (DEGRADED with
    // INTERACTIVE_REFRESH: present for every refresh; INSTITUTION_ACTION_REQUIRED: acting at
    // the bank first) or on an outage to end: then decide's verdict stands. Only an
    // aggregating connection delivers whatever decide recommends.
    let refresh_delivers = matches!(decision.action(), Action::Refresh | Action::ResolveDuplicate | Action::NoAction);
    match decision.standing() {
        Some(Standing::Impaired) if !refresh_delivers => match fix(decision) {
            (Operation::Repair, _) => advice(Operation::Repair, NOTE_REFRESH_NEEDS_CUSTOMER),
            (operation, note) => advice(operation, note),
        },
        Some(standing) if standing.refreshable() => advice(Operation::Refresh, NOTE_REFRESH),
        Some(Standing::NeedsRepair) => advice(Operation::Repair, NOTE_REFRESH_WOULD_409),
        // An unknown status (a customer in the widget and terminal statuses were answered before).
        _ => advice(Operation::Wait, NOTE_UNKNOWN_STATUS),
    }
}

fn add_products(connection: &Connection, requested: Vec<String>, advice: impl Fn(Operation, &'static str) -> Advice) -> Advice {
    let present: Vec<String> =
        connection.products.iter().chain(&connection.optional_products).map(|p| normalize(p)).collect();
    let missing: Vec<String> = requested.into_iter().filter(|p| !present.contains(p)).collect();
    if missing.is_empty() {
        return advice(Operation::NoOperation, NOTE_PRODUCTS_PRESENT);
    }
    let support = provider_key(connection)
        .and_then(|key| PROVIDERS.iter().find(|(name, _)| *name == key))
        .map(|&(_, support)| support);
    match support {
        Some(ProductSupport::All) => advice(Operation::Update, NOTE_UPDATE),
        Some(ProductSupport::NoneAfterConnect) => advice(Operation::NewConnection, NOTE_PROVIDER_CANNOT_ADD),
        Some(ProductSupport::MxPairing) if missing.iter().all(|p| mx_can_add(p, &present)) => {
            advice(Operation::Update, NOTE_MX_PAIRED)
        }
        Some(ProductSupport::MxPairing) => advice(Operation::NewConnection, NOTE_MX_UNPAIRED),
        None => advice(Operation::Update, NOTE_UNKNOWN_PROVIDER),
    }
}

/// MX adds INVESTMENT_TRANSACTIONS only next to TRANSACTIONS and the reverse; other products
/// need one of the three transaction-like products already present (reference §12).
fn mx_can_add(product: &str, present: &[String]) -> bool {
    let has = |wanted: &str| present.iter().any(|p| p == wanted);
    match product {
        "INVESTMENT_TRANSACTIONS" => has("TRANSACTIONS"),
        "TRANSACTIONS" => has("INVESTMENT_TRANSACTIONS"),
        _ => has("TRANSACTIONS") || has("INVESTMENT_TRANSACTIONS") || has("INVESTMENT_HOLDINGS"),
    }
}

fn remove(connection: &Connection, standing: Option<Standing>, advice: impl Fn(Operation, &'static str) -> Advice) -> Advice {
    if standing == Some(Standing::Deleted) {
        advice(Operation::NoOperation, NOTE_ALREADY_DELETED)
    } else if connection.duplicate_connection_ids.iter().any(|id| Some(id) != connection.id.as_ref()) {
        advice(Operation::Delete, NOTE_DELETE_DUPLICATES)
    } else {
        advice(Operation::Delete, NOTE_DELETE)
    }
}

fn fix(decision: &Decision) -> (Operation, &'static str) {
    match decision.action() {
        Action::Repair => (Operation::Repair, NOTE_REPAIR),
        Action::Refresh => (Operation::Refresh, NOTE_FIX_REFRESH),
        Action::Wait if decision.standing() == Some(Standing::InWidget) => (Operation::Wait, NOTE_IN_PROGRESS),
        Action::Wait if !decision.recognized => (Operation::Wait, NOTE_UNKNOWN_STATUS),
        Action::Wait => (Operation::Wait, NOTE_WAIT),
        Action::ContactInstitution => (Operation::NoOperation, NOTE_CONTACT_INSTITUTION),
        Action::ResolveDuplicate => (Operation::NoOperation, NOTE_RESOLVE_DUPLICATE),
        Action::NewConnection => (Operation::NewConnection, NOTE_TERMINAL),
        Action::NoAction if decision.standing() == Some(Standing::Deleted) => (Operation::NoOperation, NOTE_ALREADY_DELETED),
        Action::NoAction => (Operation::NoOperation, NOTE_HEALTHY),
    }
}

fn migrate(connection: &Connection, advice: impl Fn(Operation, &'static str) -> Advice) -> Advice {
    match provider_key(connection) {
        Some(key) if IMPORTABLE_PROVIDERS.contains(&key.as_str()) => advice(Operation::Import, NOTE_IMPORT),
        _ => advice(Operation::NewConnection, NOTE_NOT_IMPORTABLE),
    }
}

fn provider_key(connection: &Connection) -> Option<String> {
    let provider = connection.service_provider.as_deref()?;
    let key: String = provider
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!key.is_empty()).then_some(key)
}

const NOTE_REFRESH: &str = "Refresh only because the customer just did something that needs up-to-the-minute data. Meld already refreshes in the background 1-3 times a day and most providers bill a forced refresh, so never schedule one. Results arrive with the BANK_LINKING_ACCOUNTS_UPDATED and BANK_LINKING_TRANSACTIONS_AGGREGATED webhooks; provider limits apply (MX: one forced refresh per 3 hours, then 429).";
const NOTE_REFRESH_WOULD_409: &str = "This connection cannot be refreshed (Meld answers 409 Conflict): the customer must reconnect in the widget first. Ask your backend for a repair connect token (POST /bank-linking/connect/repair with { connectionId }) and open the widget.";
const NOTE_REFRESH_NEEDS_CUSTOMER: &str = "A refresh without the customer cannot bring this data: they must be present in the widget. Ask your backend for a repair connect token (POST /bank-linking/connect/repair with { connectionId }) and open the widget while they are here.";
const NOTE_IN_PROGRESS: &str = "The customer is still in the widget. Do not refresh or repair; wait for the BANK_LINKING_CONNECTION_COMPLETED webhook (an unfinished link becomes EXPIRED after 4 hours).";
const NOTE_TERMINAL: &str = "This connection is EXPIRED or DELETED and no operation brings it back. Start a new link (POST /bank-linking/connect/start) when the customer returns.";
const NOTE_UNKNOWN_STATUS: &str = "Meld sent a status this version does not know. Call nothing yet; read the connection again later.";
const NOTE_PRODUCTS_PRESENT: &str = "Every requested product is already on the connection (products or optionalProducts); there is nothing to add.";
const NOTE_UPDATE: &str = "The provider can add products to a live connection. They are appended to optionalProducts and aggregated best-effort; some need extra consent or institution support.";
const NOTE_PROVIDER_CANNOT_ADD: &str = "This provider (Yodlee, Salt Edge or Mesh) cannot add products to an existing connection: link again with the products you need, then delete the old connection.";
const NOTE_MX_PAIRED: &str = "MX can add these products because a paired product is already on the connection (TRANSACTIONS with INVESTMENT_TRANSACTIONS; other products next to TRANSACTIONS, INVESTMENT_TRANSACTIONS or INVESTMENT_HOLDINGS).";
const NOTE_MX_UNPAIRED: &str = "MX adds INVESTMENT_TRANSACTIONS only next to TRANSACTIONS (and the reverse), and other products only next to TRANSACTIONS, INVESTMENT_TRANSACTIONS or INVESTMENT_HOLDINGS: link again with the products you need.";
const NOTE_UNKNOWN_PROVIDER: &str = "The provider is unknown to this version, so update is tried; it may require a repair (the customer consents in the widget) before the new products aggregate.";
const NOTE_ALREADY_DELETED: &str = "The connection is already deleted; deleting again answers 409 Conflict. Stop prompting the customer about it.";
const NOTE_DELETE: &str = "Deleting severs the connection at Meld and at the provider, stops its webhooks and its billing, and cannot be undone; BANK_LINKING_CONNECTION_DELETED confirms it. Had it duplicates, the inactive ones would go first: billing stops only when all are deleted.";
const NOTE_DELETE_DUPLICATES: &str = "This connection has duplicates: delete the inactive duplicates first, then the active one. Billing stops only when all of them are deleted, and Meld never deletes duplicates itself.";
const NOTE_REPAIR: &str = "Ask your backend for a repair connect token (POST /bank-linking/connect/repair with { connectionId }) and open the widget; the customer goes straight to the bank's login and the connection keeps its id.";
const NOTE_FIX_REFRESH: &str = "A refresh may clear this without the customer. If it persists, decide again with refreshAttempts and the answer becomes a repair.";
const NOTE_WAIT: &str = "A temporary problem at the bank or the provider: call nothing now and look again after retryAfterSeconds, backing off on each attempt.";
const NOTE_CONTACT_INSTITUTION: &str = "The customer must act at their bank (for example accept new terms); no Meld operation helps until then. Refresh afterwards.";
const NOTE_RESOLVE_DUPLICATE: &str = "An inactive duplicate: delete it if it is unused (inactive duplicates first), or refresh it to promote it to ACTIVE.";
const NOTE_HEALTHY: &str = "The connection is healthy; nothing to call. Data keeps arriving by webhook.";
const NOTE_IMPORT: &str = "Import brings the provider's existing connection into Meld without the customer: send the provider's access token (Plaid access_token or the Akoya equivalent) with externalCustomerId. The provider's webhooks are repointed to Meld.";
const NOTE_NOT_IMPORTABLE: &str = "Only Plaid and Akoya connections can be imported; the customer links this one anew through the widget.";
