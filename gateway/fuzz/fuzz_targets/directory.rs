//! Arbitrary text as a municipality directory file: it loads, or every
//! problem names a key and says what is wrong — never a panic.
#![no_main]

use gateway::directory::Directory;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Directory::parse(text, std::path::Path::new("/nonexistent"), "fuzz") {
        Ok(d) => {
            // Routing any code never panics.
            let _ = d.route("131016");
            let _ = d.route(text);
        }
        Err(e) => {
            assert!(!e.problems.is_empty());
            assert!(e.problems.iter().all(|p| !p.key.is_empty() && !p.message.is_empty()));
        }
    }
});
