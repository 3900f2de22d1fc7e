use crate::exit::Exit;
use crate::printer::Printer;
use crate::stack::types::Stack;

/// The schema is JSON whatever `--output` says: that is the format editors read.
pub fn run(printer: &Printer) -> Exit {
    printer.json(&schemars::schema_for!(Stack));
    Exit::Ok
}
