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
        let config = aws::load_config(None).await;
        let provider = config
            .credentials_provider()
            .ok_or("no AWS credentials provider is configured")?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| format!("cannot load AWS credentials: {e}"))?;
        let now = SystemTime::now();
        let token = eks_token::token(&args.cluster, &args.region, &credentials, now)?;
        Ok::<_, String>(eks_token::exec_credential(token, now))
    });
    printer.json(&result.map_err(CliError::new)?);
    Ok(Exit::Ok)
}
