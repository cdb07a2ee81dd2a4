//! Strict JSON (RFC 8259 with no BOM, no duplicate member names, no trailing data, nesting <= 64
//! levels, numbers correctly rounded, lone surrogates refused): the one parser of token headers,
//! payloads and JWK Sets ([`parse_json_object`]), and [`JsonText`], how a token's header and
//! payload are held: validated whole by a scanner that builds nothing, each value parsed by that
//! parser only when a check reads it, the whole map only when a caller asks for it.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

use once_cell::race::OnceBox;
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
    match parse_strict(bytes, 0)? {
        Value::Object(map) => Ok(map),
        _ => Err(JsonError::Invalid("not a JSON object".to_string())),
    }
}

/// One strict JSON value, nested `depth` levels deep in its document (0: the document itself).
fn parse_strict(bytes: &[u8], depth: usize) -> Result<Value, JsonError> {
    let too_deep = Cell::new(false);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictSeed {
        depth,
        too_deep: &too_deep,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match parsed {
        _ if too_deep.get() => Err(JsonError::TooDeep),
        Ok(value) => Ok(value),
        Err(err) => Err(JsonError::Invalid(format!("invalid JSON: {err}"))),
    }
}

// ---------------------------------------------------------------------------------------------
// JsonText

/// A top-level member of a [`JsonText`]: where its name (between the quotes; never with an escape)
/// and its value are in the text, as byte ranges.
#[derive(Clone, Copy, Debug)]
struct Member {
    name: (usize, usize),
    /// [`tag`] of the name: most lookups are decided by comparing it alone.
    tag: u32,
    value: (usize, usize),
    kind: Kind,
}

/// A name's length, first, middle and last bytes in one word: `iss`, `iat`, `exp`, `aud`, `sub`
/// and `nbf` all differ by it, so a lookup seldom compares names byte by byte.
#[inline(always)]
fn tag(name: &[u8]) -> u32 {
    let at = |index: usize| u32::from(name.get(index).copied().unwrap_or(0));
    (name.len() as u32 & 0xff)
        | at(0) << 8
        | at(name.len() / 2) << 16
        | at(name.len().wrapping_sub(1)) << 24
}

/// What a member's value is, as far as reading it without the parser goes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// A string without escapes: the text between the quotes is the string.
    PlainString,
    /// Digits only, at most [`PLAIN_INTEGER_MAX_DIGITS`]: a `u64`, as the parser reads it.
    PlainInteger,
    /// Anything else: the parser reads it.
    Other,
}

/// A strict JSON object kept as its text (UTF-8, exactly as the token carried it).
///
/// Why: a token's header and payload are read by a few checks (`alg`, `iss`, `exp`, a scope, ...)
/// and handed to JavaScript as text, where `JSON.parse` builds the objects anyway; building a map
/// of every member here as well cost about a quarter of a verification. The text is validated
/// whole, at once, by [`scan`] (every rule of [`parse_json_object`], duplicate names at every depth
/// included); each value is then parsed, by that same strict parser, when a check reads it; the
/// whole map is built once, on the first call that asks for it (`Claims::get`, `as_json`).
/// Whatever [`scan`] cannot vouch for alone goes to [`parse_json_object`], whose verdict and
/// message stand, so no text is ever accepted or refused differently than by the parser.
pub(crate) struct JsonText {
    text: String,
    /// The top-level members, in order. Empty when `map` was filled at once (the parser decided).
    members: Vec<Member>,
    map: OnceBox<JsonObject>,
}

