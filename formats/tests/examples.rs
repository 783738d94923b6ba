//! The documented examples: `examples/notification.json` validates clean and
//! builds a record; every row of the table in `examples/README.md` yields
//! exactly the codes it lists.

use formats::{ValidationContext, check_notification};
use std::path::Path;
use time::macros::datetime;

fn ctx() -> ValidationContext {
    ValidationContext::online(datetime!(2026-11-26 10:00 +09:00))
}

fn examples_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"))
}

#[test]
fn valid_example_is_clean_and_builds_a_record() {
    let bytes = std::fs::read(examples_dir().join("notification.json")).expect("example exists");
    let check = check_notification(&bytes, &ctx());
    assert_eq!(check.problems, vec![]);
    let record = check.record.expect("record built");
    assert_eq!(record.child.relationship, "長男");
    assert_eq!(record.receiving_municipality.name, "東京都千代田区");
}

/// Expands `` `a` ×2, `b` `` into `["a", "a", "b"]`.
fn expand(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    for item in cell.split(", ") {
        let item = item.trim();
        let (code, times) = match item.split_once(" ×") {
            Some((c, n)) => (c, n.parse::<usize>().expect("count after ×")),
            None => (item, 1),
        };
        let code = code.trim_matches('`').to_owned();
        out.extend(std::iter::repeat_n(code, times));
    }
    out.sort();
    out
}

#[test]
fn invalid_examples_yield_their_documented_codes() {
    let readme = std::fs::read_to_string(examples_dir().join("README.md")).expect("README exists");
    let rows: Vec<(String, Vec<String>)> = readme
        .lines()
        .filter(|l| l.starts_with("| `invalid/"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells[0].trim_matches('`').to_owned(), expand(cells[1]))
        })
        .collect();
    let on_disk = std::fs::read_dir(examples_dir().join("invalid"))
        .expect("dir")
        .count();
    assert_eq!(rows.len(), on_disk, "every invalid example is documented");
    assert!(rows.len() >= 5);
    for (file, expected) in rows {
        let bytes = std::fs::read(examples_dir().join(&file)).expect("listed file exists");
        let check = check_notification(&bytes, &ctx());
        assert!(check.record.is_none(), "{file} must not build a record");
        let mut got: Vec<String> = check.problems.into_iter().map(|p| p.code).collect();
        got.sort();
        assert_eq!(got, expected, "{file}");
    }
}
