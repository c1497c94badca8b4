//! The pure core's tests, one module per module of `src/`, each holding its normal and hostile
//! cases together (one test binary: one link on a small machine). What the core's readers
//! refuse is named exactly: a typed error with its code and what its message says, `None`, or
//! a precise value. Inputs the fuzz targets found are kept in the module of the code they hit,
//! marked "fuzzing finding" with their artifact (docs/fuzzing.md).

#[path = "../support/mod.rs"]
mod support;

mod advise;
mod advise_property;
mod decide;
mod explain;
mod jwt;
mod message;
mod query;
mod readers;
mod retry;
mod session;
mod table;
mod triage;
mod token;
mod url;
mod webhooks;
