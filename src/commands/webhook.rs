//! `webhook serve`: the receiver bound, its events printed (a line of text or of JSON each)
//! and forwarded, until Ctrl-C (exit 130) or `--max-events` (exit 0).

use std::sync::Arc;

use super::live;
use crate::cli::{Output, WebhookArgs, WebhookCommand, WebhookServeArgs};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::webhook::event::Forward;
use crate::webhook::{Config, HttpFetch, State, server};

pub fn run(args: &WebhookArgs, printer: &Printer) -> Result<Exit, CliError> {
    match &args.command {
        WebhookCommand::Serve(args) => serve(args, printer),
    }
}

fn serve(args: &WebhookServeArgs, printer: &Printer) -> Result<Exit, CliError> {
    let endpoint_url = endpoint(args)?;
    let valid = super::load_stack(&args.stack)?;
    super::tell_warnings(&valid, printer);
    let runtime = live::runtime()?;
    let account = match &args.account {
        Some(id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => id.clone(),
        Some(id) => {
            return Err(CliError::new(format!(
                "--account {}: an AWS account id is 12 digits",
                crate::quote::quoted(id)
            )));
        }
        None => runtime.block_on(caller_account(endpoint_url.clone()))?,
    };
    let config = Config {
        stack: valid.stack.metadata.name.clone(),
        topics: Config::topics_of(&valid),
        verify: !args.insecure_skip_signature,
        endpoint_url,
        account,
    };
    let mut forward = Forward::open(args.forward_file.as_deref(), args.forward_command.clone())
        .map_err(CliError::new)?;
    let fetch = Arc::new(HttpFetch::new().map_err(CliError::new)?);
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((args.bind, args.port))
            .await
            .map_err(|e| {
                CliError::new(format!("cannot listen on {}:{}: {e}", args.bind, args.port))
            })?;
        let address = listener
            .local_addr()
            .map_err(|e| CliError::new(format!("cannot read the bound address: {e}")))?;
        for topic in &config.topics {
            printer.detail(&format!(
                "accepting topic {} in {} ({})",
                topic.name, topic.aws_region, topic.region_name
            ));
        }
        if !config.verify {
            printer.info("warning: signatures are NOT checked (--insecure-skip-signature)");
        }
        let (state, mut events) = State::new(config, fetch);
        let server = tokio::spawn(server::serve(listener, Arc::new(state)));
        // One Ctrl-C handler for the whole run, registered before the `listening on` line (a
        // signal sent once it is seen is not lost), and polled once so that it is.
        let interrupt = tokio::signal::ctrl_c();
        tokio::pin!(interrupt);
        if futures::poll!(&mut interrupt).is_ready() {
            return Ok(Exit::Interrupted);
        }
        printer.info(&format!("listening on http://{address}"));
        let mut seen = 0u64;
        let exit = loop {
            tokio::select! {
                _ = &mut interrupt => {
                    printer.info(&format!("interrupted after {seen} event(s)"));
                    break Exit::Interrupted;
                }
                event = events.recv() => {
                    let Some(event) = event else { break Exit::Error };
                    match printer.output {
                        Output::Json => printer.data(&event.to_json_line()),
                        Output::Text => printer.data(&event.to_text()),
                    }
                    for problem in forward.send(&event).await {
                        printer.error(&format!("webhook: {problem}"));
                    }
                    seen += 1;
                    if args.max_events.is_some_and(|most| seen >= most) {
                        break Exit::Ok;
                    }
                }
            }
        };
        server.abort();
        Ok(exit)
    })
}

/// The emulator's endpoint, checked; --insecure-skip-signature only with one (real SNS
/// always signs, so skipping the check there would only let forgeries in).
fn endpoint(args: &WebhookServeArgs) -> Result<Option<String>, CliError> {
    let endpoint = args.endpoint_url.clone().filter(|e| !e.is_empty());
    if let Some(url) = &endpoint {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| CliError::new(format!("--endpoint-url `{url}` is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(CliError::new(format!(
                "--endpoint-url `{url}` is not an http(s) URL"
            )));
        }
    }
    if args.insecure_skip_signature && endpoint.is_none() {
        return Err(CliError::new(
            "--insecure-skip-signature needs --endpoint-url (or AWS_ENDPOINT_URL): it is \
             only for an emulator",
        )
        .with_hint("real SNS signs every delivery; drop --insecure-skip-signature to check them"));
    }
    Ok(endpoint)
}

/// The account of the credentials in use, whose topics the stack's are.
async fn caller_account(endpoint_url: Option<String>) -> Result<String, CliError> {
    let aws = crate::cli::AwsArgs {
        endpoint_url,
        profile: None,
        stats: false,
    };
    let config = live::aws_config(&aws).await?;
    // STS answers in every region; one is needed only to sign for it.
    let mut sts = aws_sdk_sts::config::Builder::from(&config);
    if config.region().is_none() {
        sts = sts.region(aws_config::Region::new("us-east-1"));
    }
    let sts = aws_sdk_sts::Client::from_conf(sts.build());
    let hint = "pass --account ID (the stack's AWS account), or run with the account's credentials";
    match sts.get_caller_identity().send().await {
        Ok(who) => who.account().map(str::to_string).ok_or_else(|| {
            CliError::new("STS named no account for these credentials").with_hint(hint)
        }),
        Err(e) => Err(CliError::new(format!(
            "cannot tell which account's topics are the stack's: STS GetCallerIdentity: {}",
            crate::providers::aws::display_chain(&e)
        ))
        .with_hint(hint)),
    }
}
