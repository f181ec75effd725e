//! Text protocols' lines (FTP, SMTP): split at line ends, the end itself left out.

/// The lines of `data`, each without its `\r\n` (or `\n`); a last line without an end is
/// included.
pub(crate) fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    body.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).filter(|_| !data.is_empty())
}

/// A reply line's three-digit code, and whether more lines follow (`250-...`), and its text.
pub(crate) fn reply(line: &[u8]) -> Option<(u32, bool, &[u8])> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let code = digits.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    match line.get(3) {
        None => Some((code, false, &[])),
        Some(b' ') => Some((code, false, &line[4..])),
        Some(b'-') => Some((code, true, &line[4..])),
        Some(_) => None,
    }
}

/// A command line: the command word and its argument (after one space), if any.
pub(crate) fn command(line: &[u8]) -> (&[u8], Option<&[u8]>) {
    match line.iter().position(|&b| b == b' ') {
        Some(i) => (&line[..i], Some(&line[i + 1..])),
        None => (line, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_and_replies() {
        let got: Vec<&[u8]> = lines(b"a b\r\nc\n").collect();
        assert_eq!(got, [&b"a b"[..], b"c"]);
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(reply(b"250-SIZE 1"), Some((250, true, &b"SIZE 1"[..])));
        assert_eq!(reply(b"220 ready"), Some((220, false, &b"ready"[..])));
        assert_eq!(reply(b"221"), Some((221, false, &b""[..])));
        assert_eq!(reply(b"22x ok"), None);
        assert_eq!(command(b"USER anonymous"), (&b"USER"[..], Some(&b"anonymous"[..])));
        assert_eq!(command(b"PWD"), (&b"PWD"[..], None));
    }
}
