//! `multiregion render`: the stack as merged from its file and an environment's overlay.

use crate::cli::{Output, StackArg};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::yaml;

pub fn run(args: &StackArg, printer: &Printer) -> Result<Exit, CliError> {
    let valid = super::load_stack(args)?;
    let document = yaml::to_json(valid.document());
    match printer.output {
        Output::Json => printer.json(&document),
        Output::Text => {
            let files = valid.origins.files().join(" + ");
            printer.data(&format!(
                "# The stack `{}` as merged from {files}.\n{}",
                valid.name(),
                yaml::to_yaml(&document)
            ));
        }
    }
    Ok(Exit::Ok)
}
