//! `output [NAME]`: the stack's outputs after `up` — all of them (text or JSON), or one value
//! by name for shell use (`curl "$(multiregion output frontendUrl)"`).

use std::sync::Arc;

use super::live;
use crate::cli::{Output, OutputArgs};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::outputs;
use crate::printer::Printer;
use crate::stats::CallStats;

pub fn run(args: &OutputArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack)?;
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let config = runtime.block_on(live::aws_config(&args.aws))?;
    let result = runtime.block_on(async {
        let engine = live::connect(&valid, &config, &stats, progress.as_ref());
        engine.read().await
    });
    live::report_stats(printer, &args.aws, &stats);
    let snapshots = result.map_err(|e| CliError::from_error(&e))?;
    let outputs = outputs::from_snapshots(&valid, &snapshots);
    let Some(name) = &args.name else {
        match printer.output {
            Output::Json => printer.json(&outputs),
            Output::Text => printer.data(&outputs.to_text()),
        }
        return Ok(Exit::Ok);
    };
    let named = outputs.named();
    match named.iter().find(|(n, _)| n == name) {
        Some((_, Some(value))) => {
            match printer.output {
                Output::Json => printer.json(&serde_json::json!({ "name": name, "value": value })),
                Output::Text => printer.data(value),
            }
            Ok(Exit::Ok)
        }
        Some((_, None)) => Err(CliError::new(format!("output `{name}` does not exist yet"))
            .with_hint("run `multiregion up` first")),
        None => {
            let names = named.iter().map(|(n, _)| n.as_str());
            let hint = crate::stack::suggest::did_you_mean(name, names.clone());
            let all: Vec<&str> = names.collect();
            let error = CliError::new(format!(
                "no output is called `{}`; the outputs are {}",
                name.chars().take(80).collect::<String>(),
                all.join(", ")
            ));
            Err(match hint {
                Some(h) => error.with_hint(h),
                None => error,
            })
        }
    }
}
