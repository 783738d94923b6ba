//! A `birthgate serve` child process for the tests that need the real
//! binary: its own process to SIGKILL, its own stderr to read.
//!
//! The binary is `<target>/release/birthgate` (CI builds it first); when it
//! is missing, the first test that needs it builds it with the same cargo
//! that runs the tests, so `cargo test --workspace` works from a clean
//! clone. Every child is killed when its [`ServedGateway`] is dropped, so a
//! failing assertion leaves no server behind.
#![allow(
    dead_code,
    reason = "shared by several test binaries, each using a part of it"
)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use gateway::client::{Client, SendOptions, Signer};

/// How long a first start may take (it generates the dev PKI).
const START_TIMEOUT: Duration = Duration::from_secs(180);
/// How long a graceful stop may take.
const STOP_TIMEOUT: Duration = Duration::from_secs(40);

/// Serialises the "build when missing" step between tests of one binary.
static BUILD: Mutex<()> = Mutex::new(());

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The release `birthgate` binary, built first when missing.
pub(crate) fn release_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| {
            if t.is_relative() {
                workspace().join(t)
            } else {
                t
            }
        })
        .unwrap_or_else(|| workspace().join("target"));
    let binary = target
        .join("release")
        .join(format!("birthgate{}", std::env::consts::EXE_SUFFIX));
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if !binary.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--bin", "birthgate"])
            .current_dir(workspace())
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build --release: {status}");
    }
    assert!(binary.exists(), "{} missing after build", binary.display());
    binary
}

/// A port that was free a moment ago on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// One running `birthgate serve`.
pub(crate) struct ServedGateway {
    child: Option<Child>,
    /// The data directory (store, dev PKI).
    pub(crate) data_dir: PathBuf,
    /// `https://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// Where the child's stderr (the log) goes.
    pub(crate) stderr_path: PathBuf,
    /// Where the child's stdout (the start-up banner) goes.
    pub(crate) stdout_path: PathBuf,
}

impl ServedGateway {
    /// Starts `birthgate serve` on `data_dir`, with `env` added to its
    /// environment, and waits until `/healthz` answers 200. `name` labels
    /// the captured output files (kept in `data_dir`'s parent).
    pub(crate) async fn start(data_dir: &Path, name: &str, env: &[(&str, &str)]) -> Self {
        let binary = tokio::task::spawn_blocking(release_binary)
            .await
            .expect("build task");
        let port = free_port();
        let logs = data_dir.parent().expect("data dir has a parent");
        let stderr_path = logs.join(format!("{name}.stderr"));
        let stdout_path = logs.join(format!("{name}.stdout"));
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(File::create(&stdout_path).expect("stdout file"))
            .stderr(File::create(&stderr_path).expect("stderr file"));
        // The child's settings come only from the flags and `env`.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("BIRTHGATE_") {
                command.env_remove(k);
            }
        }
        command.envs(env.iter().copied());
        let child = command.spawn().expect("spawn birthgate serve");
        let mut served = Self {
            child: Some(child),
            data_dir: data_dir.to_path_buf(),
            url: format!("https://127.0.0.1:{port}"),
            stderr_path,
            stdout_path,
        };
        served.wait_healthy().await;
        served
    }

    /// The PEM of the CA of the server's TLS certificate.
    pub(crate) fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.data_dir.join("pki/tls/ca.pem")).expect("pki/tls/ca.pem")
    }

    /// The dev notifier (the father of `examples/notification.json`).
    pub(crate) fn signer(&self) -> Signer {
        let jpki = self.data_dir.join("pki/jpki");
        Signer::from_files(
            &jpki.join("notifier.pem"),
            &jpki.join("notifier.key.pem"),
            &[],
        )
        .expect("dev notifier")
    }

    /// A client of this gateway, each request bounded by 60 s.
    pub(crate) fn client(&self) -> Client {
        Client::new(&self.url, &self.ca_pem())
            .expect("client")
            .with_timeout(Duration::from_secs(60))
    }

    /// What the child wrote to stderr so far.
    pub(crate) fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    async fn wait_healthy(&mut self) {
        let started = Instant::now();
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "birthgate serve exited during start-up ({status}):\n{}",
                    self.stderr()
                );
            }
            if self.data_dir.join("pki/tls/ca.pem").exists()
                && let Ok(client) = Client::new(&self.url, &self.ca_pem())
                && let Ok(Ok(answer)) = tokio::time::timeout(
                    Duration::from_secs(5),
                    client.get("/healthz", &SendOptions::default()),
                )
                .await
                && answer.status == 200
            {
                return;
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "no /healthz within {START_TIMEOUT:?}:\n{}",
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: no shutdown code runs, nothing is flushed.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // On Unix, `Child::kill` sends SIGKILL.
            child.kill().expect("SIGKILL");
            let _ = child.wait();
        }
    }

    /// SIGTERM, then waits (bounded) for the graceful exit.
    pub(crate) async fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM: {status}");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            if started.elapsed() > STOP_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("birthgate serve did not stop within {STOP_TIMEOUT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ServedGateway {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
