use crate::exit::Exit;
use crate::printer::Printer;
use crate::stack::types::Stack;

/// The schema is JSON whatever `--output` says: that is the format editors read.
pub fn run(printer: &Printer) -> Result<Exit, crate::errors::CliError> {
    printer.json(&schemars::schema_for!(Stack));
    Ok(Exit::Ok)
}
