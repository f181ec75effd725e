//! tshark-compatible command-line arguments.

use pcapframe::text::{TextFormat, TextOccurrence};

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `-G fields`: list the field registry.
    ListFields,
    /// `-r FILE -T fields -e ...`: print or write fields.
    Fields(FieldsRequest),
    /// `-r FILE -q -z follow,tcp,ascii|yaml,N`: one TCP stream's data.
    Follow(FollowRequest),
    /// `-r FILE -q --export-objects http,DIR`: every HTTP body written to DIR.
    ExportObjects(ExportRequest),
    /// `-h`/`--help`.
    Help,
}

/// An `--export-objects http,DIR` run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub file: String,
    /// The directory the objects are written to (created if needed).
    pub dir: String,
}

/// Reads `http,DIR` (the only protocol pcapframe exports).
fn parse_export(spec: &str) -> Result<String, String> {
    match spec.split_once(',') {
        Some(("http", dir)) if !dir.is_empty() => Ok(dir.to_string()),
        Some((protocol, _)) if protocol != "http" => {
            Err(format!("unsupported --export-objects protocol '{protocol}' (pcapframe exports http)"))
        }
        _ => Err(format!("invalid --export-objects '{spec}' (expected http,DIR)")),
    }
}

/// A `-r FILE -T fields` run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldsRequest {
    pub file: String,
    pub fields: Vec<String>,
    pub format: TextFormat,
    pub max_frames: Option<u64>,
    pub display_filter: Option<String>,
    pub out: Option<String>,
    /// `--max-conversations N`: TCP and UDP conversations kept before the idlest are retired.
    pub max_conversations: Option<usize>,
    /// Further `-r` files: all of them are read as one, as tshark reads their `mergecap` output.
    pub more_files: Vec<String>,
    /// `--concatenate`: several files one after the other (`mergecap -a`), not by time.
    pub concatenate: bool,
    /// `--threads N`: 1 reads, dissects and writes on one thread; more read and dissect on a
    /// second one. `None`: one per core. The output is the same.
    pub threads: Option<usize>,
}

/// A `-z follow,tcp,FORMAT,N` run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowRequest {
    pub file: String,
    /// `ascii` or `yaml`.
    pub format: FollowFormat,
    /// `tcp.stream` number.
    pub stream: u64,
}

/// The follow output formats pcapframe writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowFormat {
    Ascii,
    Yaml,
}

/// Reads `follow,tcp,ascii|yaml,N`.
fn parse_follow(spec: &str) -> Result<(FollowFormat, u64), String> {
    let parts: Vec<&str> = spec.split(',').collect();
    let format = match parts.as_slice() {
        ["follow", "tcp", "ascii", _] => FollowFormat::Ascii,
        ["follow", "tcp", "yaml", _] => FollowFormat::Yaml,
        ["follow", "tcp", other, _] => {
            return Err(format!("unsupported follow format '{other}' (pcapframe writes ascii and yaml)"))
        }
        _ => return Err(format!("unsupported -z statistic '{spec}' (pcapframe knows follow,tcp,ascii|yaml,N)")),
    };
    let stream = parts[3].parse().map_err(|_| format!("invalid stream number '{}' in -z {spec}", parts[3]))?;
    Ok((format, stream))
}

/// Usage text.
pub const USAGE: &str = "\
usage: pcapframe -r FILE -T fields -e FIELD [-e FIELD ...] [options]
       pcapframe -r FILE -e FIELD ... --out OUT.parquet|OUT.csv|OUT.arrow
       pcapframe -r FILE [-r FILE ...] -e FIELD ... --out DIR/     (a partitioned Parquet dataset)
       pcapframe -r FILE -q -z follow,tcp,ascii|yaml,STREAM
       pcapframe -r FILE -q --export-objects http,DIR
       pcapframe -G fields

