//! Constructors of structs (see `ir::types::constructors` for which one a struct gets):
//! `new` taking the required members, or a builder with a setter per member. Arguments
//! take `impl Into<T>`, so that `Error::new("M_FORBIDDEN")` needs no `.to_string()`.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{ident, type_tokens};
use crate::ir::{Constructor, ExtraMembers, Field, StructDef, TypeDef};

/// The `impl` block with `new` or `builder`, and the builder struct; nothing for a
/// struct that derives `Default`.
pub fn emit_constructor(def: &TypeDef, s: &StructDef, missing_field: Option<&str>) -> TokenStream {
    match &s.constructor {
        Constructor::Default => TokenStream::new(),
        Constructor::New => emit_new(def, s),
        Constructor::Builder { name, setters } => match missing_field {
            Some(error) => emit_builder(def, s, name, setters, error),
            None => TokenStream::new(),
        },
    }
}

/// The Rust type a field holds, `Option`s included.
fn held_type(field: &Field) -> TokenStream {
    let ty = type_tokens(&field.ty);
    match (field.required, field.nullable) {
        (false, true) => quote!(Option<Option<#ty>>),
        (false, false) | (true, true) => quote!(Option<#ty>),
        (true, false) => ty,
    }
}

fn extra_init(s: &StructDef) -> TokenStream {
    match &s.extra {
        ExtraMembers::Rejected => TokenStream::new(),
        ExtraMembers::Kept { field, .. } => {
            let field = ident(field);
            quote!(#field: ::core::default::Default::default(),)
        }
    }
}

fn emit_new(def: &TypeDef, s: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = format!(
        " Makes a `{}` of the members the definition requires; the others are left out{}.",
        def.name,
        match s.extra {
            ExtraMembers::Rejected => "",
            ExtraMembers::Kept { .. } => ", and no member it does not name",
        }
    );
    let required: Vec<&Field> = s.fields.iter().filter(|f| f.required).collect();
    let args = required.iter().map(|f| {
        let arg = ident(&f.rust_name);
        let ty = held_type(f);
        quote!(#arg: impl ::core::convert::Into<#ty>)
    });
    let inits = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        if f.required {
            quote!(#field: ::core::convert::Into::into(#field),)
        } else {
            quote!(#field: ::core::option::Option::None,)
        }
    });
    let extra = extra_init(s);
    quote! {
        impl #name {
            #[doc = #doc]
            pub fn new(#(#args),*) -> Self {
                Self {
                    #(#inits)*
                    #extra
                }
            }
        }
    }
}

fn emit_builder(def: &TypeDef, s: &StructDef, builder: &str, setters: &[String], error: &str) -> TokenStream {
    let name = ident(&def.name);
    let type_name = &def.name;
    let builder_ident = ident(builder);
    let error = ident(error);
    let summary = format!(
        " Builds a `{}`: set each member by name, then `build`, which fails when a required one is not set.",
        def.name
    );
    let builder_doc = format!(" A `{}` being built; see [`{}::builder`].", def.name, def.name);
    let slots = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let ty = type_tokens(&f.ty);
        let held = if f.nullable {
            quote!(Option<Option<#ty>>)
        } else {
            quote!(Option<#ty>)
        };
        quote!(#field: #held,)
    });
    let setter_fns = s.fields.iter().zip(setters).map(|(f, setter)| {
        let field = ident(&f.rust_name);
        let setter = ident(setter);
        let ty = type_tokens(&f.ty);
        let arg = if f.nullable { quote!(Option<#ty>) } else { quote!(#ty) };
        let doc = format!(
            " Sets `{}`{}.",
            f.wire_name,
            if f.required { " (required)" } else { "" }
        );
        quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: impl ::core::convert::Into<#arg>) -> Self {
                self.#field = ::core::option::Option::Some(::core::convert::Into::into(value));
                self
            }
        }
    });
    let takes = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let wire = &f.wire_name;
        if f.required {
            quote!(#field: self.#field.ok_or(#error { type_name: #type_name, member: #wire })?,)
        } else {
            quote!(#field: self.#field,)
        }
    });
    let extra = extra_init(s);
    let lints = setter_lints(setters);
    quote! {
        impl #name {
            #[doc = #summary]
            pub fn builder() -> #builder_ident {
                ::core::default::Default::default()
            }
        }

        #[doc = #builder_doc]
        #[derive(Debug, Clone, Default)]
        #[must_use]
        pub struct #builder_ident {
            #(#slots)*
        }

        #lints
        impl #builder_ident {
            #(#setter_fns)*

            /// The finished value; an error naming the first required member not set.
            pub fn build(self) -> Result<#name, #error> {
                ::core::result::Result::Ok(#name {
                    #(#takes)*
                    #extra
                })
            }
        }
    }
}

/// The names of the operator traits' methods, which take `self` and one argument as a
/// setter does: clippy's `should_implement_trait` reads a setter of that name (a member
/// `sub`, the subject of a token, is common) as a missed trait implementation.
const OPERATOR_METHODS: [&str; 10] = [
    "add", "bitand", "bitor", "bitxor", "div", "mul", "rem", "shl", "shr", "sub",
];

/// The lint allowed on a builder whose setters, named after the definition's members,
/// include an operator trait's method name; nothing otherwise.
fn setter_lints(setters: &[String]) -> TokenStream {
    if setters.iter().any(|s| OPERATOR_METHODS.contains(&s.as_str())) {
        quote!(#[allow(clippy::should_implement_trait)])
    } else {
        TokenStream::new()
    }
}

/// The error of builders' `build`.
pub fn emit_missing_field(name: &str) -> TokenStream {
    let name = ident(name);
    quote! {
        /// A builder's `build` was called before a member the definition requires was set.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct #name {
            /// The type being built.
            pub type_name: &'static str,
            /// The member, as on the wire.
            pub member: &'static str,
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                write!(f, "`{}` needs its member `{}`", self.type_name, self.member)
            }
        }

        impl ::std::error::Error for #name {}
    }
}
