//! Arbitrary bytes as a push receiver's answer body, with every status:
//! classified without a panic; a reception number is taken only when it is
//! short and free of control characters.
#![no_main]

use gateway::delivery::Outcome;
use gateway::delivery::push::classify;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&status, body)) = data.split_first() else { return };
    let status = 100 + u16::from(status) * 2;
    let body: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    if let Outcome::Delivered { reception_number: Some(n), .. } = classify(status, &body) {
        assert!((200..300).contains(&status));
        assert!(!n.is_empty() && n.len() <= 64 && !n.chars().any(char::is_control));
    }
});
