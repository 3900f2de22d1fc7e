//! A workload's `source`: the folder of manifests it names, and what is wrong with it when it
//! is no such folder. The stack's line is where that is told: the folder itself has no line.

use std::fmt;
use std::path::{Path, PathBuf};

use super::render::tidy;
use crate::quote::quoted;
use crate::stack::types::WorkloadSpec;

/// A manifest folder is a handful of files; a bound keeps a `source` such as `/usr/lib` harmless.
pub const MAX_FILES: usize = 100;

#[derive(Debug)]
pub enum SourceError {
    Missing(PathBuf),
    NotAFolder(PathBuf),
    Unreadable(PathBuf, std::io::Error),
    NoManifests(PathBuf),
    TooMany(PathBuf),
}

impl SourceError {
    pub fn hint(&self) -> Option<String> {
        match self {
            SourceError::Missing(_) | SourceError::NotAFolder(_) => {
                Some("`source` is a folder of *.yaml manifests, relative to the stack file".into())
            }
            SourceError::Unreadable(..) => None,
            SourceError::NoManifests(_) => {
                Some("only *.yaml and *.yml files in the folder itself are read".into())
            }
            SourceError::TooMany(_) => {
                Some("split the workload, or point `source` at the right folder".into())
            }
        }
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |folder: &Path| quoted(&folder.display().to_string()).to_string();
        match self {
            SourceError::Missing(folder) => write!(f, "there is no folder {}", shown(folder)),
            SourceError::NotAFolder(folder) => {
                write!(f, "{} is a file, not a folder of manifests", shown(folder))
            }
            SourceError::Unreadable(folder, e) => {
                write!(f, "cannot read the folder {}: {e}", shown(folder))
            }
            SourceError::NoManifests(folder) => {
                write!(f, "{} holds no *.yaml or *.yml file", shown(folder))
            }
            SourceError::TooMany(folder) => write!(
                f,
                "{} holds more than {MAX_FILES} *.yaml and *.yml files",
                shown(folder)
            ),
        }
    }
}

/// The workload's manifest files, in name order: every `*.yaml` and `*.yml` file directly in
/// its folder (`stack_dir` joined with `source`).
pub fn manifest_files(
    stack_dir: &Path,
    workload: &WorkloadSpec,
) -> Result<Vec<PathBuf>, SourceError> {
    let folder = stack_dir.join(&workload.source);
    let shown = tidy(&folder);
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SourceError::Missing(shown));
        }
        Err(_) if folder.is_file() => return Err(SourceError::NotAFolder(shown)),
        Err(e) => return Err(SourceError::Unreadable(shown, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| SourceError::Unreadable(shown.clone(), e))?
            .path();
        let yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        if yaml && path.is_file() {
            if files.len() == MAX_FILES {
                return Err(SourceError::TooMany(shown));
            }
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(SourceError::NoManifests(shown));
    }
    files.sort();
    Ok(files)
}
