//! Arbitrary bytes as the body of `POST …/decisions` and
//! `POST …/acknowledgement`: parsed, or refused with a pointer that is
//! empty or points into the body — never a panic.
#![no_main]

use gateway::municipal::{AckBody, DecisionBody, parse_body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for result in [
        parse_body::<DecisionBody>(data).map(|_| ()),
        parse_body::<AckBody>(data).map(|_| ()),
    ] {
        if let Err(e) = result {
            assert!(e.pointer.is_empty() || e.pointer.starts_with('/'));
            assert!(!e.what.is_empty());
        }
    }
});
