//! Reading the app's values (JS objects, to the boundary) into core types, with a coded error
//! naming the field whenever one has the wrong type. The readers are core code over [`Source`]:
//! the wasm boundary implements it for JS values (`src/wasm/convert.rs`), the tests and the fuzz
//! targets for their own values, so every check and message is tested natively.

use crate::error::{Error, ErrorCode, Result};

/// One value as the core sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<S> {
    Undefined,
    Null,
    Text(String),
    Number(f64),
    Bool(bool),
    /// An array (read through [`Source::length`] and [`Source::element`]).
    List(S),
    /// Any other object: plain, null-prototype or from another realm alike.
    Object(S),
    /// Anything else, by its type name for messages ("a function", "a revoked proxy").
    Other(&'static str),
}

/// Reading a property threw (a getter, a proxy trap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threw;

/// An object or array of the app's, read key by key, so only the fields used are copied.
pub trait Source: Sized {
    /// The own property at `key`; `Undefined` when there is none.
    fn get(&self, key: &'static str) -> core::result::Result<Value<Self>, Threw>;
    /// Like [`get`](Source::get), for a key only known at run time (a verdict code, a header name).
    fn get_dynamic(&self, key: &str) -> core::result::Result<Value<Self>, Threw>;
    /// The own enumerable string keys, in order.
    fn keys(&self) -> core::result::Result<Vec<String>, Threw>;
    /// An array's `length` (a huge or odd length is the caller's to refuse).
    fn length(&self) -> core::result::Result<f64, Threw>;
    fn element(&self, index: u32) -> core::result::Result<Value<Self>, Threw>;
}

impl<S> Value<S> {
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Undefined | Value::Null)
    }

    /// A short description of the type for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Undefined => "undefined",
            Value::Null => "null",
            Value::Text(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::List(_) => "an array",
            Value::Object(_) => "an object",
            Value::Other(name) => name,
        }
    }

    pub fn into_text(self) -> Option<String> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// Arrays longer than this are refused rather than copied (a sparse `length: 1e9` costs nothing
/// to send and everything to read).
pub const MAX_ELEMENTS: u32 = 1_000;

/// The elements of a list, at most `limit`; `Err` says what went wrong (it threw, or too many).
pub fn elements<S: Source>(list: &S, limit: u32) -> core::result::Result<Vec<Value<S>>, &'static str> {
    const THREW: &str = "threw when read";
    let length = list.length().map_err(|_| THREW)?;
    if !(0.0..=f64::from(limit)).contains(&length) {
        return Err("has too many elements (at most 1000)");
    }
    (0..length as u32).map(|index| list.element(index).map_err(|_| THREW)).collect()
}

/// A list of strings, at most [`MAX_ELEMENTS`]; `undefined` and `null` are empty. `name` is
/// the path that names it in messages (`["connection", "products"]`).
pub fn strings<S: Source>(value: Value<S>, name: &[&str; 2], code: ErrorCode) -> Result<Vec<String>> {
    let problem = |text: &[&str]| Error::new(code, &[name[0], ".", name[1], " ", &text.concat()].concat());
    let list = match value {
        Value::List(list) => list,
        value if value.is_missing() => return Ok(Vec::new()),
        other => return Err(problem(&["must be an array of strings or null, got ", other.type_name()])),
    };
    let items = elements(&list, MAX_ELEMENTS).map_err(|text| problem(&[text]))?;
    items
        .into_iter()
        .map(|item| match item {
            Value::Text(text) => Ok(text),
            other => Err(problem(&["must be an array of strings or null; it holds ", other.type_name()])),
        })
        .collect()
}

/// An object being read; `what` names it in error messages ("connection", "options").
pub struct Reader<S> {
    object: Option<S>,
    what: &'static str,
    code: ErrorCode,
}

impl<S: Source> Reader<S> {
    /// `value` must be an object (not null, not an array).
    pub fn required(value: Value<S>, what: &'static str, code: ErrorCode) -> Result<Self> {
        match value {
            Value::Object(object) => Ok(Reader { object: Some(object), what, code }),
            other => Err(Error::new(code, &[what, " must be an object, got ", other.type_name()].concat())),
        }
    }

    /// Like [`required`](Self::required), but `undefined` and `null` read as an empty object.
    pub fn optional(value: Value<S>, what: &'static str, code: ErrorCode) -> Result<Self> {
        if value.is_missing() { Ok(Reader { object: None, what, code }) } else { Reader::required(value, what, code) }
    }

    /// The raw property; a throwing getter or proxy trap becomes a coded error.
    pub fn get(&self, key: &'static str) -> Result<Value<S>> {
        let Some(object) = &self.object else { return Ok(Value::Undefined) };
        object.get(key).map_err(|_| self.threw(key))
    }

    /// Like [`get`](Self::get) for a key only known at run time.
    pub fn get_dynamic(&self, key: &str) -> Result<Value<S>> {
        let Some(object) = &self.object else { return Ok(Value::Undefined) };
        object.get_dynamic(key).map_err(|_| self.threw(key))
    }

    fn threw(&self, key: &str) -> Error {
        Error::new(self.code, &["reading ", self.what, ".", key, " threw"].concat())
    }

    pub fn string(&self, key: &'static str) -> Result<String> {
        match self.get(key)? {
            Value::Text(text) => Ok(text),
            other => Err(self.wrong_type(key, "a string", &other)),
        }
    }

    /// `undefined` and `null` are `None`.
    pub fn optional_string(&self, key: &'static str) -> Result<Option<String>> {
        match self.get(key)? {
            Value::Text(text) => Ok(Some(text)),
            value if value.is_missing() => Ok(None),
            other => Err(self.wrong_type(key, "a string or null", &other)),
        }
    }

    /// `undefined` and `null` are empty.
    pub fn strings(&self, key: &'static str) -> Result<Vec<String>> {
        strings(self.get(key)?, &[self.what, key], self.code)
    }

    /// The object's own enumerable string keys.
    pub fn keys(&self) -> Result<Vec<String>> {
        let Some(object) = &self.object else { return Ok(Vec::new()) };
        object.keys().map_err(|_| Error::new(self.code, &["listing the keys of ", self.what, " threw"].concat()))
    }

    /// A whole number ≥ 0; `undefined`/`null` are 0. Huge values saturate.
    pub fn count(&self, key: &'static str) -> Result<u32> {
        match self.get(key)? {
            Value::Number(n) if n >= 0.0 && n.fract() == 0.0 => Ok(if n > u32::MAX as f64 { u32::MAX } else { n as u32 }),
            value if value.is_missing() => Ok(0),
            other => Err(self.wrong_type(key, "a whole number of at least 0", &other)),
        }
    }

    /// A nested object, or `None` for `undefined`/`null`.
    pub fn object(&self, key: &'static str) -> Result<Option<S>> {
        match self.get(key)? {
            Value::Object(object) => Ok(Some(object)),
            value if value.is_missing() => Ok(None),
            other => Err(self.wrong_type(key, "an object or null", &other)),
        }
    }

    fn wrong_type(&self, key: &str, expected: &str, value: &Value<S>) -> Error {
        Error::new(self.code, &[self.what, ".", key, " must be ", expected, ", got ", value.type_name()].concat())
    }
}
