//! The connection as Meld's API returns it, reduced to what the rules read, and the forgiving
//! normalisation of its status and reason.

use crate::error::{Error, ErrorCode, Result};
use crate::read::{Reader, Source, Value};

/// The fields of Meld's connection object that the rules use. The boundary fills it from the
/// camelCase JS object; everything but `status` is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Connection {
    pub id: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub institution_name: Option<String>,
    /// `serviceProviderDetails.serviceProvider`.
    pub service_provider: Option<String>,
    pub products: Vec<String>,
    pub optional_products: Vec<String>,
    pub duplicate_connection_ids: Vec<String>,
}

impl Connection {
    /// What decide and explain read: the rest of the connection is none of their business.
    pub fn read_status_fields<S: Source>(value: Value<S>) -> Result<Connection> {
        let reader = Reader::required(value, "connection", ErrorCode::InvalidConnection)?;
        Connection::status_fields(&reader)
    }

    pub(crate) fn status_fields<S: Source>(reader: &Reader<S>) -> Result<Connection> {
        let status = reader.string("status")?;
        if status.trim().is_empty() {
            return Err(Error::new(ErrorCode::InvalidConnection, "connection.status must not be empty"));
        }
        Ok(Connection {
            id: reader.optional_string("id")?,
            status,
            status_reason: reader.optional_string("statusReason")?,
            institution_name: reader.optional_string("institutionName")?,
            ..Connection::default()
        })
    }

    /// Everything advise reads; `status` may be absent only when `status_required` is false
    /// (to migrate: the connection is not in Meld yet).
    pub fn read<S: Source>(value: Value<S>, status_required: bool) -> Result<Connection> {
        let reader = Reader::required(value, "connection", ErrorCode::InvalidConnection)?;
        // Only an absent status is allowed: `status: null` is a mistake, not a migration.
        let mut connection = if status_required || !matches!(reader.get("status")?, Value::Undefined) {
            Connection::status_fields(&reader)?
        } else {
            Connection { id: reader.optional_string("id")?, ..Connection::default() }
        };
        let details = reader.object("serviceProviderDetails")?.map_or(Value::Undefined, Value::Object);
        let details = Reader::optional(details, "connection.serviceProviderDetails", ErrorCode::InvalidConnection)?;
        connection.service_provider = details.optional_string("serviceProvider")?;
        connection.products = reader.strings("products")?;
        connection.optional_products = reader.strings("optionalProducts")?;
        connection.duplicate_connection_ids = reader.strings("duplicateConnectionIds")?;
        Ok(connection)
    }

    pub fn with_status(status: &str, reason: Option<&str>) -> Self {
        Connection {
            status: status.to_owned(),
            status_reason: reason.map(str::to_owned),
            ..Connection::default()
        }
    }
}

/// Statuses of API version 2022-11-10 and what they mean today: (old status, status, reason
/// it implies). A reason of `None` keeps the connection's own reason.
pub const LEGACY_STATUSES: &[(&str, &str, Option<&str>)] = &[
    ("RECONNECT_AVAILABLE", "ACTIVE", Some("ACCESS_EXPIRING_SOON")),
    ("CUSTOMER_ACTION_REQUIRED", "RECONNECT_REQUIRED", None),
];

/// A status and reason after normalisation: trimmed, upper-cased, legacy statuses mapped,
/// empty reason meaning none. Unknown values are kept as they are, never rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Situation {
    pub status: String,
    pub reason: Option<String>,
    /// The 2022-11-10 status this was mapped from, if any.
    pub legacy_status: Option<&'static str>,
}

impl Situation {
    pub fn of(connection: &Connection) -> Self {
        Situation::new(&connection.status, connection.status_reason.as_deref())
    }

    pub fn new(status: &str, reason: Option<&str>) -> Self {
        let status = normalize(status);
        let reason = reason.map(normalize).filter(|reason| !reason.is_empty());
        match LEGACY_STATUSES.iter().find(|(old, _, _)| *old == status) {
            Some(&(old, current, implied_reason)) => Situation {
                status: current.to_owned(),
                reason: implied_reason.map(str::to_owned).or(reason),
                legacy_status: Some(old),
            },
            None => Situation { status, reason, legacy_status: None },
        }
    }
}

/// Meld's enum values are upper snake case; accept any case and surrounding whitespace.
pub fn normalize(value: &str) -> String {
    value.trim().to_ascii_uppercase()
}
