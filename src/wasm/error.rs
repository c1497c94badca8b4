//! Core errors become real JS `Error`s (`MeldRepairError`, from js/errors.js) carrying the
//! stable `code` and `retryable` flag. Never `throw_str`: exports return `Result` so Rust
//! unwinds normally and leaks nothing.

use wasm_bindgen::prelude::*;

use crate::error::Error;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = createError)]
    fn create_error(code: &str, message: &str, retryable: bool) -> JsValue;
}

impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        create_error(error.code.as_str(), &error.message, error.retryable)
    }
}
