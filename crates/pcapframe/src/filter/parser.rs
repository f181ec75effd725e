//! Recursive-descent parser: `or` binds loosest, then `and`, then `not`; every test starts with a
//! field or protocol (an implicit "exists").

use super::error::FilterError;
use super::lexer::{Tok, Token};
use super::operand::{self, Kind, Lit, Operand, RawLit, SliceRange};
use crate::fields::FieldSet;

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rhs {
    Lit(Lit),
    Operand(Operand),
}

/// A parsed filter.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// Any of the terms (a chain of `or`s, kept flat so evaluation does not recurse along it).
    Or(Vec<Node>),
    /// All of the terms.
    And(Vec<Node>),
    Not(Box<Node>),
    Exists(Operand),
    /// `all`: every occurrence must satisfy the comparison (else any one).
    Compare {
        all: bool,
        lhs: Operand,
        op: Op,
        rhs: Rhs,
    },
    In {
        lhs: Operand,
        items: Vec<(Lit, Option<Lit>)>,
    },
    Contains {
        lhs: Operand,
        needle: Vec<u8>,
    },
    Matches {
        lhs: Operand,
        regex: regex::Regex,
    },
}

impl Node {
    /// When the node only asks for fields to be present (`tcp.stream and ip.src and ...`, the
    /// filter the original pandas helper built for its `strict` reads): those fields, so that a
    /// frame's set of present fields answers it at once. `None` for anything else.
    pub fn required_fields(&self) -> Option<FieldSet> {
        match self {
            Node::Exists(o) if o.fields.len() == 1 && o.layer.is_none() && o.slice.is_none() && o.mask.is_none() => {
                Some(o.fields.iter().copied().collect())
            }
            Node::And(terms) => terms.iter().try_fold(FieldSet::default(), |mut all, t| {
                all.extend(t.required_fields()?);
                Some(all)
            }),
            _ => None,
        }
    }

    /// Adds every field the filter reads.
    pub fn collect_fields(&self, set: &mut FieldSet) {
        let mut add = |o: &Operand| o.fields.iter().for_each(|f| set.insert(*f));
        match self {
            Node::Or(terms) | Node::And(terms) => terms.iter().for_each(|t| t.collect_fields(set)),
            Node::Not(a) => a.collect_fields(set),
            Node::Exists(o)
            | Node::In { lhs: o, .. }
            | Node::Contains { lhs: o, .. }
            | Node::Matches { lhs: o, .. } => add(o),
            Node::Compare { lhs, rhs, .. } => {
                add(lhs);
                if let Rhs::Operand(o) = rhs {
                    add(o);
                }
            }
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    toks: &'a [Token],
    pos: usize,
    /// Parentheses and `not`s open around the current position.
    depth: usize,
}

/// Deepest nesting of parentheses and `not` accepted: bounds the parser's and the evaluator's
/// recursion, so no filter text can overflow the stack.
pub(crate) const MAX_NESTING: usize = 100;

/// Parses the tokens of `text`.
pub(crate) fn parse(text: &str, toks: &[Token]) -> Result<Node, FilterError> {
    let mut p = Parser { text, toks, pos: 0, depth: 0 };
    if toks.is_empty() {
        return Err(FilterError::at(text, 0, 0, "The filter is empty."));
    }
    let node = p.or()?;
    if let Some(t) = p.peek() {
        return Err(p.unexpected(t));
    }
    Ok(node)
}

fn word_is(t: &Token, words: &[&str]) -> bool {
    matches!(&t.tok, Tok::Word(w) if words.contains(&w.as_str()))
}

fn sym_is(t: &Token, syms: &[&str]) -> bool {
    matches!(&t.tok, Tok::Sym(s) if syms.contains(s))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.pos);
        self.pos += 1;
        t
    }

    fn error(&self, t: &Token, message: &str) -> FilterError {
        FilterError::at(self.text, t.start, t.len, message)
    }

    fn unexpected(&self, t: &Token) -> FilterError {
        self.error(t, &format!("\"{}\" was unexpected in this context.", &self.text[t.start..t.start + t.len]))
    }

    fn end(&self) -> FilterError {
        FilterError::at(self.text, self.text.len(), 0, "Unexpected end of filter expression.")
    }

