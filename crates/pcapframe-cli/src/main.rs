//! `pcapframe`: tshark's `-T fields` output without tshark, and typed columns to Parquet.

mod args;
mod output;
mod progress;

use std::process::ExitCode;

use args::Command;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match args::parse(&argv) {
        Ok(Command::Help) => {
            print!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::ListFields) => output::list_fields(),
        Ok(Command::Fields(req)) => output::run(&req),
        Ok(Command::Follow(req)) => output::follow(&req),
        Ok(Command::ExportObjects(req)) => output::export_objects(&req),
        Err(message) => {
            eprintln!("pcapframe: {message}\n\n{}", args::USAGE);
            ExitCode::from(1)
        }
    }
}
