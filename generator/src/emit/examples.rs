//! The `examples` test module: every example of the definition whose test can fail is
//! read into its type and written back, and must come out as the same JSON (or, when it
//! does not fit its schema, must be rejected). Numbers compare by value.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{ident, qualified_type};
use crate::ir::Ir;

pub fn emit_examples(ir: &Ir) -> TokenStream {
    let tested: Vec<_> = ir.examples.iter().filter(|e| e.tested).collect();
    let tests = tested.iter().map(|example| {
        let name = ident(&example.name);
        let ty = qualified_type(&example.ty);
        let json = example.json.to_string();
        match &example.mismatch {
            None => quote! {
                #[test]
                fn #name() {
                    round_trip::<#ty>(#json);
                }
            },
            Some(reason) => {
                let note =
                    format!(" The definition's example does not fit its schema ({reason}): it must be rejected.");
                quote! {
                    #[doc = #note]
                    #[test]
                    fn #name() {
                        rejected::<#ty>(#json);
                    }
                }
            }
        }
    });
    let round_trip_helper = tested.iter().any(|e| e.mismatch.is_none()).then(|| {
        quote! {
            /// Reads `json` as `T`, writes it back and requires the same JSON value.
            fn round_trip<T>(json: &str)
            where
                T: ::serde::de::DeserializeOwned + ::serde::Serialize,
            {
                let expected: ::serde_json::Value = ::serde_json::from_str(json).expect("the example is JSON");
                let typed: T = ::serde_json::from_value(expected.clone()).expect("the example fits its type");
                let written = ::serde_json::to_value(&typed).expect("the value serializes");
                assert!(same_json(&written, &expected), "written back as {written}, expected {expected}");
            }

            /// JSON equality in which numbers compare by value, as JSON means them: an `f64` field
            /// writes the example's `1` back as `1.0`, the same number. Two integers still compare
            /// exactly, so a large integer that an `f64` would round does not pass.
            fn same_json(a: &::serde_json::Value, b: &::serde_json::Value) -> bool {
                use ::serde_json::Value;
                match (a, b) {
                    (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => x.as_f64() == y.as_f64(),
                    (Value::Array(x), Value::Array(y)) => {
                        x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
                    }
                    (Value::Object(x), Value::Object(y)) => {
                        x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
                    }
                    _ => a == b,
                }
            }
        }
    });
    let rejected_helper = tested.iter().any(|e| e.mismatch.is_some()).then(|| {
        quote! {
            /// Requires that `json` is not accepted as a `T`.
            fn rejected<T>(json: &str)
            where
                T: ::serde::de::DeserializeOwned + ::std::fmt::Debug,
            {
                let value: ::serde_json::Value = ::serde_json::from_str(json).expect("the example is JSON");
                let read = ::serde_json::from_value::<T>(value);
                assert!(read.is_err(), "accepted an example that does not fit: {read:?}");
            }
        }
    });
    let types = (!tested.is_empty()).then(|| {
        quote!(
            use super::types;
        )
    });
    quote! {
        #types

        #round_trip_helper

        #rejected_helper

        #(#tests)*
    }
}
