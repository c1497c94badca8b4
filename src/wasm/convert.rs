//! Reading JS values into core types and writing core results back as plain JS objects.
//! Every read checks its type and reports a coded error naming the field.

use std::cell::Cell;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    /// `Reflect.set` without js-sys's exception wrapper: a data property on a fresh plain
    /// object cannot throw, and the wrapper costs more than the assignment.
    #[wasm_bindgen(js_namespace = Reflect, js_name = set)]
    fn assign(target: &Object, key: &JsValue, value: &JsValue) -> bool;

    // Everything that touches an app's value may throw (proxy traps, getters, revoked proxies).
    // An exception must come back as a `Result`: one unwinding through wasm frames would skip
    // their clean-up and leave the instance corrupt.
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn is_array_or_throw(value: &JsValue) -> std::result::Result<bool, JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn keys_or_throw(value: &JsValue) -> std::result::Result<Array, JsValue>;
}

/// Arrays longer than this are refused rather than copied (a sparse `length: 1e9` costs nothing
/// to send and everything to read).
const MAX_ELEMENTS: u32 = 1_000;

use crate::error::{Error, ErrorCode, Result};

/// A JS object being read; `what` names it in error messages ("connection", "options").
pub struct Reader<'a> {
    object: Option<&'a Object>,
    what: &'static str,
    code: ErrorCode,
}

impl<'a> Reader<'a> {
    /// `value` must be a plain object (not null, not an array).
    pub fn required(value: &'a JsValue, what: &'static str, code: ErrorCode) -> Result<Self> {
        match as_object(value) {
            Some(object) => Ok(Reader { object: Some(object), what, code }),
            None => Err(Error::new(code, &join(&[what, " must be an object, got ", type_name(value)]))),
        }
    }

    /// Like [`required`](Self::required), but `undefined` and `null` read as an empty object.
    pub fn optional(value: &'a JsValue, what: &'static str, code: ErrorCode) -> Result<Self> {
        if value.is_undefined() || value.is_null() {
            Ok(Reader { object: None, what, code })
        } else {
            Reader::required(value, what, code)
        }
    }

    /// The raw property; a throwing getter or proxy trap becomes a coded error.
    pub fn get(&self, key: &'static str) -> Result<JsValue> {
        self.read(key, &static_string(key))
    }

    /// Like [`get`](Self::get) for a key only known at run time (a verdict code, a header name).
    pub fn get_dynamic(&self, key: &str) -> Result<JsValue> {
        self.read(key, &JsValue::from_str(key))
    }

    fn read(&self, key: &str, js_key: &JsValue) -> Result<JsValue> {
        let Some(object) = self.object else { return Ok(JsValue::UNDEFINED) };
        Reflect::get(object, js_key).map_err(|_| self.unreadable(key))
    }

    fn unreadable(&self, key: &str) -> Error {
        Error::new(self.code, &join(&["reading ", self.what, ".", key, " threw"]))
    }


    pub fn string(&self, key: &'static str) -> Result<String> {
        let value = self.get(key)?;
        value.as_string().ok_or_else(|| self.wrong_type(key, "a string", &value))
    }

    /// `undefined` and `null` are `None`.
    pub fn optional_string(&self, key: &'static str) -> Result<Option<String>> {
        let value = self.get(key)?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        value.as_string().map(Some).ok_or_else(|| self.wrong_type(key, "a string or null", &value))
    }

    /// `undefined` and `null` are empty.
    pub fn strings(&self, key: &'static str) -> Result<Vec<String>> {
        let value = self.get(key)?;
        if value.is_undefined() || value.is_null() {
            return Ok(Vec::new());
        }
        let error = || self.wrong_type(key, "an array of strings or null", &value);
        if is_array(&value) != Some(true) {
            return Err(error());
        }
        let items = elements(&value, MAX_ELEMENTS)
            .map_err(|problem| Error::new(self.code, &join(&[self.what, ".", key, " ", problem])))?;
        items.into_iter().map(|item| item.as_string().ok_or_else(error)).collect()
    }

    /// The object's own enumerable string keys (`Object.keys`).
    pub fn keys(&self) -> Result<Vec<String>> {
        let Some(object) = self.object else { return Ok(Vec::new()) };
        let keys = keys_or_throw(object).map_err(|_| Error::new(self.code, &join(&["listing the keys of ", self.what, " threw"])))?;
        Ok(keys.iter().filter_map(|key| key.as_string()).collect())
    }