impl JsonText {
    /// Validates `bytes` as a strict JSON object. The error is exactly [`parse_json_object`]'s.
    pub(crate) fn parse(bytes: Vec<u8>) -> Result<JsonText, JsonError> {
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            // Not UTF-8: the parser refuses it too, and its message names where.
            Err(not_utf8) => {
                return Err(parse_json_object(not_utf8.as_bytes())
                    .err()
                    .unwrap_or_else(|| JsonError::Invalid("invalid JSON: not UTF-8".to_string())))
            }
        };
        if let Some(members) = scan(text.as_bytes()) {
            return Ok(JsonText {
                text,
                members,
                map: OnceBox::new(),
            });
        }
        let map = parse_json_object(text.as_bytes())?;
        Ok(JsonText::with_map(text, map))
    }

    /// `map` written as JSON text (for tests that build claims from a map).
    #[cfg(test)]
    pub(crate) fn from_map(map: JsonObject) -> JsonText {
        // A map of JSON values always serialises.
        let text = serde_json::to_string(&map).unwrap_or_default();
        JsonText::with_map(text, map)
    }

    fn with_map(text: String, map: JsonObject) -> JsonText {
        let cell = OnceBox::new();
        // The cell is new, so it is empty.
        let _ = cell.set(Box::new(map));
        JsonText {
            text,
            members: Vec::new(),
            map: cell,
        }
    }

    /// The text, as the token carried it.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The whole object, parsed on the first call.
    pub(crate) fn as_map(&self) -> &JsonObject {
        self.map.get_or_init(|| {
            // Validated when this was built: the fallback is never taken.
            Box::new(parse_json_object(self.text.as_bytes()).unwrap_or_default())
        })
    }

    /// The member named `name`, when the scanner located the members.
    fn member(&self, name: &str) -> Option<Member> {
        let (text, name) = (self.text.as_bytes(), name.as_bytes());
        let probe = tag(name);
        self.members
            .iter()
            .find(|member| {
                member.tag == probe
                    && text
                        .get(member.name.0..member.name.1)
                        .is_some_and(|candidate| same(candidate, name))
            })
            .copied()
    }

    /// Whether the object has a member `name`.
    pub(crate) fn contains(&self, name: &str) -> bool {
        match self.map.get() {
            Some(map) => map.contains_key(name),
            None => self.member(name).is_some(),
        }
    }

    /// The value of member `name`, parsed strictly (or from the map, once built).
    pub(crate) fn value(&self, name: &str) -> Option<Cow<'_, Value>> {
        if let Some(map) = self.map.get() {
            return map.get(name).map(Cow::Borrowed);
        }
        let member = self.member(name)?;
        let text = self.text.get(member.value.0..member.value.1)?;
        // The two kinds claims mostly are, read as the parser reads them without asking it.
        let plain = match member.kind {
            Kind::PlainString => plain_string(text).map(|inner| Value::String(inner.to_string())),
            Kind::PlainInteger => text.parse::<u64>().ok().map(Value::from),
            Kind::Other => None,
        };
        match plain.map_or_else(|| parse_strict(text.as_bytes(), 1), Ok) {
            Ok(value) => Some(Cow::Owned(value)),
            // Validated when this was built: the map answers should that ever differ.
            Err(_) => self.as_map().get(name).map(Cow::Borrowed),
        }
    }

    /// Member `name` when it is a string: borrowed from the text where it has no escape (no
    /// allocation: the checks read `iss`, `sub`, `aud`, `typ`, scopes and claim values this way).
    pub(crate) fn string(&self, name: &str) -> Option<Cow<'_, str>> {
        if self.map.get().is_none() {
            let member = self.member(name)?;
            let text = self.text.get(member.value.0..member.value.1)?;
            return match member.kind {
                Kind::PlainString => plain_string(text).map(Cow::Borrowed),
                Kind::Other if text.starts_with('"') => match self.value(name)? {
                    Cow::Owned(Value::String(string)) => Some(Cow::Owned(string)),
                    Cow::Borrowed(value) => value.as_str().map(Cow::Borrowed),
                    Cow::Owned(_) => None,
                },
                _ => None,
            };
        }
        self.as_map().get(name)?.as_str().map(Cow::Borrowed)
    }

    /// Whether member `name` is a number (`None`: there is no such member).
    pub(crate) fn is_number(&self, name: &str) -> Option<bool> {
        if let Some(map) = self.map.get() {
            return map.get(name).map(Value::is_number);
        }
        let member = self.member(name)?;
        let first = self.text.as_bytes().get(member.value.0).copied();
        Some(matches!(first, Some(b'-' | b'0'..=b'9')))
    }

    /// Member `name` when it is a string, borrowed: from the text where it has no escape, else
    /// from the map.
    pub(crate) fn get_str(&self, name: &str) -> Option<&str> {
        match self.string(name)? {
            Cow::Borrowed(string) => Some(string),
            Cow::Owned(_) => self.as_map().get(name)?.as_str(),
        }
    }

    /// Member `name` when it is a number, as `f64`.
    pub(crate) fn get_f64(&self, name: &str) -> Option<f64> {
        self.value(name)?.as_f64()
    }
}

