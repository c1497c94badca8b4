//! The repair flow's pure pieces: the session state machine, the retry policy, and the readers
//! of what crosses from the app's backend and from Meld's widget (token response, widget URL,
//! JWT expiry, widget messages). The browser glue in js/ and src/wasm/ only feeds and performs them.

pub mod jwt;
pub mod message;
pub mod query;
pub mod retry;
pub mod session;
pub mod token;
pub mod url;
