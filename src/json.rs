//! Strict JSON (RFC 8259 with no BOM, no duplicate member names, no trailing data, nesting <= 64
//! levels, numbers correctly rounded, lone surrogates refused): the one parser of token headers,
//! payloads and JWK Sets.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Deepest JSON nesting accepted (objects and arrays), counting the top-level object as 1.
pub const MAX_JSON_DEPTH: usize = 64;

/// A JSON object as parsed from a token or a JWK Set.
pub type JsonObject = Map<String, Value>;

/// Why a JSON document was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Nested deeper than [`MAX_JSON_DEPTH`].
    TooDeep,
    /// Not a JSON object, not UTF-8, a BOM, a duplicate member name, trailing data, or bad syntax.
    Invalid(String),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::TooDeep => write!(f, "JSON nested deeper than {MAX_JSON_DEPTH} levels"),
            JsonError::Invalid(why) => f.write_str(why),
        }
    }
}

/// Builds a `serde_json::Value` while refusing duplicate member names and excess depth.
/// serde_json's own `Value` keeps the last duplicate silently, which would let two parsers
/// disagree about a token's claims.
///
/// `too_deep` is set beside serde_json's own error, which cannot carry the distinction between
/// "too deep" (`too_large`) and "invalid" (`malformed`).
struct StrictSeed<'a> {
    depth: usize,
    too_deep: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl StrictSeed<'_> {
    fn nested<E: serde::de::Error>(&self) -> Result<StrictSeed<'_>, E> {
        if self.depth >= MAX_JSON_DEPTH {
            self.too_deep.set(true);
            return Err(E::custom("JSON nested too deeply"));
        }
        Ok(StrictSeed {
            depth: self.depth + 1,
            too_deep: self.too_deep,
        })
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let seed = self.nested()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictSeed {
            depth: seed.depth,
            too_deep: seed.too_deep,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let seed = self.nested()?;
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(A::Error::custom(format!("duplicate member name {key:?}")));
            }
            let value = access.next_value_seed(StrictSeed {
                depth: seed.depth,
                too_deep: seed.too_deep,
            })?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// Parses a strict JSON object (see the module docs). serde_json already refuses a BOM, invalid
/// UTF-8, lone surrogate escapes and trailing non-whitespace data.
pub fn parse_json_object(bytes: &[u8]) -> Result<JsonObject, JsonError> {
    let too_deep = Cell::new(false);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictSeed {
        depth: 0,
        too_deep: &too_deep,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match parsed {
        _ if too_deep.get() => Err(JsonError::TooDeep),
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JsonError::Invalid("not a JSON object".to_string())),
        Err(err) => Err(JsonError::Invalid(format!("invalid JSON: {err}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_strict() {
        assert!(parse_json_object(br#"{"a":1,"b":[1,{"c":null}]}"#).is_ok());
        assert!(matches!(
            parse_json_object(br#"{"a":1,"a":2}"#),
            Err(JsonError::Invalid(_))
        ));
        assert!(matches!(
            parse_json_object(b"\xEF\xBB\xBF{}"),
            Err(JsonError::Invalid(_))
        ));
        assert!(matches!(
            parse_json_object(b"{} x"),
            Err(JsonError::Invalid(_))
        ));
        assert!(matches!(
            parse_json_object(b"[]"),
            Err(JsonError::Invalid(_))
        ));
        assert!(matches!(
            parse_json_object(br#"{"a":"\ud800"}"#),
            Err(JsonError::Invalid(_))
        ));
        let nested = |depth: usize| {
            let mut doc = String::from("{\"a\":");
            doc.push_str(&"[".repeat(depth - 1));
            doc.push_str(&"]".repeat(depth - 1));
            doc.push('}');
            doc
        };
        assert!(parse_json_object(nested(64).as_bytes()).is_ok());
        assert_eq!(
            parse_json_object(nested(65).as_bytes()),
            Err(JsonError::TooDeep)
        );
        assert_eq!(
            parse_json_object(nested(10_000).as_bytes()),
            Err(JsonError::TooDeep)
        );
    }
}
