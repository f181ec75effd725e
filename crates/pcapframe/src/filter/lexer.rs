//! Tokens of a display filter, each with its byte span (for error carets).

use super::FilterError;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A bare word: field name, keyword, or unquoted literal (`10.0.0.1`, `00:1d:d9`, `0x06`).
    Word(String),
    /// A double-quoted string, escapes resolved, as bytes.
    Str(Vec<u8>),
    /// A character constant such as `'\n'`, as its value.
    Char(u8),
    /// Punctuation and symbolic operators: `( ) { } [ ] , .. == != === !== ~= > < >= <= && || ! ~ &`.
    Sym(&'static str),
}

/// A token and where it stands in the filter text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub len: usize,
}

const SYMBOLS: [&str; 21] = [
    "===", "!==", "==", "!=", "~=", ">=", "<=", "&&", "||", "..", "(", ")", "{", "}", "[", "]", ",", ">", "<", "!", "~",
];

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-' | b'/')
}

/// Splits a filter into tokens.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, FilterError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'"' || (c == b'r' && b.get(i + 1) == Some(&b'"')) {
            let raw = c == b'r';
            i += if raw { 2 } else { 1 };
            let (value, end) = string(text, i, raw).map_err(|message| {
                FilterError::at(
                    text,
                    start,
                    b.len() - start,
                    &message.unwrap_or_else(|| "The string is not terminated with a double quote.".into()),
                )
            })?;
            i = end;
            out.push(Token { tok: Tok::Str(value), start, len: i - start });
            continue;
        }
        if c == b'\'' {
            let close = text[i + 1..]
                .find('\'')
                .map(|p| i + 1 + p)
                .ok_or_else(|| FilterError::at(text, start, 1, "The character constant is not terminated."))?;
            let inner = &text[i + 1..close];
            let value = char_constant(inner).ok_or_else(|| {
                FilterError::at(
                    text,
                    start,
                    close + 1 - start,
                    &format!("\"'{inner}'\" is not a valid character constant."),
                )
            })?;
            i = close + 1;
            out.push(Token { tok: Tok::Char(value), start, len: i - start });
            continue;
        }
        if c == b'&' && b.get(i + 1) != Some(&b'&') {
            out.push(Token { tok: Tok::Sym("&"), start, len: 1 });
            i += 1;
            continue;
        }
        if is_word_char(c) && !text[i..].starts_with("..") {
            while i < b.len() && is_word_char(b[i]) && !text[i..].starts_with("..") {
                i += 1;
            }
            out.push(Token { tok: Tok::Word(text[start..i].to_string()), start, len: i - start });
            continue;
        }
        match SYMBOLS.iter().find(|s| text[i..].starts_with(**s)) {
            Some(sym) => {
                i += sym.len();
                out.push(Token { tok: Tok::Sym(sym), start, len: sym.len() });
            }
            None => {
                let ch = text[i..].chars().next().unwrap_or('?');
                let message = match ch {
                    '+' | '*' | '%' => "pcapframe does not support arithmetic in display filters.".to_string(),
                    '#' => "pcapframe does not support the layer operator (#) in display filters.".to_string(),
                    '$' => "pcapframe does not support field references (${...}) in display filters.".to_string(),
                    _ => format!("\"{ch}\" was unexpected in this context."),
                };
                return Err(FilterError::at(text, start, ch.len_utf8(), &message));
            }
        }
    }
    Ok(out)
}

