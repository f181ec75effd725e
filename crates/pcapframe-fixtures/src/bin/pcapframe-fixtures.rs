//! Writes every fixture into a folder (default `fixtures/`).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fixtures".into()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("pcapframe-fixtures: cannot create {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    for (name, bytes) in pcapframe_fixtures::all() {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, &bytes) {
            eprintln!("pcapframe-fixtures: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("{:>9} bytes  {}", bytes.len(), path.display());
    }
    ExitCode::SUCCESS
}
