//! Verification of a whole submission. (Under construction: the attachment
//! checks, the manifest and the CMS signature exist; the report and the one
//! `verify` call follow.)
#![forbid(unsafe_code)]

pub mod attachment;
pub mod codes;
pub mod digest;
pub mod identity;
pub mod manifest;
pub mod signature;
pub mod signer;