impl Clone for JsonText {
    fn clone(&self) -> Self {
        JsonText {
            text: self.text.clone(),
            members: self.members.clone(),
            map: self.map.clone(),
        }
    }
}

/// Equal when the objects are (member order and spelling aside), as the maps were.
impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text || self.as_map() == other.as_map()
    }
}

impl fmt::Debug for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// ⚠️ For tests and fuzzing only (not covered by semver). How [`JsonText`] and
/// [`parse_json_object`] disagree about `bytes`, or `None` when they agree: both refuse it with the
/// same error (message included), or both accept it and every member reads the same through
/// either (presence, value, string, number, and the map built lazily).
#[doc(hidden)]
pub fn scanner_disagreement(bytes: &[u8]) -> Option<String> {
    let parsed = parse_json_object(bytes);
    let held = JsonText::parse(bytes.to_vec());
    let (map, held) = match (parsed, held) {
        (Err(a), Err(b)) => return (a != b).then(|| format!("errors differ: {a:?} / {b:?}")),
        (Ok(_), Err(err)) => return Some(format!("the parser accepts, JsonText refuses: {err:?}")),
        (Err(err), Ok(_)) => {
            return Some(format!("the parser refuses ({err:?}), JsonText accepts"))
        }
        (Ok(map), Ok(held)) => (map, held),
    };
    if held.map.get().is_none() && held.members.len() != map.len() {
        return Some(format!(
            "{} members located, {} parsed",
            held.members.len(),
            map.len()
        ));
    }
    for (name, value) in &map {
        if !held.contains(name) || held.value(name).as_deref() != Some(value) {
            return Some(format!("member {name:?} reads differently"));
        }
        if held.get_str(name) != value.as_str()
            || held.string(name).as_deref() != value.as_str()
            || held.get_f64(name) != value.as_f64()
            || held.is_number(name) != Some(value.is_number())
        {
            return Some(format!(
                "member {name:?} reads differently as a string or number"
            ));
        }
    }
    if held.as_map() != &map {
        return Some("the map built later differs".to_string());
    }
    None
}

// ---------------------------------------------------------------------------------------------
// the scanner

/// Byte strings equal; the first bytes compared before the call to `memcmp` that `==` makes:
/// member names are a few bytes, and `iss`, `sub`, `aud`, `exp`, `nbf`, `iat` have one length.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.first() == b.first() && a == b
}

/// The string inside the quotes of a plain string's text.
fn plain_string(quoted: &str) -> Option<&str> {
    quoted.strip_prefix('"')?.strip_suffix('"')
}

/// Objects with more members than this are left to the parser: comparing names pairwise is
/// quadratic, and tokens' objects are small (a hostile one costs the parser's n log n, once).
const PAIRWISE_NAMES: usize = 32;

/// Numbers with an integer part longer than this, or with an exponent, are left to the parser:
/// below 10^300 a number without an exponent is always a finite `f64`, which is all the parser
/// could refuse a well-formed number for (tokens' numbers are NumericDates and ids).
const PLAIN_INTEGER_DIGITS: usize = 300;

