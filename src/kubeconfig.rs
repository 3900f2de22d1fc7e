//! Writing the stack's clusters into a kubeconfig: one cluster, user and context per EKS
//! cluster, the user's credential being `multiregion token` (an exec plugin, so no aws CLI).
//! Existing entries of other clusters are kept; the file is replaced atomically.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};

use crate::yaml;

/// Where a stack's cluster lives and how to trust it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterAccess {
    pub name: String,
    pub region: String,
    pub endpoint: String,
    /// Base64 PEM, as EKS returns it.
    pub certificate_authority: String,
}

/// `--kubeconfig`, else the first file of `$KUBECONFIG`, else `~/.kube/config`.
pub fn path(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(list) = std::env::var_os("KUBECONFIG")
        && let Some(first) = std::env::split_paths(&list).find(|p| !p.as_os_str().is_empty())
    {
        return Some(first);
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".kube").join("config"))
}

/// Reads an existing kubeconfig; a missing file is an empty one, a malformed one an error
/// (it is never overwritten).
pub fn read(path: &Path) -> Result<Option<Json>, String> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut text = String::new();
    file.take(16 * 1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let docs = yaml::parse_documents(&text)
        .map_err(|e| format!("{}:{}: {}", path.display(), e.pos, e.message))?;
    match docs.first().map(yaml::to_json) {
        None | Some(Json::Null) => Ok(None),
        Some(doc @ Json::Object(_)) => Ok(Some(doc)),
        Some(_) => Err(format!(
            "{} is not a kubeconfig (not a mapping)",
            path.display()
        )),
    }
}

/// Adds or replaces the stack's entries by name; everything else stays as it was.
/// Fails, changing nothing, when an existing list is not a list.
pub fn merge(
    existing: Option<Json>,
    clusters: &[ClusterAccess],
    exe: &str,
) -> Result<Json, String> {
    let mut config = existing
        .unwrap_or_else(|| json!({"apiVersion": "v1", "kind": "Config", "preferences": {}}));
    for c in clusters {
        let user = format!("multiregion-{}", c.name);
        upsert(
            &mut config,
            "clusters",
            &c.name,
            json!({"server": c.endpoint, "certificate-authority-data": c.certificate_authority}),
            "cluster",
        )?;
        upsert(
            &mut config,
            "users",
            &user,
            json!({"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": exe,
                "args": ["token", "--cluster", c.name, "--region", c.region],
                "interactiveMode": "Never",
            }}),
            "user",
        )?;
        upsert(
            &mut config,
            "contexts",
            &c.name,
            json!({"cluster": c.name, "user": user}),
            "context",
        )?;
    }
    let no_current = config
        .get("current-context")
        .and_then(Json::as_str)
        .is_none_or(str::is_empty);
    if let (true, Some(first)) = (no_current, clusters.first()) {
        config["current-context"] = json!(first.name);
    }
    Ok(config)
}

fn upsert(
    config: &mut Json,
    list: &str,
    name: &str,
    body: Json,
    body_key: &str,
) -> Result<(), String> {
    if config.get(list).is_none_or(Json::is_null) {
        config[list] = json!([]);
    }
    let entry = json!({"name": name, body_key: body});
    let items = config[list]
        .as_array_mut()
        .ok_or_else(|| format!("`{list}` in the kubeconfig is not a list; not touching it"))?;
    match items.iter_mut().find(|i| i["name"] == name) {
        Some(existing) => *existing = entry,
        None => items.push(entry),
    }
    Ok(())
}

/// Writes the kubeconfig whole, readable by the owner only (it names credentials).
pub fn write(path: &Path, config: &Json) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    crate::files::write_whole(path, &yaml::to_yaml(config), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(name: &str, region: &str) -> ClusterAccess {
        ClusterAccess {
            name: name.into(),
            region: region.into(),
            endpoint: format!("https://{name}.example"),
            certificate_authority: "Q0E=".into(),
        }
    }

    #[test]
    fn merges_by_name_and_keeps_other_clusters() {
        let existing = json!({
            "apiVersion": "v1", "kind": "Config", "current-context": "kind-dev",
            "clusters": [{"name": "kind-dev", "cluster": {"server": "https://127.0.0.1:6443"}}, {"name": "c1", "cluster": {"server": "https://old"}}],
            "contexts": [{"name": "kind-dev", "context": {"cluster": "kind-dev", "user": "kind-dev"}}],
            "users": [{"name": "kind-dev", "user": {"token": "x"}}]
        });
        let merged = merge(
            Some(existing),
            &[access("c1", "us-east-1"), access("c2", "us-west-2")],
            "/usr/bin/multiregion",
        )
        .unwrap();
        let clusters = merged["clusters"].as_array().unwrap();
        assert_eq!(clusters.len(), 3, "kind-dev kept, c1 replaced, c2 added");
        assert_eq!(clusters[1]["cluster"]["server"], "https://c1.example");
        assert_eq!(
            merged["current-context"], "kind-dev",
            "the user's choice stays"
        );
        let user = merged["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == "multiregion-c2")
            .unwrap();
        assert_eq!(
            user["user"]["exec"]["args"],
            json!(["token", "--cluster", "c2", "--region", "us-west-2"])
        );
        assert_eq!(merged["contexts"][2]["context"]["user"], "multiregion-c2");
    }

    #[test]
    fn writes_a_file_that_reads_back_and_refuses_to_clobber_a_broken_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/config");
        let config = merge(None, &[access("c1", "us-east-1")], "/bin/multiregion").unwrap();
        let odd = json!({"apiVersion": "v1", "users": "not a list"});
        assert!(
            merge(Some(odd), &[access("c1", "us-east-1")], "/bin/multiregion")
                .unwrap_err()
                .contains("`users`")
        );
        write(&path, &config).unwrap();
        assert_eq!(read(&path).unwrap(), Some(config.clone()));
        assert_eq!(config["current-context"], "c1");
        std::fs::write(&path, "clusters: [unclosed\n").unwrap();
        assert!(read(&path).unwrap_err().contains("YAML syntax error"));
        assert_eq!(read(&dir.path().join("absent")).unwrap(), None);
    }
}
