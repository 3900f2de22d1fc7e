//! Files written whole or not at all.

use std::path::Path;

/// Writes `text` to `path` through a temporary file beside it and a rename, so that a reader
/// never sees half a file and a failure leaves the old one as it was. `owner_only` makes the
/// file readable by its owner alone (credentials, kubeconfigs).
pub fn write_whole(path: &Path, text: &str, owner_only: bool) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temporary, text).and_then(|()| {
        #[cfg(unix)]
        if owner_only {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600))?;
        }
        #[cfg(not(unix))]
        let _ = owner_only;
        std::fs::rename(&temporary, path)
    });
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write {}: {e}", path.display())
    })
}
