// How the models' objects are read and written: one generic serde reader and writer,
// driven by each model's member table (`serde_object!` below, one per struct in the
// `types` module).
//
// A derived `Deserialize` writes a field enum, its visitor and a map visitor for every
// struct; on a large definition those bodies were most of what rustc spent on the crate.
// Here the per-struct part is one `match` on the member names and one line per member,
// and everything else is compiled once. What a reader sees is unchanged: the same
// missing-, duplicate- and unknown-field errors, `null` apart from absent where the model
// says so, unknown members kept in order.
//
// This file is embedded by stubforge and written into every generated crate that has a
// struct model. It never names the crate root, so that it can be included at any module
// path; the macro names this module as `super::types_runtime`, the sibling of `types`.

use std::marker::PhantomData;

use ::serde::de::{self, MapAccess};
use ::serde::ser::SerializeMap;

/// A struct model read and written as a JSON object, member by member.
#[doc(hidden)]
pub trait Object: Sized {
    /// What a type error says was expected: `struct Name`.
    const EXPECTED: &'static str;

    /// Reads the members of one object into the model.
    fn read_members<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;

    /// Writes the model's members, in the definition's order, then the unknown ones kept.
    fn write_members<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
}

/// `Deserialize::deserialize` of every struct model.
#[doc(hidden)]
pub fn deserialize<'de, D: ::serde::Deserializer<'de>, T: Object>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// `Serialize::serialize` of every struct model.
#[doc(hidden)]
pub fn serialize<S: ::serde::Serializer, T: Object>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    value.write_members(&mut map)?;
    map.end()
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> de::Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str(T::EXPECTED)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read_members(map)
    }
}

/// A member's name as the input holds it: borrowed when it has no escapes.
#[doc(hidden)]
pub enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    /// The name, to match on.
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(key) => key,
            Key::Owned(key) => key,
        }
    }

    fn into_string(self) -> String {
        match self {
            Key::Borrowed(key) => key.to_owned(),
            Key::Owned(key) => key,
        }
    }
}

impl<'de> ::serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> de::Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(key))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(key.to_owned()))
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(key))
    }
}

/// Reads a named member's value into its slot; a second one of the same name is an error.
#[doc(hidden)]
pub fn read_member<'de, A: MapAccess<'de>, T: ::serde::Deserialize<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    wire: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(wire));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// A required member's value, or the missing-field error.
#[doc(hidden)]
pub fn required<T, E: de::Error>(slot: Option<T>, wire: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(wire))
}

/// Where a model keeps the members its definition does not name.
#[doc(hidden)]
pub trait Unknown<'de>: Default {
    fn keep<A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error>;
    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
}

impl<'de> Unknown<'de> for ::serde_json::Map<String, ::serde_json::Value> {
    fn keep<A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error> {
        self.insert(key.into_string(), map.next_value()?);
        Ok(())
    }

    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        self.iter().try_for_each(|(key, value)| map.serialize_entry(key, value))
    }
}

impl<'de, T: ::serde::Deserialize<'de> + ::serde::Serialize> Unknown<'de> for std::collections::BTreeMap<String, T> {
    fn keep<A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error> {
        self.insert(key.into_string(), map.next_value()?);
        Ok(())
    }

    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        self.iter().try_for_each(|(key, value)| map.serialize_entry(key, value))
    }
}