options (as tshark's):
  -r FILE          capture to read (pcap or pcapng, detected from its magic number);
                   -r - reads standard input. Several -r files are read as one, as tshark
                   reads their mergecap output (by time; with --concatenate, as mergecap -a)
  -T fields        print the -e fields as text (the only output format)
  -e FIELD         a Wireshark field name; repeat for more columns
  -E header=y|n    print a header line of field names
  -E separator=/t|/s|C   field separator (tab, space, or a character)
  -E occurrence=f|l|a    which occurrences of a repeated field to print
  -E aggregator=,|/s|C   between occurrences
  -E quote=d|s|n   quote values with double, single or no quotes
  -c COUNT         stop after COUNT frames
  -Y FILTER        display filter
  -n               accepted (pcapframe never resolves names)
  -q               accepted (with -z)
  -z follow,tcp,ascii|yaml,N   one TCP stream's data, as tshark prints it
  --export-objects http,DIR   write every HTTP message body to DIR, named as tshark names them
  --out PATH       write typed columns to Parquet, CSV or Arrow IPC (chosen by extension)
  --max-conversations N  TCP and UDP conversations kept in memory (default 500000); past it
                   the idlest are retired, and one that returns gets a new stream number
  --threads N      threads to use (default: one per core; 1: a single thread); the output
                   is the same
  -G fields        list every field pcapframe knows
";

/// Parses the arguments (without the program name).
pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut req = FieldsRequest::default();
    let mut output_type = None;
    let mut list = None;
    let mut follow = None;
    let mut export = None;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let mut value = |flag: &str| -> Result<String, String> {
            if arg.len() > 2 && !arg.starts_with("--") {
                return Ok(arg[2..].to_string());
            }
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("option requires an argument -- '{flag}'"))
        };
        match arg.get(..2).unwrap_or(arg) {
            _ if arg == "--out" => req.out = Some(value("out")?),
            _ if arg == "--export-objects" => export = Some(parse_export(&value("export-objects")?)?),
            _ if arg == "--max-conversations" => {
                let v = value("max-conversations")?;
                let n = v.parse().ok().filter(|n| *n > 0);
                req.max_conversations = Some(n.ok_or_else(|| format!("invalid --max-conversations count '{v}'"))?);
            }
            _ if arg == "--threads" => {
                let v = value("threads")?;
                let n = v.parse().ok().filter(|n| *n > 0);
                req.threads = Some(n.ok_or_else(|| format!("invalid --threads count '{v}'"))?);
            }
            _ if arg == "--help" => return Ok(Command::Help),
            _ if arg == "--concatenate" => req.concatenate = true,
            "-h" => return Ok(Command::Help),
            "-r" if req.file.is_empty() => req.file = value("r")?,
            "-r" => req.more_files.push(value("r")?),
            "-e" => req.fields.push(value("e")?),
            "-T" => output_type = Some(value("T")?),
            "-E" => apply_format_option(&mut req.format, &value("E")?)?,
            "-c" => {
                let v = value("c")?;
                req.max_frames = Some(v.parse().map_err(|_| format!("invalid -c count '{v}'"))?);
            }
            "-Y" => req.display_filter = Some(value("Y")?),
            "-G" => list = Some(value("G")?),
            "-n" if arg == "-n" => {}
            "-q" if arg == "-q" => {}
            "-z" => follow = Some(parse_follow(&value("z")?)?),
            _ => return Err(format!("unknown option '{arg}'")),
        }
        i += 1;
    }
    if let Some(report) = list {
        return match report.as_str() {
            "fields" => Ok(Command::ListFields),
            other => Err(format!("unsupported -G report '{other}' (only 'fields')")),
        };
    }
    if req.file.is_empty() {
        return Err("no capture file given (-r FILE)".into());
    }
    if (export.is_some() || follow.is_some()) && !req.more_files.is_empty() {
        return Err("-z follow and --export-objects read one capture file (one -r)".into());
    }
    if req.more_files.iter().any(|f| f == "-") || (req.file == "-" && !req.more_files.is_empty()) {
        return Err("standard input (-r -) cannot be merged with other files".into());
    }
    if let Some(dir) = export {
        if !req.fields.is_empty() || output_type.is_some() || follow.is_some() {
            return Err("--export-objects cannot be combined with -T, -e or -z in pcapframe".into());
        }
        return Ok(Command::ExportObjects(ExportRequest { file: req.file, dir }));
    }
    if let Some((format, stream)) = follow {
        return Ok(Command::Follow(FollowRequest { file: req.file, format, stream }));
    }
    match output_type.as_deref() {
        Some("fields") => {}
        None if req.out.is_some() => {}
        Some(other) => return Err(format!("unsupported output format -T {other} (only -T fields)")),
        None => return Err("-T fields is required unless --out is given".into()),
    }
    if req.fields.is_empty() {
        return Err("-T fields was specified, but no fields were specified with -e".into());
    }
    Ok(Command::Fields(req))
}

