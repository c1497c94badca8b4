//! JS-like values for the core's readers ([`Source`]), built in tests the way an app's objects
//! arrive at the boundary: plain values, arrays, objects, getters that throw.

use meld_repair::read::{Source, Threw, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Js {
    Undefined,
    Null,
    Text(String),
    Number(f64),
    Bool(bool),
    Array(Vec<Js>),
    /// Own enumerable properties, in order.
    Object(Vec<(String, Js)>),
    /// A function, a symbol, a revoked proxy …: read as "another type" by its name.
    Other(&'static str),
    /// A property whose getter throws.
    Throws,
}

pub fn text(value: &str) -> Js {
    Js::Text(value.to_owned())
}

pub fn object(fields: &[(&str, Js)]) -> Js {
    Js::Object(fields.iter().map(|(key, value)| ((*key).to_owned(), value.clone())).collect())
}

pub fn strings(values: &[&str]) -> Js {
    Js::Array(values.iter().map(|value| text(value)).collect())
}

impl Js {
    /// The value as the boundary hands it to a reader.
    pub fn value(&self) -> Value<Js> {
        match self {
            Js::Undefined | Js::Throws => Value::Undefined,
            Js::Null => Value::Null,
            Js::Text(text) => Value::Text(text.clone()),
            Js::Number(number) => Value::Number(*number),
            Js::Bool(flag) => Value::Bool(*flag),
            Js::Array(_) => Value::List(self.clone()),
            Js::Object(_) => Value::Object(self.clone()),
            Js::Other(name) => Value::Other(name),
        }
    }

    fn property(&self, key: &str) -> Result<Value<Js>, Threw> {
        let Js::Object(fields) = self else { return Ok(Value::Undefined) };
        match fields.iter().find(|(name, _)| name == key) {
            Some((_, Js::Throws)) => Err(Threw),
            Some((_, value)) => Ok(value.value()),
            None => Ok(Value::Undefined),
        }
    }
}

impl Source for Js {
    fn get(&self, key: &'static str) -> Result<Value<Js>, Threw> {
        self.property(key)
    }

    fn get_dynamic(&self, key: &str) -> Result<Value<Js>, Threw> {
        self.property(key)
    }

    fn keys(&self) -> Result<Vec<String>, Threw> {
        match self {
            Js::Object(fields) => Ok(fields.iter().map(|(key, _)| key.clone()).collect()),
            _ => Ok(Vec::new()),
        }
    }

    fn length(&self) -> Result<f64, Threw> {
        match self {
            Js::Array(items) => Ok(items.len() as f64),
            _ => Ok(0.0),
        }
    }

    fn element(&self, index: u32) -> Result<Value<Js>, Threw> {
        match self {
            Js::Array(items) => match items.get(index as usize) {
                Some(Js::Throws) => Err(Threw),
                Some(item) => Ok(item.value()),
                None => Ok(Value::Undefined),
            },
            _ => Ok(Value::Undefined),
        }
    }
}