/// Reads a string body from `i` up to the closing quote; returns its bytes and the index after it.
/// A string's bytes and where it ends; the error is tshark's message for a bad escape, or
/// `None` when the string is not terminated.
fn string(text: &str, mut i: usize, raw: bool) -> Result<(Vec<u8>, usize), Option<String>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    while i < b.len() {
        match b[i] {
            b'"' => return Ok((out, i + 1)),
            b'\\' if raw => {
                // Raw strings keep backslashes; an escaped quote still does not end the string.
                out.push(b'\\');
                if b.get(i + 1) == Some(&b'"') {
                    out.push(b'"');
                    i += 1;
                }
                i += 1;
            }
            b'\\' => {
                let rest = &text[i + 1..];
                let (bytes, used) = escape(rest).ok_or_else(|| {
                    rest.chars().next().map(|c| format!("\\{c} is not a valid character escape sequence"))
                })?;
                out.extend(bytes);
                i += 1 + used;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err(None)
}

/// One escape sequence (after the backslash): its bytes and how many characters it used.
fn escape(s: &str) -> Option<(Vec<u8>, usize)> {
    let c = *s.as_bytes().first()?;
    let simple = match c {
        b'\'' => Some(b'\''),
        b'"' => Some(b'"'),
        b'\\' => Some(b'\\'),
        b'a' => Some(7),
        b'b' => Some(8),
        b'f' => Some(12),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(11),
        _ => None,
    };
    if let Some(v) = simple {
        return Some((vec![v], 1));
    }
    match c {
        b'x' => {
            let hex: String = s[1..].chars().take_while(|c| c.is_ascii_hexdigit()).take(2).collect();
            Some((vec![u8::from_str_radix(&hex, 16).ok()?], 1 + hex.len()))
        }
        b'0'..=b'7' => {
            let oct: String = s.chars().take_while(|c| ('0'..='7').contains(c)).take(3).collect();
            Some((vec![u8::from_str_radix(&oct, 8).ok()?], oct.len()))
        }
        b'u' | b'U' => {
            let n = if c == b'u' { 4 } else { 8 };
            let hex = s.get(1..1 + n)?;
            let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
            Some((ch.to_string().into_bytes(), 1 + n))
        }
        _ => None,
    }
}

/// The value of a character constant's body (`a`, `\n`, `\x0a`, `\012`).
fn char_constant(inner: &str) -> Option<u8> {
    match inner.strip_prefix('\\') {
        Some(rest) => {
            let (bytes, used) = escape(rest)?;
            (used == rest.len() && bytes.len() == 1).then(|| bytes[0])
        }
        None => (inner.len() == 1).then(|| inner.as_bytes()[0]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn words_symbols_strings_and_ranges() {
        assert_eq!(
            toks("tcp.port in {80,8000..8080}"),
            vec![
                Tok::Word("tcp.port".into()),
                Tok::Word("in".into()),
                Tok::Sym("{"),
                Tok::Word("80".into()),
                Tok::Sym(","),
                Tok::Word("8000".into()),
                Tok::Sym(".."),
                Tok::Word("8080".into()),
                Tok::Sym("}"),
            ]
        );
        assert_eq!(
            toks("eth.src[0:3]==00:1d:d9"),
            vec![
                Tok::Word("eth.src".into()),
                Tok::Sym("["),
                Tok::Word("0:3".into()),
                Tok::Sym("]"),
                Tok::Sym("=="),
                Tok::Word("00:1d:d9".into())
            ]
        );
        assert_eq!(
            toks(r#"x == "a\"b\x41\101" r"\d""#),
            vec![Tok::Word("x".into()), Tok::Sym("=="), Tok::Str(b"a\"bAA".to_vec()), Tok::Str(b"\\d".to_vec())]
        );
        assert_eq!(
            toks("a !== b && !c || d ~ e"),
            vec![
                Tok::Word("a".into()),
                Tok::Sym("!=="),
                Tok::Word("b".into()),
                Tok::Sym("&&"),
                Tok::Sym("!"),
                Tok::Word("c".into()),
                Tok::Sym("||"),
                Tok::Word("d".into()),
                Tok::Sym("~"),
                Tok::Word("e".into()),
            ]
        );
        assert_eq!(toks("frame.len > '\\n'"), vec![Tok::Word("frame.len".into()), Tok::Sym(">"), Tok::Char(10)]);
    }

    #[test]
    fn unterminated_strings_and_stray_characters_are_errors() {
        assert!(tokenize("http.host == \"abc").unwrap_err().message.contains("not terminated"));
        let err = tokenize("tcp ^^ udp").unwrap_err();
        assert_eq!((err.message.as_str(), err.start), ("\"^\" was unexpected in this context.", 4));
    }
}
