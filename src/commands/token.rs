use std::time::SystemTime;

use aws_credential_types::provider::ProvideCredentials;

use super::live;
use crate::cli::TokenArgs;
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::{eks_token, providers::aws};

/// An exec credential on stdout, from the standard credential chain; kubectl calls this.
pub fn run(args: &TokenArgs, printer: &Printer) -> Result<Exit, CliError> {
    let runtime = live::runtime()?;
    let result = runtime.block_on(async {
        let config = aws::load_config(&aws::Settings::default())
            .await
            .map_err(|e| CliError::new(e.message).with_hint(e.hint))?;
        let no_credentials = |why: String| CliError::new(why).with_hint(aws::CREDENTIALS_HINT);
        let provider = config.credentials_provider().ok_or_else(|| {
            no_credentials("no AWS credentials provider is configured".to_string())
        })?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| no_credentials(format!("cannot load AWS credentials: {e}")))?;
        let now = SystemTime::now();
        let token = eks_token::token(&args.cluster, &args.region, &credentials, now)
            .map_err(CliError::new)?;
        Ok::<_, CliError>(eks_token::exec_credential(token, now))
    });
    printer.json(&result?);
    Ok(Exit::Ok)
}