/// Integers of at most this many digits always fit a `u64` (which has 20).
const PLAIN_INTEGER_MAX_DIGITS: usize = 19;

/// Validates `text` as a strict JSON object and locates its top-level members, building nothing.
/// `None` when it cannot vouch for the text alone: not valid, or a member name with an escape
/// (names are compared as they are written), nesting deeper than [`MAX_JSON_DEPTH`], an object of
/// more than [`PAIRWISE_NAMES`] members, a number with an exponent or a long integer part; then
/// [`parse_json_object`] decides. `text` must be UTF-8 (only strings may hold non-ASCII, and the
/// grammar refuses it anywhere else).
fn scan(text: &[u8]) -> Option<Vec<Member>> {
    let mut scanner = Scanner {
        text,
        at: 0,
        names: Vec::new(),
        members: Vec::with_capacity(16),
    };
    scanner.whitespace();
    if scanner.peek()? != b'{' {
        return None;
    }
    scanner.object(1)?;
    scanner.whitespace();
    (scanner.at == text.len()).then_some(scanner.members)
}

/// The small steps are `#[inline(always)]`: the edge module is built for size (opt-level "z"),
/// which otherwise leaves each of them a call per byte.
struct Scanner<'t> {
    text: &'t [u8],
    at: usize,
    /// The names of the objects being scanned, innermost last (checked for duplicates when an
    /// object closes).
    names: Vec<(usize, usize)>,
    members: Vec<Member>,
}