fn apply_format_option(format: &mut TextFormat, option: &str) -> Result<(), String> {
    let (key, val) =
        option.split_once('=').ok_or_else(|| format!("invalid -E option '{option}' (expected key=value)"))?;
    let text = |v: &str| match v {
        "/t" => "\t".to_string(),
        "/s" => " ".to_string(),
        other => other.chars().next().map(String::from).unwrap_or_default(),
    };
    match key {
        "header" => format.header = parse_yes_no(val)?,
        "separator" => format.separator = text(val),
        "aggregator" => format.aggregator = text(val),
        "occurrence" => {
            format.occurrence = match val {
                "a" => TextOccurrence::All,
                "f" => TextOccurrence::First,
                "l" => TextOccurrence::Last,
                other => return Err(format!("invalid occurrence '{other}' (f, l or a, as in tshark 4.0)")),
            }
        }
        "quote" => {
            format.quote = match val {
                "d" => Some('"'),
                "s" => Some('\''),
                "n" => None,
                other => return Err(format!("invalid quote '{other}' (d, s or n)")),
            }
        }
        other => return Err(format!("unknown -E option '{other}'")),
    }
    Ok(())
}

fn parse_yes_no(v: &str) -> Result<bool, String> {
    match v {
        "y" | "Y" => Ok(true),
        "n" | "N" => Ok(false),
        other => Err(format!("invalid header value '{other}' (y or n)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn tshark_style_arguments() {
        let Command::Fields(req) =
            parse(&argv("-r f.pcap -n -T fields -e frame.len -eip.src -E header=y -E separator=/s -E quote=d -c 5"))
                .unwrap()
        else {
            panic!()
        };
        assert_eq!(req.fields, ["frame.len", "ip.src"]);
        assert!(req.format.header);
        assert_eq!(req.format.separator, " ");
        assert_eq!(req.format.quote, Some('"'));
        assert_eq!(req.max_frames, Some(5));
    }

    #[test]
    fn follow_requests() {
        let expected = FollowRequest { file: "f.pcap".into(), format: FollowFormat::Yaml, stream: 5 };
        assert_eq!(parse(&argv("-r f.pcap -q -z follow,tcp,yaml,5")).unwrap(), Command::Follow(expected));
        assert!(parse(&argv("-r f.pcap -z follow,tcp,hex,5")).unwrap_err().contains("format 'hex'"));
        assert!(parse(&argv("-r f.pcap -z conv,tcp")).unwrap_err().contains("unsupported -z"));
        assert!(parse(&argv("-r f.pcap -z follow,tcp,ascii,x")).unwrap_err().contains("invalid stream"));
    }

    #[test]
    fn export_requests() {
        let expected = ExportRequest { file: "f.pcap".into(), dir: "out/objects".into() };
        let parsed = parse(&argv("-r f.pcap -q --export-objects http,out/objects")).unwrap();
        assert_eq!(parsed, Command::ExportObjects(expected.clone()));
        assert_eq!(
            parse(&argv("--export-objects http,out/objects -r f.pcap")).unwrap(),
            Command::ExportObjects(expected)
        );
        let comma = parse(&argv("-r f.pcap --export-objects http,a,b")).unwrap();
        assert_eq!(comma, Command::ExportObjects(ExportRequest { file: "f.pcap".into(), dir: "a,b".into() }));
        assert!(parse(&argv("-r f.pcap --export-objects smb,d")).unwrap_err().contains("protocol 'smb'"));
        assert!(parse(&argv("-r f.pcap --export-objects http")).unwrap_err().contains("expected http,DIR"));
        assert!(parse(&argv("-r f.pcap --export-objects http,")).unwrap_err().contains("expected http,DIR"));
        assert!(parse(&argv("-r f.pcap --export-objects")).unwrap_err().contains("requires an argument"));
        assert!(parse(&argv("--export-objects http,d")).unwrap_err().contains("no capture file"));
        assert!(parse(&argv("-r f.pcap -T fields -e ip.src --export-objects http,d"))
            .unwrap_err()
            .contains("combined"));
    }

    #[test]
    fn mistakes_are_explained() {
        assert!(parse(&argv("-r f.pcap -T fields")).unwrap_err().contains("no fields"));
        assert!(parse(&argv("-r f.pcap -T json -e a")).unwrap_err().contains("-T json"));
        assert!(parse(&argv("-r")).unwrap_err().contains("requires an argument"));
        assert!(parse(&argv("-r f -T fields -e x -E quote=x")).unwrap_err().contains("invalid quote"));
        assert_eq!(parse(&argv("-G fields")).unwrap(), Command::ListFields);
    }
}
