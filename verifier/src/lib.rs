//! Verification of a whole submission. (Under construction: the attachment
//! checks come first; manifest, CMS signature and the report follow.)
#![forbid(unsafe_code)]

pub mod attachment;
