//! String enums: serde names, `as_str`, `Display` and `FromStr`. A closed enum's
//! `FromStr` fails with the shared `UnknownValue` error; an open one keeps any other value
//! in its `Other` variant, so reading it never fails.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{doc, doc_or, ident, undescribed_type};
use crate::ir::{EnumValue, OpenEnum, TypeDef};

pub fn emit_closed(def: &TypeDef, values: &[EnumValue], error: &str, attrs: &TokenStream) -> TokenStream {
    let docs = doc_or(def.doc.as_deref(), || undescribed_type(&def.name));
    let name = ident(&def.name);
    let type_name = &def.name;
    let error = ident(error);
    let variants = values.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_name;
        let line = format!(" `{wire}`");
        quote! {
            #[doc = #line]
            #[serde(rename = #wire)]
            #variant,
        }
    });
    let names = values.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_name;
        quote!(Self::#variant => #wire,)
    });
    let reads = values.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_name;
        quote!(#wire => ::core::result::Result::Ok(Self::#variant),)
    });
    let display = emit_display(&name);
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #attrs
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// The value as on the wire.
            pub fn as_str(&self) -> &'static str {
                match *self {
                    #(#names)*
                }
            }
        }

        #display

        impl ::core::str::FromStr for #name {
            type Err = #error;

            /// Reads a value as on the wire; one the definition does not list is an error.
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    #(#reads)*
                    _ => ::core::result::Result::Err(#error {
                        type_name: #type_name,
                        value: String::from(value),
                    }),
                }
            }
        }
    }
}

pub fn emit_open(def: &TypeDef, open: &OpenEnum, attrs: &TokenStream) -> TokenStream {
    let docs = doc(def.doc.as_deref());
    let shape = format!(
        "The definition lists these values and allows others, which are read as `{}`. A listed\nvalue is always read as its own variant, never as `{}`.",
        open.other, open.other
    );
    let shape = doc(Some(&shape));
    let gap = def.doc.is_some().then(|| quote!(#[doc = ""]));
    let name = ident(&def.name);
    let other = ident(&open.other);
    let variants = open.values.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let note = format!(" `{}`", v.wire_name);
        quote! {
            #[doc = #note]
            #variant,
        }
    });
    let names = open.values.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_name;
        quote!(Self::#variant => #wire,)
    });
    let reads = open.values.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_name;
        quote!(#wire => Self::#variant,)
    });
    let display = emit_display(&name);
    quote! {
        #docs
        #gap
        #shape
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #attrs
        pub enum #name {
            #(#variants)*
            /// A value the definition does not list.
            #other(String),
        }

        impl #name {
            /// The value as on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#names)*
                    Self::#other(value) => value,
                }
            }

            /// The variant for a value as on the wire.
            fn read(value: &str) -> Self {
                match value {
                    #(#reads)*
                    _ => Self::#other(String::from(value)),
                }
            }
        }

        #display

        impl ::core::str::FromStr for #name {
            type Err = ::core::convert::Infallible;

            /// Reads a value as on the wire; one the definition does not list is kept.
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                ::core::result::Result::Ok(Self::read(value))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S>(&self, serializer: S) -> Result<S::Ok, S::Error>
            where
                S: ::serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::core::result::Result::Ok(Self::read(&value))
            }
        }
    }
}

fn emit_display(name: &proc_macro2::Ident) -> TokenStream {
    quote! {
        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// The error of closed enums' `FromStr`.
pub fn emit_unknown_value(name: &str) -> TokenStream {
    let name = ident(name);
    quote! {
        /// A string that is none of the values a string enum lists, from its `FromStr`.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct #name {
            /// The enum's name.
            pub type_name: &'static str,
            /// The value that was read.
            pub value: String,
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                write!(f, "`{}` is not a value of `{}`", self.value, self.type_name)
            }
        }

        impl ::std::error::Error for #name {}
    }
}