    /// A whole number ≥ 0; `undefined`/`null` are 0. Huge values saturate.
    pub fn count(&self, key: &'static str) -> Result<u32> {
        let value = self.get(key)?;
        if value.is_undefined() || value.is_null() {
            return Ok(0);
        }
        match value.as_f64() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 => Ok(if n > u32::MAX as f64 { u32::MAX } else { n as u32 }),
            _ => Err(self.wrong_type(key, "a whole number of at least 0", &value)),
        }
    }

    /// A nested object, or `None` for `undefined`/`null`.
    pub fn object(&self, key: &'static str) -> Result<Option<Object>> {
        let value = self.get(key)?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        as_object(&value).cloned().map(Some).ok_or_else(|| self.wrong_type(key, "an object or null", &value))
    }

    fn wrong_type(&self, key: &str, expected: &str, value: &JsValue) -> Error {
        Error::new(self.code, &join(&[self.what, ".", key, " must be ", expected, ", got ", type_name(value)]))
    }
}

/// Any non-array object: plain, null-prototype or from another realm alike.
pub fn as_object(value: &JsValue) -> Option<&Object> {
    (value.is_object() && !value.is_function() && is_array(value) == Some(false)).then(|| value.unchecked_ref())
}

/// `Array.isArray`, or `None` when it threw (a revoked proxy).
pub fn is_array(value: &JsValue) -> Option<bool> {
    is_array_or_throw(value).ok()
}

/// The elements of an array, each read through `Reflect.get` (elements may be getters); `Err`
/// says what went wrong when one throws or the array holds more than `limit`.
pub fn elements(array: &JsValue, limit: u32) -> std::result::Result<Vec<JsValue>, &'static str> {
    const THREW: &str = "threw when read";
    let length = Reflect::get(array, &static_string("length")).map_err(|_| THREW)?.as_f64().unwrap_or(0.0);
    if !(0.0..=f64::from(limit)).contains(&length) {
        return Err("has too many elements (at most 1000)");
    }
    (0..length as u32).map(|index| Reflect::get_u32(array, index).map_err(|_| THREW)).collect()
}

/// A short description of a JS value's type for error messages.
pub fn type_name(value: &JsValue) -> &'static str {
    if value.is_undefined() {
        "undefined"
    } else if value.is_null() {
        "null"
    } else if value.is_string() {
        "a string"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.as_f64().is_some() {
        "a number"
    } else if is_array(value).is_none() {
        "a revoked proxy"
    } else if is_array(value) == Some(true) {
        "an array"
    } else if value.is_function() {
        "a function"
    } else if value.is_object() {
        "an object"
    } else {
        "another type"
    }
}

/// `n` in decimal, without the formatting machinery.
pub fn decimal(mut n: u32) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| d as char).collect()
}

/// Concatenates message parts without `format!` (which costs kilobytes of wasm).
pub fn join(parts: &[&str]) -> String {
    parts.concat()
}

thread_local! {
    /// JS strings for the `&'static str`s the boundary writes (keys, codes, actions …), made
    /// once: decoding a string from wasm memory costs far more than the rest of a decision.
    static STATIC_STRINGS: Cell<Vec<(usize, JsValue)>> = const { Cell::new(Vec::new()) };
}

/// The JS string for a static Rust string, created on first use. The set is small and fixed
/// (every literal the boundary writes), so a pointer scan beats hashing.
pub fn static_string(text: &'static str) -> JsValue {
    let address = text.as_ptr() as usize;
    STATIC_STRINGS.with(|cell| {
        let mut strings = cell.take();
        let value = match strings.iter().find(|(at, _)| *at == address) {
            Some((_, value)) => value.clone(),
            None => {
                let value = JsValue::from_str(text);
                strings.push((address, value.clone()));
                value
            }
        };
        cell.set(strings);
        value
    })
}

/// Writes a plain JS object field by field.
pub struct Writer(Object);

impl Writer {
    pub fn new() -> Self {
        Writer(Object::new())
    }

    pub fn set(self, key: &'static str, value: impl Into<JsValue>) -> Self {
        assign(&self.0, &static_string(key), &value.into());
        self
    }

    /// A field whose value is one of the package's own strings (an action, a code …).
    pub fn set_static(self, key: &'static str, value: &'static str) -> Self {
        self.set(key, static_string(value))
    }

    /// `None` is written as `null`, so every documented field is always present.
    pub fn set_optional(self, key: &'static str, value: Option<impl Into<JsValue>>) -> Self {
        match value {
            Some(value) => self.set(key, value),
            None => self.set(key, JsValue::NULL),
        }
    }

    pub fn set_optional_static(self, key: &'static str, value: Option<&'static str>) -> Self {
        self.set_optional(key, value.map(static_string))
    }

    pub fn build(self) -> JsValue {
        self.0.into()
    }
}
