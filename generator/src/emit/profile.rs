//! What the dialect profile changes in emitted code: the router's default error body and
//! the words the docs use for what the router answers by itself. The profile itself is
//! decided in `ir`; this module only reads it.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Ir, Profile};

/// The API trait's `error_response`: the one hook for every error the router answers
/// by itself, with the profile's default body.
pub fn error_response_method(ir: &Ir, rt: &TokenStream) -> TokenStream {
    let (format, render) = match ir.profile {
        Profile::Matrix => (
            r#" The default writes a Matrix error body, `{"errcode": "M_…", "error": "…"}`;"#,
            quote!(#rt::matrix_error_response(error)),
        ),
        Profile::Standard => (
            " The default writes an RFC 9457 problem body (`application/problem+json`);",
            quote!(#rt::problem_response(error)),
        ),
    };
    quote! {
        /// Renders every error the router answers by itself (unknown path, bad
        /// parameters or body, missing or rejected credentials, a panicking handler).
        #[doc = #format]
        /// override it to change the wording or the format in one place.
        fn error_response(&self, error: &#rt::ServerError) -> ::axum::response::Response {
            #render
        }
    }
}

/// A status the router answers by itself, as the docs name it: with its Matrix error
/// code for a Matrix API (401 `M_UNAUTHORIZED`), the bare status otherwise.
pub fn status(ir: &Ir, status: u16, errcode: &str) -> String {
    match ir.profile {
        Profile::Matrix => format!("{status} `{errcode}`"),
        Profile::Standard => status.to_string(),
    }
}

/// What the principal usually is, said in the API's own world.
pub fn principal_example(ir: &Ir) -> &'static str {
    match ir.profile {
        Profile::Matrix => "for Matrix federation: the origin server's name",
        Profile::Standard => "a user, an account or a client, whatever `authenticate` finds",
    }
}

/// A base URL for the client's docs.
pub fn example_base_url(ir: &Ir) -> &'static str {
    match ir.profile {
        Profile::Matrix => "https://matrix.example.org:8448",
        Profile::Standard => "https://api.example.com",
    }
}
