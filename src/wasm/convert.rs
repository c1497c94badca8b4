//! JS values as the core's readers see them ([`Source`], src/read.rs), and core results
//! written back as plain JS objects.

use std::cell::Cell;

use js_sys::{Array, JsString, Object};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::read::{Source, Threw, Value};

#[wasm_bindgen]
extern "C" {
    /// `Reflect.set` without js-sys's exception wrapper: a data property on a fresh plain
    /// object cannot throw, and the wrapper costs more than the assignment.
    #[wasm_bindgen(js_namespace = Reflect, js_name = set)]
    fn assign(target: &Object, key: &JsValue, value: &JsValue) -> bool;
}

// Everything that touches an app's value may throw (proxy traps, getters, revoked proxies).
// These readers catch in JS and say so in their answer: an exception unwinding through wasm
// frames would skip their clean-up, and one caught by wasm-bindgen's `catch` glue leaks an
// externref table slot per throw (src/wasm/read.js).
#[wasm_bindgen(module = "/src/wasm/read.js")]
extern "C" {
    #[wasm_bindgen(js_name = ownProperty)]
    fn own_property(object: &JsValue, key: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = threwLast)]
    fn threw_last() -> bool;
    #[wasm_bindgen(js_name = ownKeys)]
    fn own_keys(object: &JsValue) -> Option<Array>;
    #[wasm_bindgen(js_name = arrayOrNot)]
    fn array_or_not(value: &JsValue) -> Option<bool>;
    #[wasm_bindgen(js_name = lengthOf)]
    fn length_of(list: &JsValue) -> Option<f64>;
}

/// The own property `key` of `object`, or `Threw`; `undefined` costs one more crossing to tell
/// an absent property from a throw.
fn read_own(object: &JsValue, key: &JsValue) -> Result<JsValue, Threw> {
    let property = own_property(object, key);
    if property.is_undefined() && threw_last() { Err(Threw) } else { Ok(property) }
}

/// Strings longer than this (UTF-16 units) are refused before they are copied: wasm memory
/// never shrinks, so one huge string would keep its size for the page's life. The longest
/// legitimate one is a widget URL carrying a token of at most 16 KB.
pub const MAX_TEXT: u32 = 20_000;

/// A JS object or array the core reads through [`Source`].
#[derive(Clone)]
pub struct Js(JsValue);

/// A JS value as the core sees it.
pub fn value(value: JsValue) -> Value<Js> {
    if value.is_undefined() {
        Value::Undefined
    } else if value.is_null() {
        Value::Null
    } else if let Some(text) = value.dyn_ref::<JsString>() {
        if text.length() > MAX_TEXT { Value::Other("a string longer than 20000 characters") } else { Value::Text(String::from(text)) }
    } else if let Some(number) = value.as_f64() {
        Value::Number(number)
    } else if let Some(flag) = value.as_bool() {
        Value::Bool(flag)
    } else {
        match (is_array(&value), value.is_function(), value.is_object()) {
            (None, _, _) => Value::Other("a revoked proxy"),
            (Some(true), _, _) => Value::List(Js(value)),
            (_, true, _) => Value::Other("a function"),
            (_, _, true) => Value::Object(Js(value)),
            _ => Value::Other("another type"),
        }
    }
}

impl Source for Js {
    fn get(&self, key: &'static str) -> Result<Value<Js>, Threw> {
        read_own(&self.0, &static_string(key)).map(value)
    }

    fn get_dynamic(&self, key: &str) -> Result<Value<Js>, Threw> {
        read_own(&self.0, &JsValue::from_str(key)).map(value)
    }

    fn keys(&self) -> Result<Vec<String>, Threw> {
        let keys = own_keys(&self.0).ok_or(Threw)?;
        Ok(keys.iter().filter_map(|key| key.as_string()).collect())
    }

    fn length(&self) -> Result<f64, Threw> {
        length_of(&self.0).ok_or(Threw)
    }

    fn element(&self, index: u32) -> Result<Value<Js>, Threw> {
        read_own(&self.0, &JsValue::from(index)).map(value)
    }
}

/// The own property `key` of a value the package made or parsed, `undefined` when absent or
/// when reading it threw.
#[cfg(feature = "flow")]
pub fn own(object: &JsValue, key: &'static str) -> JsValue {
    read_own(object, &static_string(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The own element `index` of an array read already, `undefined` when reading it again threw (a
/// getter that answers once).
#[cfg(feature = "core")]
pub fn own_element(list: &JsValue, index: u32) -> JsValue {
    read_own(list, &JsValue::from(index)).unwrap_or(JsValue::UNDEFINED)
}

/// `Array.isArray`, or `None` when it threw (a revoked proxy).
pub fn is_array(value: &JsValue) -> Option<bool> {
    array_or_not(value)
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

    pub fn build(self) -> JsValue {
        self.0.into()
    }
}
