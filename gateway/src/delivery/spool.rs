//! Spool delivery: one directory per filing, `<root>/<code>/<filing id>/`,
//! that appears whole or not at all.
//!
//! The package is written into `<root>/.staging/<filing id>.<random>/`
//! (same file system), every file fsynced, `package.json` last, the staging
//! directory fsynced, then renamed into `<root>/<code>/` and that directory
//! fsynced. `rename(2)` of a directory is atomic, so a reader listing
//! `<root>/<code>/` sees either nothing or the complete package; the
//! `.staging` directory is outside every municipality's directory.
//!
//! A filing whose directory is already in place (a crash after the rename,
//! before the store recorded the delivery) is not written again: the
//! existing directory is complete by construction, and the delivery is
//! recorded as done. Leftover staging directories of crashed attempts are
//! removed before a new attempt of the same filing.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::package::Package;

/// Why a spool write failed (retried with backoff).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpoolError {
    /// A file-system operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// On what.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

fn io<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> SpoolError + 'a {
    move |source| SpoolError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

fn sync_dir(dir: &Path) -> Result<(), SpoolError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("fsync directory", dir))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), SpoolError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io("create directory", parent))?;
    }
    let mut f = File::create(path).map_err(io("create", path))?;
    f.write_all(bytes).map_err(io("write", path))?;
    f.sync_all().map_err(io("fsync", path))
}

/// What a spool write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpoolOutcome {
    /// Written now, at this path.
    Written(PathBuf),
    /// Already in place from an earlier attempt.
    AlreadyPresent(PathBuf),
}

/// Writes `package` under `root` atomically (see the module docs).
pub fn write(root: &Path, package: &Package) -> Result<SpoolOutcome, SpoolError> {
    let municipality_dir = root.join(&package.municipality);
    let target = municipality_dir.join(&package.filing_id);
    if target.join("package.json").is_file() {
        return Ok(SpoolOutcome::AlreadyPresent(target));
    }
    let staging_root = root.join(".staging");
    fs::create_dir_all(&staging_root).map_err(io("create directory", &staging_root))?;
    fs::create_dir_all(&municipality_dir).map_err(io("create directory", &municipality_dir))?;
    // Remove what a crashed attempt of this filing left behind.
    if let Ok(entries) = fs::read_dir(&staging_root) {
        let prefix = format!("{}.", package.filing_id);
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    let suffix = crate::ids::new_token()
        .map(|t| t[..12].to_owned())
        .unwrap_or_else(|| std::process::id().to_string());
    let staging = staging_root.join(format!("{}.{suffix}", package.filing_id));
    fs::create_dir(&staging).map_err(io("create directory", &staging))?;
    let mut dirs = vec![staging.clone()];
    for f in &package.files {
        let path = staging.join(&f.path);
        write_file(&path, &f.bytes)?;
        if let Some(parent) = path.parent()
            && !dirs.iter().any(|d| d == parent)
        {
            dirs.push(parent.to_path_buf());
        }
    }
    write_file(&staging.join("package.json"), &package.index)?;
    // Sub-directories first, then the package directory itself.
    for d in dirs.iter().rev() {
        sync_dir(d)?;
    }
    match fs::rename(&staging, &target) {
        Ok(()) => {}
        Err(_) if target.join("package.json").is_file() => {
            // Another writer (a second gateway on the same spool) won.
            let _ = fs::remove_dir_all(&staging);
            return Ok(SpoolOutcome::AlreadyPresent(target));
        }
        Err(e) => return Err(io("rename into", &target)(e)),
    }
    sync_dir(&municipality_dir)?;
    sync_dir(&staging_root)?;
    Ok(SpoolOutcome::Written(target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::package::PackageFile;

    fn package(id: &str) -> Package {
        Package {
            filing_id: id.to_owned(),
            municipality: "131016".to_owned(),
            index: b"{\"files\":[]}".to_vec(),
            files: vec![PackageFile {
                path: "original/certificate-1.jpg".to_owned(),
                role: "original",
                part: Some("certificate-1".to_owned()),
                media_type: "image/jpeg".to_owned(),
                bytes: vec![7; 1000],
            }],
        }
    }

    #[test]
    fn writes_whole_directory_and_leaves_no_staging() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = write(dir.path(), &package("bg-a")).expect("write");
        let target = dir.path().join("131016/bg-a");
        assert_eq!(out, SpoolOutcome::Written(target.clone()));
        assert_eq!(
            fs::read(target.join("original/certificate-1.jpg")).expect("file"),
            vec![7; 1000]
        );
        assert!(target.join("package.json").is_file());
        assert_eq!(
            fs::read_dir(dir.path().join(".staging"))
                .expect("staging")
                .count(),
            0
        );
    }

    #[test]
    fn second_write_is_recognised_and_crash_leftovers_are_removed() {
        let dir = tempfile::tempdir().expect("tmp");
        let leftover = dir.path().join(".staging/bg-b.crashed");
        fs::create_dir_all(&leftover).expect("leftover");
        write(dir.path(), &package("bg-b")).expect("write");
        assert!(!leftover.exists(), "crash leftover not removed");
        let again = write(dir.path(), &package("bg-b")).expect("write again");
        assert!(matches!(again, SpoolOutcome::AlreadyPresent(_)));
    }

    #[test]
    fn unwritable_root_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("not-a-dir");
        fs::write(&file, b"x").expect("file");
        let err = write(&file, &package("bg-c")).expect_err("must fail");
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }
}
