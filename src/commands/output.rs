//! `output [NAME]`: the stack's outputs after `up` — all of them (text or JSON), or one value
//! by name for shell use (`curl "$(multiregion output frontendUrl)"`).

use std::sync::Arc;

use super::live;
use crate::cli::{Output, OutputArgs};
use crate::exit::Exit;
use crate::outputs;
use crate::printer::Printer;
use crate::stats::CallStats;

pub fn run(args: &OutputArgs, printer: &Printer) -> Exit {
    let (valid, runtime) = match live::prepare(&args.stack.stack, printer) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let result = runtime.block_on(async {
        let config = live::aws_config(&args.aws).await;
        let engine = live::connect(&valid, &config, &stats, progress.as_ref());
        engine.read().await
    });
    live::report_stats(printer, &args.aws, &stats);
    let snapshots = match result {
        Ok(s) => s,
        Err(e) => {
            printer.error(&crate::errors::error_chain(&e));
            return Exit::Error;
        }
    };
    let outputs = outputs::from_snapshots(&valid, &snapshots);
    let Some(name) = &args.name else {
        match printer.output {
            Output::Json => printer.json(&outputs),
            Output::Text => printer.data(&outputs.to_text()),
        }
        return Exit::Ok;
    };
    let named = outputs.named();
    match named.iter().find(|(n, _)| n == name) {
        Some((_, Some(value))) => {
            match printer.output {
                Output::Json => printer.json(&serde_json::json!({ "name": name, "value": value })),
                Output::Text => printer.data(value),
            }
            Exit::Ok
        }
        Some((_, None)) => {
            printer.error(&format!(
                "error: output `{name}` does not exist yet: run `multiregion up` first"
            ));
            Exit::Error
        }
        None => {
            let names = named.iter().map(|(n, _)| n.as_str());
            let hint = crate::stack::suggest::did_you_mean(name, names.clone())
                .map(|h| format!("\n  hint: {h}"))
                .unwrap_or_default();
            let all: Vec<&str> = names.collect();
            printer.error(&format!(
                "error: no output is called `{}`; the outputs are {}{hint}",
                name.chars().take(80).collect::<String>(),
                all.join(", ")
            ));
            Exit::Error
        }
    }
}
