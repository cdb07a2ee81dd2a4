#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod alg;
pub mod binding;
pub mod cache;
pub mod claims;
pub mod decode;
pub mod dpop;
pub mod error;
pub mod explain;
mod json;
pub mod jwk;
pub mod policy;
pub mod verify;

#[cfg(feature = "wasm")]
#[doc(hidden)]
pub mod wasm;

pub use alg::{Algorithm, BackendVerdict, BuiltinBackend, SignatureBackend};
pub use binding::{Confirmation, Presentation, Scheme, SenderConstraint};
pub use cache::{CacheStats, CachingVerifier};
pub use claims::{Claims, TimeWindow};
pub use decode::{decode, Header, TokenWarning, UnverifiedToken};
pub use dpop::{DpopProof, DpopRequest};
pub use error::{ConfigError, Error, ErrorCode};
pub use explain::{Check, CheckStatus, Explanation};
pub use jwk::{Jwk, Jwks, LintCode, LintWarning};
pub use policy::Policy;
pub use verify::{DeferredSignature, Outcome, Verified, Verifier};