impl Scanner<'_> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    #[inline(always)]
    fn eat(&mut self, byte: u8) -> Option<()> {
        if self.peek()? == byte {
            self.at += 1;
            Some(())
        } else {
            None
        }
    }

    #[inline(always)]
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// A value; `depth` is that of the container holding it.
    fn value(&mut self, depth: usize) -> Option<Kind> {
        match self.peek()? {
            b'{' => self.object(depth + 1).map(|()| Kind::Other),
            b'[' => self.array(depth + 1).map(|()| Kind::Other),
            b'"' => match self.string()? {
                (_, false) => Some(Kind::PlainString),
                (_, true) => Some(Kind::Other),
            },
            b't' => self.literal(b"true").map(|()| Kind::Other),
            b'f' => self.literal(b"false").map(|()| Kind::Other),
            b'n' => self.literal(b"null").map(|()| Kind::Other),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// An object at nesting level `depth` (the document is 1); at level 1 its members are kept.
    fn object(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        let first_name = self.names.len();
        self.whitespace();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let (name, escaped) = self.string()?;
            if escaped {
                return None;
            }
            self.names.push(name);
            self.whitespace();
            self.eat(b':')?;
            self.whitespace();
            let start = self.at;
            let kind = self.value(depth)?;
            if depth == 1 {
                self.members.push(Member {
                    name,
                    tag: tag(self.text.get(name.0..name.1).unwrap_or_default()),
                    value: (start, self.at),
                    kind,
                });
            }
            self.whitespace();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.whitespace();
                }
                b'}' => {
                    self.at += 1;
                    break;
                }
                _ => return None,
            }
        }
        self.distinct_names(first_name)?;
        self.names.truncate(first_name);
        Some(())
    }

    /// `None` if two of the names from `first` on (one object's) are equal, or if there are more
    /// than [`PAIRWISE_NAMES`] (the parser compares those, in n log n).
    fn distinct_names(&self, first: usize) -> Option<()> {
        let names = self.names.get(first..)?;
        if names.len() > PAIRWISE_NAMES {
            return None;
        }
        let name = |(start, end): (usize, usize)| self.text.get(start..end);
        for (i, later) in names.iter().enumerate() {
            if names[..i]
                .iter()
                .any(|earlier| name(*earlier) == name(*later))
            {
                return None;
            }
        }
        Some(())
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.eat(b'[')?;
        self.whitespace();
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.value(depth)?;
            self.whitespace();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.whitespace();
                }
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A string: the range between its quotes, and whether it has an escape.
    fn string(&mut self) -> Option<((usize, usize), bool)> {
        self.eat(b'"')?;
        let start = self.at;
        let mut escaped = false;
        loop {
            // Straight to the next byte that matters.
            let rest = self.text.get(self.at..)?;
            self.at += rest
                .iter()
                .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)?;
            let byte = self.peek()?;
            self.at += 1;
            match byte {
                b'"' => return Some(((start, self.at - 1), escaped)),
                b'\\' => {
                    escaped = true;
                    self.escape()?;
                }
                // Control characters must be escaped.
                0x00..=0x1f => return None,
                _ => {}
            }
        }
    }

    /// What follows a backslash: one of the eight escapes, or `u` and four hex digits, where a
    /// surrogate must be a leading one followed by `\u` and a trailing one (as the parser has it).
    fn escape(&mut self) -> Option<()> {
        let byte = self.peek()?;
        self.at += 1;
        match byte {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(()),
            b'u' => match self.hex4()? {
                0xDC00..=0xDFFF => None,
                0xD800..=0xDBFF => {
                    self.eat(b'\\')?;
                    self.eat(b'u')?;
                    matches!(self.hex4()?, 0xDC00..=0xDFFF).then_some(())
                }
                _ => Some(()),
            },
            _ => None,
        }
    }

    fn hex4(&mut self) -> Option<u16> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        digits.iter().try_fold(0u16, |n, &digit| {
            let value = match digit {
                b'0'..=b'9' => digit - b'0',
                b'a'..=b'f' => digit - b'a' + 10,
                b'A'..=b'F' => digit - b'A' + 10,
                _ => return None,
            };
            Some(n << 4 | u16::from(value))
        })
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.text.get(self.at..self.at + word.len())? == word {
            self.at += word.len();
            Some(())
        } else {
            None
        }
    }

    /// A number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. A leading zero followed
    /// by a digit ends the number at the zero, and the digit is then refused where it stands.
    fn number(&mut self) -> Option<Kind> {
        let negative = self.eat(b'-').is_some();
        let integer = self.at;
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let integer_digits = self.at - integer;
        let fraction = self.eat(b'.').is_some();
        if fraction {
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return None;
            }
            self.digits();
        }
        let exponent = matches!(self.peek(), Some(b'e' | b'E'));
        if exponent {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return None;
            }
            self.digits();
        }
        if exponent || integer_digits > PLAIN_INTEGER_DIGITS {
            // Perhaps not a finite f64 (1e400 is not): the parser decides.
            return None;
        }
        let plain =
            !(negative || fraction || exponent) && integer_digits <= PLAIN_INTEGER_MAX_DIGITS;
        Some(if plain {
            Kind::PlainInteger
        } else {
            Kind::Other
        })
    }

    #[inline(always)]
    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Documents at every rule's edge: the scanner must agree with the parser on each.
    const EDGES: &[&str] = &[
        "{}",
        " \t\r\n{ }\n",
        r#"{"a":1}"#,
        r#"{"a":1,"a":2}"#,
        r#"{"a":{"b":1,"b":2}}"#,
        r#"{"a":[{"b":1},{"b":1}],"c":{"d":{"b":1,"e":2,"b":3}}}"#,
        r#"{"a":1,"\u0061":2}"#,
        r#"{"\u0061":1}"#,
        r#"{"a\"b":1,"c":"d\"e"}"#,
        r#"{"":1,"":2}"#,
        r#"{"":1}"#,
        r#"{"a":"x","b":"\u00e9\n\t\/\\\"\b\f\r"}"#,
        r#"{"a":"\ud800"}"#,
        r#"{"a":"\udc00"}"#,
        r#"{"a":"\ud800\u0041"}"#,
        r#"{"a":"\ud800\udbff"}"#,
        r#"{"a":"\ud800\udc00"}"#,
        r#"{"a":"\uDBFF\uDFFF"}"#,
        r#"{"a":"\ud800x"}"#,
        r#"{"a":"\ud800\n"}"#,
        r#"{"a":"\u12G4"}"#,
        r#"{"a":"\u12"}"#,
        r#"{"a":"\x"}"#,
        "{\"a\":\"\u{1}\"}",
        "{\"a\":\"\u{7f}\u{e9}\u{1F600}\"}",
        "{\"a\":\"tab\there\"}",
        "\u{feff}{}",
        r#"{"a":0,"b":-0,"c":-0.0,"d":1.5,"e":-12.25e3,"f":1E+2,"g":5e-324,"h":1e-400}"#,
        r#"{"a":1e308}"#,
        r#"{"a":1e309}"#,
        r#"{"a":-1e400}"#,
        r#"{"a":0e99999999999999999999}"#,
        r#"{"a":1e99999999999999999999}"#,
        r#"{"a":18446744073709551615,"b":18446744073709551616,"c":-9223372036854775808,"d":-9223372036854775809}"#,
        r#"{"a":9007199254740993,"b":1.7976931348623157e308,"c":1.7976931348623159e308}"#,
        r#"{"a":01}"#,
        r#"{"a":-01}"#,
        r#"{"a":00}"#,
        r#"{"a":1.}"#,
        r#"{"a":.5}"#,
        r#"{"a":-}"#,
        r#"{"a":+1}"#,
        r#"{"a":1e}"#,
        r#"{"a":1e+}"#,
        r#"{"a":1.5.3}"#,
        r#"{"a":0x10}"#,
        r#"{"a":NaN}"#,
        r#"{"a":Infinity}"#,
        r#"{"a":true,"b":false,"c":null}"#,
        r#"{"a":tru}"#,
        r#"{"a":truex}"#,
        r#"{"a":nul}"#,
        r#"{"a":None}"#,
        r#"{"a":1,}"#,
        r#"{"a":[1,]}"#,
        r#"{"a":[,1]}"#,
        r#"{,"a":1}"#,
        r#"{"a" 1}"#,
        r#"{"a"::1}"#,
        r#"{"a":1 "b":2}"#,
        r#"{a:1}"#,
        r#"{'a':1}"#,
        r#"{"a":1}x"#,
        r#"{"a":1}{}"#,
        r#"{"a":1} "#,
        r#"{"a":1"#,
        r#"{"a":"#,
        r#"{"a"#,
        "{",
        "",
        " ",
        "[]",
        r#""a""#,
        "1",
        "null",
        "{\"a\":1}\u{0}",
        "{\"a\":1,\u{c}\"b\":2}",
        r#"{"a":[[],[[]],{},{"b":[]}],"c":[1,"2",true,null,{"d":-1.5}]}"#,
        r#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#,
        r#"{"alg":"HS\u0032\u0035\u0036","kid":"\/k"}"#,
        r#"{"iss":"https:\/\/issuer.example","aud":["a","b"],"exp":1750003540,"nbf":1.5,"scope":"a b"}"#,
    ];

    /// A verified token's header and claims hold a `JsonText`, a verifier its keys imported on
    /// first use: both must stay shareable across threads (axum's request extensions, for one,
    /// require `Send + Sync`).
    #[test]
    fn held_json_is_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<JsonText>();
        send_sync::<crate::Verified>();
        send_sync::<crate::Verifier>();
    }

    fn agree(doc: &[u8]) {
        if let Some(why) = scanner_disagreement(doc) {
            panic!("{why}: {:?}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn the_scanner_agrees_with_the_parser_at_every_edge() {
        for doc in EDGES {
            agree(doc.as_bytes());
        }
        // What the scanner vouches for alone, and what it leaves to the parser.
        for doc in [
            "{}",
            r#"{"a":"x","b":"\u00e9\n\t\/\\\"\b\f\r"}"#,
            r#"{"a":"\ud800\udc00"}"#,
            r#"{"a":0,"b":-0,"c":-0.0,"d":1.5,"e":[true,false,null,{}]}"#,
            r#"{"iss":"https:\/\/issuer.example","aud":["a","b"],"exp":1750003540,"nbf":1.5}"#,
        ] {
            assert!(scan(doc.as_bytes()).is_some(), "{doc}");
        }
        for doc in [
            r#"{"a":1,"a":2}"#,
            r#"{"\u0061":1}"#,
            r#"{"a":1e3}"#,
            "[]",
            "{\"a\":\"\u{1}\"}",
        ] {
            assert!(scan(doc.as_bytes()).is_none(), "{doc}");
        }
        // Duplicates among many members (left to the parser), and none.
        let many: Vec<String> = (0..40).map(|i| format!("\"m{i}\":{i}")).collect();
        agree(format!("{{{}}}", many.join(",")).as_bytes());
        agree(format!("{{{},\"m7\":0}}", many.join(",")).as_bytes());
        agree(format!("{{\"o\":{{{},\"m39\":[]}}}}", many.join(",")).as_bytes());
        // Depth: 64 levels pass, 65 do not, whatever mix of arrays and objects.
        for depth in [63, 64, 65, 100] {
            let open: String = (1..depth)
                .map(|i| if i % 2 == 0 { "[" } else { "{\"x\":" })
                .collect();
            let close: String = (1..depth)
                .rev()
                .map(|i| if i % 2 == 0 { "]" } else { "}" })
                .collect();
            agree(format!("{{\"a\":{open}1{close}}}").as_bytes());
        }
        // Integer parts around the length at which the parser checks the range.
        for digits in [299, 300, 301, 308, 309, 310, 400] {
            agree(format!("{{\"a\":{}}}", "9".repeat(digits)).as_bytes());
            agree(format!("{{\"a\":-1{}.5}}", "0".repeat(digits)).as_bytes());
        }
        // Not UTF-8, inside and outside a string.
        agree(b"{\"a\":\"\xff\"}");
        agree(b"{\"a\":1\xc3}");
        agree(b"{\"\xe9\":1}");
    }

    /// Single-byte edits of valid documents, in bulk: every one must get the parser's verdict.
    #[test]
    fn the_scanner_agrees_with_the_parser_on_edited_documents() {
        const BYTES: &[u8] = b"{}[]\":,\\ -+.0123456789eEtrufalsn\"\\u\xe9\x00\x1f/abdD8C";
        let seeds: Vec<&str> = EDGES
            .iter()
            .copied()
            .filter(|doc| parse_json_object(doc.as_bytes()).is_ok())
            .collect();
        assert!(seeds.len() > 10);
        // xorshift: reproducible without a dependency.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let mut counts = [0; 3];
        for _ in 0..60_000 {
            let mut doc = seeds[next(seeds.len())].as_bytes().to_vec();
            for _ in 0..1 + next(3) {
                let at = next(doc.len() + 1);
                let byte = BYTES[next(BYTES.len())];
                match next(3) {
                    0 => doc.insert(at, byte),
                    1 if at < doc.len() => {
                        doc.remove(at);
                    }
                    _ if at < doc.len() => doc[at] = byte,
                    _ => doc.push(byte),
                }
            }
            agree(&doc);
            match (scan(&doc).is_some(), parse_json_object(&doc).is_ok()) {
                (true, _) => counts[0] += 1,
                (false, true) => counts[1] += 1,
                (false, false) => counts[2] += 1,
            }
        }
        // Each way is exercised: the scanner vouches, the parser accepts what the scanner left to
        // it, both refuse.
        assert!(counts.iter().all(|&count| count > 300), "{counts:?}");
    }

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
