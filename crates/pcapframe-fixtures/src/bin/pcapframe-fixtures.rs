//! Writes every fixture into a folder (default `fixtures/`), or with `--bench N FILE` a large
//! synthetic capture of about N frames for benchmarks.

use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--bench") => bench(&args[1..]),
        _ => fixtures(PathBuf::from(args.first().cloned().unwrap_or_else(|| "fixtures".into()))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pcapframe-fixtures: {message}");
            ExitCode::from(1)
        }
    }
}

fn fixtures(dir: PathBuf) -> Result<(), String> {
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, bytes) in pcapframe_fixtures::all() {
        let path = dir.join(name);
        std::fs::write(&path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("{:>9} bytes  {}", bytes.len(), path.display());
    }
    Ok(())
}

fn bench(args: &[String]) -> Result<(), String> {
    let [frames, path] = args else { return Err("usage: pcapframe-fixtures --bench FRAMES FILE".into()) };
    let frames: u64 = frames.parse().map_err(|_| format!("not a frame count: {frames}"))?;
    let file = std::fs::File::create(path).map_err(|e| format!("cannot create {path}: {e}"))?;
    pcapframe_fixtures::bench::write(frames, &mut BufWriter::new(file)).map_err(|e| format!("writing {path}: {e}"))
}
