//! The `birthgate-devpki` command line: usage errors are clear and exit 2;
//! a run writes the PKI where asked.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_birthgate-devpki"))
        .args(args)
        .output()
        .expect("binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn usage_errors_exit_2_with_a_reason() {
    let cases: [(&[&str], &str); 6] = [
        (&[], "--out DIR is required"),
        (&["--out"], "--out needs a value"),
        (
            &["--out", "x", "--seed", "abc"],
            "--seed must be 64 hex digits",
        ),
        (
            &["--out", "x", "--time", "yesterday"],
            "--time \"yesterday\"",
        ),
        (
            &["--out", "x", "--fixture", "--seed", &"0".repeat(64)],
            "--fixture cannot be combined",
        ),
        (&["--frobnicate"], "unknown argument \"--frobnicate\""),
    ];
    for (args, reason) in cases {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty(), "{args:?}");
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
        assert!(
            stderr.contains("usage: birthgate-devpki --out DIR"),
            "{args:?}: {stderr}"
        );
    }
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("usage: birthgate-devpki"));
}

#[test]
fn writes_a_pki_for_a_given_time_and_seed() {
    let dir = std::env::temp_dir().join(format!("certs-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.to_str().expect("utf-8 path");
    let seed = "01".repeat(32);
    let (code, stdout, stderr) = run(&[
        "--out",
        out,
        "--time",
        "2030-01-02T03:04:05Z",
        "--seed",
        &seed,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.trim(), format!("wrote 82 files to {out}"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("pki.json")).expect("pki.json"))
            .expect("json");
    assert_eq!(manifest["reference_time"], "2030-01-02T03:04:05Z");
    assert_eq!(manifest["seed"], seed);
    assert!(dir.join("tls/gateway-server.key.pem").is_file());
    assert!(dir.join("README.md").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}