    fn or(&mut self) -> Result<Node, FilterError> {
        let mut terms = vec![self.and()?];
        while self.peek().is_some_and(|t| word_is(t, &["or"]) || sym_is(t, &["||"])) {
            self.pos += 1;
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.pop().expect("one term") } else { Node::Or(terms) })
    }

    fn and(&mut self) -> Result<Node, FilterError> {
        let mut terms = vec![self.not()?];
        while self.peek().is_some_and(|t| word_is(t, &["and"]) || sym_is(t, &["&&"])) {
            self.pos += 1;
            terms.push(self.not()?);
        }
        Ok(if terms.len() == 1 { terms.pop().expect("one term") } else { Node::And(terms) })
    }

    /// Enters one more level of parentheses or `not` at token `t`, refusing absurd depths.
    fn nest(&mut self, t: &Token) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error(t, &format!("Parentheses and \"not\" nest more than {MAX_NESTING} levels deep.")));
        }
        Ok(())
    }

    fn not(&mut self) -> Result<Node, FilterError> {
        match self.peek() {
            Some(t) if word_is(t, &["not"]) || sym_is(t, &["!"]) => {
                self.nest(t)?;
                self.pos += 1;
                let inner = self.not()?;
                self.depth -= 1;
                Ok(Node::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node, FilterError> {
        let t = self.peek().ok_or_else(|| self.end())?;
        if sym_is(t, &["("]) {
            self.nest(t)?;
            self.pos += 1;
            let inner = self.or()?;
            self.depth -= 1;
            match self.next() {
                Some(c) if sym_is(c, &[")"]) => return Ok(inner),
                Some(other) => return Err(self.unexpected(other)),
                None => return Err(self.end()),
            }
        }
        self.test()
    }

    fn test(&mut self) -> Result<Node, FilterError> {
        let quantifier = match self.peek() {
            Some(t) if word_is(t, &["any", "all"]) => {
                self.pos += 1;
                Some(matches!(&t.tok, Tok::Word(w) if w == "all"))
            }
            _ => None,
        };
        let lhs = self.operand(true)?;
        let Some(t) = self.peek() else {
            return Ok(Node::Exists(lhs));
        };
        let op = match &t.tok {
            Tok::Sym("==") => Some((Op::Eq, false)),
            Tok::Sym("!=") => Some((Op::Ne, true)),
            Tok::Sym("===") => Some((Op::Eq, true)),
            Tok::Sym("!==") | Tok::Sym("~=") => Some((Op::Ne, false)),
            Tok::Sym(">") => Some((Op::Gt, false)),
            Tok::Sym("<") => Some((Op::Lt, false)),
            Tok::Sym(">=") => Some((Op::Ge, false)),
            Tok::Sym("<=") => Some((Op::Le, false)),
            Tok::Word(w) => match w.as_str() {
                "eq" | "any_eq" => Some((Op::Eq, false)),
                "ne" | "all_ne" => Some((Op::Ne, true)),
                "all_eq" => Some((Op::Eq, true)),
                "any_ne" => Some((Op::Ne, false)),
                "gt" => Some((Op::Gt, false)),
                "lt" => Some((Op::Lt, false)),
                "ge" => Some((Op::Ge, false)),
                "le" => Some((Op::Le, false)),
                _ => None,
            },
            _ => None,
        };
        if let Some((op, all_by_default)) = op {
            self.pos += 1;
            if lhs.protocol {
                return Err(self
                    .error(t, &format!("pcapframe cannot compare the protocol \"{}\" (only its fields).", lhs.name)));
            }
            let rhs = self.rhs(&lhs)?;
            return Ok(Node::Compare { all: quantifier.unwrap_or(all_by_default), lhs, op, rhs });
        }
        if word_is(t, &["in"]) {
            self.pos += 1;
            return self.set(lhs);
        }
        if word_is(t, &["contains"]) {
            self.pos += 1;
            return self.contains(lhs, t);
        }
        if word_is(t, &["matches"]) || sym_is(t, &["~"]) {
            self.pos += 1;
            return self.matches(lhs);
        }
        Ok(Node::Exists(lhs))
    }

    /// A field or protocol, with an optional slice and an optional `& mask`.
    fn operand(&mut self, left: bool) -> Result<Operand, FilterError> {
        let t = self.next().ok_or_else(|| self.end())?;
        let Tok::Word(name) = &t.tok else {
            return Err(self.unexpected(t));
        };
        if self.peek().is_some_and(|p| sym_is(p, &["("])) {
            return Err(self.error(t, &format!("pcapframe does not support display filter functions (\"{name}()\").")));
        }
        let mut op = operand::resolve(name).map_err(|suggestions| {
            let hint = if suggestions.is_empty() {
                String::new()
            } else {
                format!(
                    " Did you mean {}?",
                    suggestions.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(" or ")
                )
            };
            let what = if left {
                "is neither a field nor a protocol name pcapframe knows."
            } else {
                "is not a field pcapframe knows."
            };
            self.error(t, &format!("\"{name}\" {what}{hint}"))
        })?;
        if self.peek().is_some_and(|t| sym_is(t, &["["])) {
            let open = self.next().unwrap_or(t);
            if op.protocol {
                return Err(self.error(
                    open,
                    &format!("pcapframe cannot slice the protocol \"{name}\" (it keeps no raw bytes of layers)."),
                ));
            }
            if !matches!(op.kind, Kind::Mac | Kind::Ipv4 | Kind::Ipv6 | Kind::Bytes | Kind::Str) {
                return Err(self.error(open, &format!("\"{name}\" is not a byte field and cannot be sliced.")));
            }
            op.slice = Some(self.slice()?);
        }
        if self.peek().is_some_and(|t| sym_is(t, &["&"])) {
            let amp = self.next().unwrap_or(t);
            if op.kind != Kind::Int || op.slice.is_some() {
                return Err(self.error(amp, &format!("\"{name}\" is not an integer field: \"&\" needs one.")));
            }
            let lit = self.next().ok_or_else(|| self.end())?;
            let mask = match &lit.tok {
                Tok::Word(w) => operand::parse_int(w),
                Tok::Char(c) => Some(i128::from(*c)),
                _ => None,
            };
            op.mask = Some(mask.ok_or_else(|| {
                self.error(lit, &format!("\"{}\" is not a valid number.", &self.text[lit.start..lit.start + lit.len]))
            })?);
        }
        Ok(op)
    }

    fn slice(&mut self) -> Result<Vec<SliceRange>, FilterError> {
        let mut ranges = Vec::new();
        loop {
            let t = self.next().ok_or_else(|| self.end())?;
            let Tok::Word(w) = &t.tok else { return Err(self.unexpected(t)) };
            ranges.push(parse_range(w).ok_or_else(|| self.error(t, &format!("\"{w}\" is not a valid slice.")))?);
            match self.next() {
                Some(c) if sym_is(c, &[","]) => continue,
                Some(c) if sym_is(c, &["]"]) => return Ok(ranges),
                Some(c) => return Err(self.unexpected(c)),
                None => return Err(self.end()),
            }
        }
    }

    fn raw_literal(&mut self) -> Result<(RawLit, &'a Token), FilterError> {
        let t = self.next().ok_or_else(|| self.end())?;
        let raw = match &t.tok {
            Tok::Word(w) => RawLit::Word(w.clone()),
            Tok::Str(s) => RawLit::Str(s.clone()),
            Tok::Char(c) => RawLit::Char(*c),
            Tok::Sym(_) => return Err(self.unexpected(t)),
        };
        Ok((raw, t))
    }

    fn rhs(&mut self, lhs: &Operand) -> Result<Rhs, FilterError> {
        // A bare word naming a field is a field; anything else is a literal.
        if let Some(Token { tok: Tok::Word(w), .. }) = self.peek() {
            if operand::resolve(w).is_ok_and(|o| !o.protocol) {
                let rhs = self.operand(false)?;
                if rhs.value_kind() != lhs.value_kind() {
                    let t = &self.toks[self.pos - 1];
                    return Err(
                        self.error(t, &format!("\"{}\" and \"{}\" are of different types.", lhs.name, rhs.name))
                    );
                }
                return Ok(Rhs::Operand(rhs));
            }
        }
        let (raw, t) = self.raw_literal()?;
        operand::typed(lhs.value_kind(), &raw).map(Rhs::Lit).map_err(|m| {
            // A word shaped like a field name that is not one: say which fields are near.
            match &raw {
                RawLit::Word(w) if w.starts_with(|c: char| c.is_ascii_alphabetic()) && w.contains('.') => {
                    match operand::resolve(w) {
                        Err(near) if !near.is_empty() => {
                            let names = near.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(" or ");
                            self.error(
                                t,
                                &format!("{m} It is not a field pcapframe knows either. Did you mean {names}?"),
                            )
                        }
                        _ => self.error(t, &m),
                    }
                }
                _ => self.error(t, &m),
            }
        })
    }

    fn set(&mut self, lhs: Operand) -> Result<Node, FilterError> {
        match self.next() {
            Some(t) if sym_is(t, &["{"]) => {}
            Some(t) => return Err(self.unexpected(t)),
            None => return Err(self.end()),
        }
        let mut items = Vec::new();
        loop {
            let (raw, t) = self.raw_literal()?;
            let lo = operand::typed(lhs.value_kind(), &raw).map_err(|m| self.error(t, &m))?;
            let hi = if self.peek().is_some_and(|t| sym_is(t, &[".."])) {
                self.pos += 1;
                let (raw, t) = self.raw_literal()?;
                Some(operand::typed(lhs.value_kind(), &raw).map_err(|m| self.error(t, &m))?)
            } else {
                None
            };
            items.push((lo, hi));
            match self.next() {
                Some(c) if sym_is(c, &[","]) => continue,
                Some(c) if sym_is(c, &["}"]) => return Ok(Node::In { lhs, items }),
                Some(c) => return Err(self.unexpected(c)),
                None => return Err(self.end()),
            }
        }
    }

    fn contains(&mut self, lhs: Operand, op_token: &Token) -> Result<Node, FilterError> {
        if lhs.protocol {
            return Err(self.error(
                op_token,
                &format!("pcapframe cannot search the protocol \"{}\" (it keeps no raw bytes of layers).", lhs.name),
            ));
        }
        if !matches!(lhs.value_kind(), Kind::Bytes | Kind::Mac | Kind::Str) {
            return Err(self.error(
                op_token,
                &format!("\"{}\" is not a byte field: \"contains\" cannot be used on it.", lhs.name),
            ));
        }
        let (raw, t) = self.raw_literal()?;
        let kind = if lhs.value_kind() == Kind::Str { Kind::Str } else { Kind::Bytes };
        match operand::typed(kind, &raw).map_err(|m| self.error(t, &m))? {
            Lit::Bytes(b) => Ok(Node::Contains { lhs, needle: b }),
            _ => Err(self.error(t, "expected a string or byte string")),
        }
    }

    fn matches(&mut self, lhs: Operand) -> Result<Node, FilterError> {
        let t = self.next().ok_or_else(|| self.end())?;
        let Tok::Str(pattern) = &t.tok else {
            return Err(self.error(t, "The right side of \"matches\" must be a double-quoted string."));
        };
        if lhs.protocol || !matches!(lhs.value_kind(), Kind::Bytes | Kind::Str) {
            return Err(self.error(
                t,
                &format!("\"{}\" is not a string or byte field: \"matches\" cannot be used on it.", lhs.name),
            ));
        }
        let pattern = String::from_utf8_lossy(pattern).into_owned();
        let regex = regex::RegexBuilder::new(&pattern)
            .case_insensitive(true)
            .build()
            .map_err(|e| self.error(t, &format!("Invalid regular expression: {e}")))?;
        Ok(Node::Matches { lhs, regex })
    }
}

/// `i:j` (start, length), `i-j` (start, end inclusive), `i`, `:j`, `i:`; negative from the end.
fn parse_range(w: &str) -> Option<SliceRange> {
    let num = |s: &str| -> Option<i64> { s.parse().ok() };
    if let Some((a, b)) = w.split_once(':') {
        let start = if a.is_empty() { 0 } else { num(a)? };
        let len = if b.is_empty() { None } else { Some(num(b)?) };
        return Some(SliceRange { start, len });
    }
    // `i-j`, but `-4` alone is a negative start.
    if let Some(pos) = w[1..].find('-').map(|p| p + 1) {
        let (a, b) = (num(&w[..pos])?, num(&w[pos + 1..])?);
        return Some(SliceRange { start: a, len: Some(b - a + 1) });
    }
    Some(SliceRange { start: num(w)?, len: Some(1) })
}
