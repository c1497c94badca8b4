//! meld-repair: decide, explain and advise for Meld bank connections.
//!
//! The domain lives in plain Rust with no wasm imports and is tested natively:
//! - [`rules`]: Meld's statuses, the status × reason table and the operations table, as data;
//! - [`explain`]: the customer-facing wording, per locale, with app overrides;
//! - [`flow`]: the repair session machine and the readers of tokens and widget messages;
//! - [`webhooks`]: what each Meld webhook means, decided through the same tables;
//! - [`read`]: the readers of the app's values (JS objects at the boundary), with typed errors;
//! - [`error`]: the one error taxonomy, with stable codes;
//! - `text`: the few text helpers, written without `core::fmt` to keep the wasm small.
//!
//! `wasm` is the thin `#[wasm_bindgen]` boundary: it converts JS values, delegates, and turns
//! errors into real JS `Error`s. It is only compiled for wasm32.

pub mod error;
pub mod explain;
pub mod flow;
pub mod read;
pub mod rules;
pub mod text;
pub mod webhooks;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
