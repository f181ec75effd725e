//! The capture file's size and checksum, as the walkthrough shows with `ls -l` and `md5sum`.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::display::{emit, escape};
use crate::error::{Error, Result};

/// A file's path, size and MD5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// The path as given.
    pub path: PathBuf,
    /// Size in bytes.
    pub bytes: u64,
    /// MD5 digest, lowercase hex.
    pub md5: String,
}

impl FileInfo {
    /// Reads the file once to size and hash it.
    pub fn of(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let open = |source| Error::Open { path: path.to_path_buf(), source };
        let mut file = std::fs::File::open(path).map_err(open)?;
        let mut context = md5::Context::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut bytes = 0u64;
        loop {
            let n = file.read(&mut buf).map_err(open)?;
            if n == 0 {
                break;
            }
            context.consume(&buf[..n]);
            bytes += n as u64;
        }
        Ok(FileInfo { path: path.to_path_buf(), bytes, md5: format!("{:x}", context.finalize()) })
    }

    /// Shows the file's facts as a small table.
    pub fn evcxr_display(&self) {
        let html = format!(
            "<table><tr><th>file</th><td><code>{}</code></td></tr><tr><th>size</th><td>{} bytes</td></tr><tr><th>md5</th><td><code>{}</code></td></tr></table>",
            escape(&self.path.display().to_string()),
            self.bytes,
            self.md5
        );
        let text = format!("{}  {} bytes  md5 {}", self.path.display(), self.bytes, self.md5);
        emit(&[("text/plain", &text), ("text/html", &html)]);
    }
}
