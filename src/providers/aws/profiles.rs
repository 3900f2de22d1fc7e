//! Whether a named AWS profile exists, checked before any call: asked for a profile that is in
//! neither shared file, the SDK says only "no providers in chain provided credentials" (or
//! "profile file credentials provider initialization error already taken") at the first request.

use std::path::{Path, PathBuf};

/// The two shared files a profile can be in, where the SDK looks for them.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileFiles {
    pub config: PathBuf,
    pub credentials: PathBuf,
}

impl ProfileFiles {
    /// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and
    /// `~/.aws/credentials`; `~` is the home folder, as the SDK expands it.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let home = env("HOME").filter(|h| !h.is_empty());
        let path = |var: &str, default: &str| {
            let given = env(var).filter(|p| !p.is_empty());
            let text = given.unwrap_or_else(|| format!("~/.aws/{default}"));
            match (text.strip_prefix("~/"), &home) {
                (Some(rest), Some(home)) => Path::new(home).join(rest),
                _ => PathBuf::from(text),
            }
        };
        ProfileFiles {
            config: path("AWS_CONFIG_FILE", "config"),
            credentials: path("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        }
    }
}

/// What the files say about one profile name.
#[derive(Debug, PartialEq)]
pub enum Lookup {
    Found,
    /// Not in either file: what each file is (its profiles, or why none were read).
    Missing {
        config: FileState,
        credentials: FileState,
    },
}

#[derive(Debug, PartialEq)]
pub enum FileState {
    Absent,
    Unreadable(String),
    Profiles(Vec<String>),
}

impl FileState {
    fn read(path: &Path, in_config: bool) -> Self {
        match std::fs::read_to_string(path) {
            Ok(text) => FileState::Profiles(profile_names(&text, in_config)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileState::Absent,
            Err(e) => FileState::Unreadable(e.to_string()),
        }
    }

    fn names(&self) -> &[String] {
        match self {
            FileState::Profiles(p) => p,
            _ => &[],
        }
    }

    /// `(not there)`, `(unreadable: …)`, `(no profiles)` or `(profiles a, b)`.
    pub fn describe(&self) -> String {
        match self {
            FileState::Absent => "not there".into(),
            FileState::Unreadable(why) => format!("unreadable: {why}"),
            FileState::Profiles(p) if p.is_empty() => "no profiles".into(),
            FileState::Profiles(p) => format!("profiles {}", p.join(", ")),
        }
    }
}

/// Looks `name` up in both files.
pub fn lookup(name: &str, files: &ProfileFiles) -> Lookup {
    let config = FileState::read(&files.config, true);
    let credentials = FileState::read(&files.credentials, false);
    if config
        .names()
        .iter()
        .chain(credentials.names())
        .any(|n| n == name)
    {
        Lookup::Found
    } else {
        Lookup::Missing {
            config,
            credentials,
        }
    }
}

/// The profiles a shared file defines, in order, once each: `[profile NAME]` or `[default]` in
/// the config file, `[NAME]` in the credentials file. Other config sections (`[sso-session x]`,
/// `[services x]`) are not profiles, and neither is a bare `[NAME]` in the config file, which the
/// SDK ignores.
pub fn profile_names(text: &str, in_config: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(inner) = line.strip_prefix('[').and_then(|l| l.split_once(']')) else {
            continue;
        };
        let section = inner.0.trim();
        let name = if !in_config || section == "default" {
            Some(section)
        } else {
            section
                .strip_prefix("profile")
                .filter(|rest| rest.starts_with(char::is_whitespace))
                .map(str::trim)
        };
        if let Some(name) = name.filter(|n| !n.is_empty())
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_profile_sections_of_each_file() {
        let config = "[default]\nregion = us-east-1\n\n[profile dev]\nsso_session = corp\n\
                      [ profile  ops ] ; a comment\n[sso-session corp]\n[services local]\n\
                      [bare]\n# [profile commented]\n[profile dev]\n";
        assert_eq!(profile_names(config, true), ["default", "dev", "ops"]);
        let credentials = "[default]\naws_access_key_id = x\n[ci]\n[profile odd]\n";
        assert_eq!(
            profile_names(credentials, false),
            ["default", "ci", "profile odd"]
        );
    }

    #[test]
    fn the_files_come_from_the_environment_or_home() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let files = ProfileFiles::from_env(&env(&[("HOME", "/h")]));
        assert_eq!(files.config, Path::new("/h/.aws/config"));
        assert_eq!(files.credentials, Path::new("/h/.aws/credentials"));
        let files = ProfileFiles::from_env(&env(&[
            ("HOME", "/h"),
            ("AWS_CONFIG_FILE", "~/elsewhere/c"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/abs/k"),
        ]));
        assert_eq!(files.config, Path::new("/h/elsewhere/c"));
        assert_eq!(files.credentials, Path::new("/abs/k"));
    }

    #[test]
    fn looks_a_name_up_in_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = ProfileFiles {
            config: dir.path().join("config"),
            credentials: dir.path().join("credentials"),
        };
        std::fs::write(&files.credentials, "[ci]\n").unwrap();
        assert_eq!(lookup("ci", &files), Lookup::Found);
        let Lookup::Missing {
            config,
            credentials,
        } = lookup("nosuch", &files)
        else {
            panic!("nosuch was found");
        };
        assert_eq!(config, FileState::Absent);
        assert_eq!(credentials.describe(), "profiles ci");
    }
}
