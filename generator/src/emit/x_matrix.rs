//! The `x-matrix` feature of Matrix-dialect crates: the signer, verifier and key stores
//! of `templates/x_matrix.rs`, for APIs whose requests are signed in an `Authorization`
//! header, as Matrix federation's are.

use crate::ir::{Ir, Profile, SecurityKind};

/// The cargo feature that compiles the module.
pub const FEATURE: &str = "x-matrix";

/// The module's source, copied as it stands.
pub const TEMPLATE: &str = stubforge_templates::X_MATRIX;

/// Whether the API signs requests the Matrix way: a Matrix-profile API with a header
/// scheme on `Authorization` (what the server trait's X-Matrix recipe is written for too).
pub fn applies(ir: &Ir) -> bool {
    ir.profile == Profile::Matrix
        && ir.security_schemes.iter().any(
        |scheme| matches!(&scheme.kind, SecurityKind::ApiKeyHeader { header } if header.eq_ignore_ascii_case("authorization")),
    )
}
