#![no_std]
#![forbid(unsafe_code)]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod alg;
pub mod error;
pub mod jwk;

pub use alg::Algorithm;
pub use error::{ConfigError, Error, ErrorCode};
pub use jwk::{Jwk, Jwks, LintCode, LintWarning};
#[cfg(feature = "wasm")]
mod wasm;