/// A member the model does not name, in a model that refuses them.
#[doc(hidden)]
pub fn refuse<E: de::Error>(key: Key<'_>, expected: &'static [&'static str]) -> Result<(), E> {
    Err(E::unknown_field(key.as_str(), expected))
}

/// Writes `serde::Deserialize`, `serde::Serialize` and [`Object`] for a struct model from
/// its member table: each row is the member's presence, its field and its name in JSON.
///
/// - `required`: must be present (`missing field` otherwise); written always.
/// - `nullable`: required by the definition but may be `null`, read as `None` when absent
///   too (as serde reads a missing `Option`); written always, `null` for `None`.
/// - `optional`: `None` when absent or `null`; left out when `None`.
/// - `optional_nullable`: `None` when absent, `Some(None)` when `null`; left out when
///   `None`.
///
/// After the rows, `..field` keeps unknown members in that field, and `..refused` rejects
/// them with the list of known names.
macro_rules! serde_object {
    ($name:ident { $($presence:ident $field:ident = $wire:literal;)* ..$unknown:ident }) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                super::types_runtime::deserialize(deserializer)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                super::types_runtime::serialize(self, serializer)
            }
        }

        impl super::types_runtime::Object for $name {
            const EXPECTED: &'static str = concat!("struct ", stringify!($name));

            fn read_members<'de, A: ::serde::de::MapAccess<'de>>(mut map: A) -> ::core::result::Result<Self, A::Error> {
                $(let mut $field = ::core::option::Option::None;)*
                serde_object!(@unknown_slot $unknown);
                while let ::core::option::Option::Some(key) = map.next_key::<super::types_runtime::Key<'de>>()? {
                    match key.as_str() {
                        $($wire => super::types_runtime::read_member(&mut $field, &mut map, $wire)?,)*
                        _ => serde_object!(@unknown_member $unknown, key, map, [$($wire),*]),
                    }
                }
                ::core::result::Result::Ok(serde_object!(@build $unknown, [$($presence $field $wire),*]))
            }

            fn write_members<M: ::serde::ser::SerializeMap>(&self, map: &mut M) -> ::core::result::Result<(), M::Error> {
                $(serde_object!(@write $presence, map, $wire, self.$field);)*
                serde_object!(@unknown_write $unknown, map, self);
                ::core::result::Result::Ok(())
            }
        }
    };
    (@unknown_slot refused) => {};
    (@unknown_slot $unknown:ident) => {
        let mut $unknown = ::core::default::Default::default();
    };
    (@unknown_member refused, $key:ident, $map:ident, [$($wire:literal),*]) => {
        super::types_runtime::refuse($key, &[$($wire),*])?
    };
    (@unknown_member $unknown:ident, $key:ident, $map:ident, [$($wire:literal),*]) => {
        super::types_runtime::Unknown::keep(&mut $unknown, $key, &mut $map)?
    };
    // A model of no members that refuses unknown ones writes `{}`.
    (@unknown_write refused, $map:ident, $self:ident) => {
        let _ = $map;
    };
    (@unknown_write $unknown:ident, $map:ident, $self:ident) => {
        super::types_runtime::Unknown::write(&$self.$unknown, $map)?
    };
    (@build refused, [$($presence:ident $field:ident $wire:literal),*]) => {
        Self { $($field: serde_object!(@value $presence, $field, $wire),)* }
    };
    (@build $unknown:ident, [$($presence:ident $field:ident $wire:literal),*]) => {
        Self { $($field: serde_object!(@value $presence, $field, $wire),)* $unknown }
    };
    (@value required, $field:ident, $wire:literal) => {
        super::types_runtime::required($field, $wire)?
    };
    (@value nullable, $field:ident, $wire:literal) => { $field.flatten() };
    (@value optional, $field:ident, $wire:literal) => { $field.flatten() };
    (@value optional_nullable, $field:ident, $wire:literal) => { $field };
    (@write required, $map:ident, $wire:literal, $value:expr) => {
        $map.serialize_entry($wire, &$value)?
    };
    (@write nullable, $map:ident, $wire:literal, $value:expr) => {
        $map.serialize_entry($wire, &$value)?
    };
    (@write optional, $map:ident, $wire:literal, $value:expr) => {
        if let ::core::option::Option::Some(value) = &$value {
            $map.serialize_entry($wire, value)?
        }
    };
    (@write optional_nullable, $map:ident, $wire:literal, $value:expr) => {
        if let ::core::option::Option::Some(value) = &$value {
            $map.serialize_entry($wire, value)?
        }
    };
}

pub(crate) use serde_object;
