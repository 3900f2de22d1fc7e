//! The one SDK config every client comes from, and the checks made before it is used: the
//! endpoint URL and the named profile. A mistake in either is told here, by name, instead of as
//! the SDK's error at the first call.

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

use super::endpoint;
use super::profiles::{self, Lookup, ProfileFiles};

/// How the user said to reach AWS (`--endpoint-url`, `--profile`); the environment fills in
/// what is not given.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub endpoint_url: Option<String>,
    pub profile: Option<String>,
}

/// A setting that cannot work, and what to write instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct SetupError {
    pub message: String,
    pub hint: String,
}

/// Checks the settings, then loads the standard credential chain (env, profiles, SSO, ...) once.
pub async fn load_config(settings: &Settings) -> Result<aws_config::SdkConfig, SetupError> {
    check(settings, &|name| std::env::var(name).ok())?;
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        // The SDK retries throttling and transient faults with backoff (3 attempts), but for
        // the creates that must not be repeated blindly (see `ec2::once`); what outlasts it is
        // retried again by the engine's one policy, which knows what a call does.
        .retry_config(RetryConfig::standard())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(std::time::Duration::from_secs(30))
                .build(),
        );
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    Ok(loader.load().await)
}

/// Both checks, against `env` (the process environment, or a test's).
fn check(settings: &Settings, env: &dyn Fn(&str) -> Option<String>) -> Result<(), SetupError> {
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    // The flag wins over the variable; the SDK ignores the variable when told to.
    let ignored =
        set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let endpoint = match &settings.endpoint_url {
        Some(url) => Some((url.clone(), "")),
        None if ignored => None,
        None => set("AWS_ENDPOINT_URL").map(|url| (url, " (from AWS_ENDPOINT_URL)")),
    };
    if let Some((url, from)) = endpoint
        && let Some(problem) = endpoint::problem(&url)
    {
        return Err(SetupError {
            message: format!("the endpoint URL `{url}`{from} {problem}"),
            hint: "--endpoint-url (or AWS_ENDPOINT_URL) takes a whole URL, such as \
                   http://127.0.0.1:5000 for moto on this machine"
                .into(),
        });
    }
    let profile = match &settings.profile {
        Some(name) => Some((name.clone(), "--profile")),
        None => set("AWS_PROFILE").map(|name| (name, "AWS_PROFILE")),
    };
    match profile {
        // Like the aws CLI, a profile asked for by name must exist even when keys in the
        // environment would do: the user meant that account.
        Some((name, from)) => check_profile(&name, from, &ProfileFiles::from_env(env)),
        None => Ok(()),
    }
}

fn check_profile(name: &str, from: &str, files: &ProfileFiles) -> Result<(), SetupError> {
    let Lookup::Missing {
        config,
        credentials,
    } = profiles::lookup(name, files)
    else {
        return Ok(());
    };
    Err(SetupError {
        message: format!(
            "the AWS profile `{name}` (from {from}) is in neither {} ({}) nor {} ({})",
            files.config.display(),
            config.describe(),
            files.credentials.display(),
            credentials.describe(),
        ),
        hint: format!(
            "name a profile that is there (--profile NAME or AWS_PROFILE), or make this one: \
             `aws configure --profile {name}` for access keys, `aws configure sso` for SSO; \
             AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE say where the files are"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_endpoint_is_checked_from_the_flag_or_the_environment() {
        let flag = Settings {
            endpoint_url: Some("localhost:5000".into()),
            profile: None,
        };
        let e = check(&flag, &env_of(vec![])).unwrap_err();
        assert_eq!(
            e.message,
            "the endpoint URL `localhost:5000` has no scheme; write it as http://localhost:5000"
        );
        let from_env = env_of(vec![("AWS_ENDPOINT_URL", "ftp://x".into())]);
        let e = check(&Settings::default(), &from_env).unwrap_err();
        assert!(
            e.message
                .starts_with("the endpoint URL `ftp://x` (from AWS_ENDPOINT_URL) has the scheme"),
            "{}",
            e.message
        );
        // The flag wins, and the SDK can be told to ignore the variable.
        let good = Settings {
            endpoint_url: Some("http://127.0.0.1:5000".into()),
            profile: None,
        };
        assert_eq!(check(&good, &from_env), Ok(()));
        let ignoring = env_of(vec![
            ("AWS_ENDPOINT_URL", "ftp://x".into()),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true".into()),
        ]);
        assert_eq!(check(&Settings::default(), &ignoring), Ok(()));
    }

    #[test]
    fn a_missing_profile_names_the_files_looked_in() {
        let home = tempfile::tempdir().unwrap();
        let home_str = home.path().to_str().unwrap().to_string();
        let env = env_of(vec![
            ("HOME", home_str.clone()),
            ("AWS_PROFILE", "nosuch".into()),
        ]);
        let e = check(&Settings::default(), &env).unwrap_err();
        assert_eq!(
            e.message,
            format!(
                "the AWS profile `nosuch` (from AWS_PROFILE) is in neither \
                 {home_str}/.aws/config (not there) nor {home_str}/.aws/credentials (not there)"
            )
        );
        assert!(
            e.hint.contains("aws configure --profile nosuch"),
            "{}",
            e.hint
        );
        std::fs::create_dir(home.path().join(".aws")).unwrap();
        std::fs::write(home.path().join(".aws/config"), "[profile dev]\n").unwrap();
        let flag = Settings {
            endpoint_url: None,
            profile: Some("prod".into()),
        };
        let e = check(&flag, &env).unwrap_err();
        assert!(
            e.message.contains("`prod` (from --profile)"),
            "{}",
            e.message
        );
        assert!(e.message.contains("(profiles dev)"), "{}", e.message);
        let dev = Settings {
            endpoint_url: None,
            profile: Some("dev".into()),
        };
        assert_eq!(check(&dev, &env), Ok(()));
        // No profile named: nothing to check (the default one may well be absent).
        assert_eq!(check(&Settings::default(), &env_of(vec![])), Ok(()));
    }
}
