//! The `#[wasm_bindgen]` boundary: each export reads its JS arguments (in the function body,
//! so bad input becomes a coded `Error`, never a trap), calls the pure core and writes a plain
//! JS object back. No rules live here.
//!
//! One cargo feature per module the package ships (scripts/build.mjs): `core` is what a status
//! page loads, `flow` the repair session that arrives on intent, `webhooks` what a server adds.

mod convert;
mod error;

#[cfg(feature = "core")]
mod core;
#[cfg(feature = "flow")]
mod flow;
#[cfg(feature = "webhooks")]
mod webhooks;

#[cfg(feature = "core")]
pub use core::*;
#[cfg(feature = "flow")]
pub use flow::*;
#[cfg(feature = "webhooks")]
pub use webhooks::*;

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
