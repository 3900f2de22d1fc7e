//! `multiregion cost`: the stack's monthly estimate, offline; `--compare-env` beside another
//! environment.

use crate::cli::{CostArgs, Output, StackArg};
use crate::cost;
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;

pub fn run(args: &CostArgs, printer: &Printer) -> Result<Exit, CliError> {
    let valid = super::load_stack(&args.stack)?;
    let estimate = cost::estimate(&valid);
    match &args.compare_env {
        None => match printer.output {
            Output::Json => printer.json(&estimate),
            Output::Text => printer.data(&estimate.to_text()),
        },
        Some(other) => {
            let other = super::load_stack(&StackArg {
                stack: args.stack.stack.clone(),
                env: Some(other.clone()),
            })?;
            let other = cost::estimate(&other);
            match printer.output {
                Output::Json => printer.json(&serde_json::json!({
                    "compared": [estimate, other],
                    "change": other.monthly - estimate.monthly,
                })),
                Output::Text => printer.data(&cost::compare_text(&estimate, &other)),
            }
        }
    }
    if let Some(age) = estimate.prices.age_days
        && age > cost::prices::MAX_AGE_DAYS
    {
        printer.info(&format!(
            "warning: the price table is {age} days old (of {}); prices may have changed",
            estimate.prices.date
        ));
    }
    Ok(Exit::Ok)
}
