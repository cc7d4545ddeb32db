//! Rule text to a syntax tree: a hand-written lexer and a recursive-descent parser with
//! explicit bounds (text length, nesting depth, node count), because rule text arrives from
//! share links and bundles and is hostile input. Nothing here panics on any input.
//!
//! Precedence, loosest first: `or`, `and`, `not`, comparisons (`< <= > >= == !=`, not
//! chained), `+ -`, `* /`, unary `-`, then the postfix `x[n]` and calls `f(a, b)`.

use std::fmt;

/// The longest rule text, in bytes.
pub const MAX_RULE_BYTES: usize = 8 * 1024;
/// The deepest nesting of parentheses, calls and operators.
pub const MAX_DEPTH: usize = 64;
/// The most nodes one rule may have.
pub const MAX_NODES: usize = 1_000;

/// A place in one rule's text: byte offsets, half open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The span from the start of either to the end of either.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A mistake in one rule, at a place in its text.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

impl SyntaxError {
    pub fn new(span: Span, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            span,
            message: message.into(),
        }
    }
}

/// 1-based line and column (in characters) of byte offset `at` in `text`.
pub fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let mut line = 1;
    let mut column = 1;
    for (offset, ch) in text.char_indices() {
        if offset >= at {
            break;
        }
        if ch == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne
        )
    }

    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or)
    }
}

impl fmt::Display for BinaryOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Number(f64),
    Bool(bool),
    /// An input series (`close`) or a param (`fast`).
    Name(String),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `x[n]`: the value `n` bars ago.
    Index(Box<Expr>, Box<Expr>),
    /// A function call; the name without a `ta.` prefix, and where the name was written.
    Call(String, Span, Vec<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Token<'a> {
    Number(f64),
    Ident(&'a str),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Op(BinaryOp),
    Minus,
    End,
}

impl Token<'_> {
    fn describe(&self) -> String {
        match self {
            Token::Number(value) => format!("number {value}"),
            Token::Ident(name) => format!("`{name}`"),
            Token::LParen => "`(`".into(),
            Token::RParen => "`)`".into(),
            Token::LBracket => "`[`".into(),
            Token::RBracket => "`]`".into(),
            Token::Comma => "`,`".into(),
            Token::Op(op) => format!("`{op}`"),
            Token::Minus => "`-`".into(),
            Token::End => "the end of the rule".into(),
        }
    }
}

fn lex(text: &str) -> Result<Vec<(Token<'_>, Span)>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let byte = bytes[at];
        let single = |token| Some((token, 1));
        let found: Option<(Token, usize)> = match byte {
            b' ' | b'\t' | b'\r' | b'\n' => {
                at += 1;
                continue;
            }
            b'#' => {
                // A comment runs to the end of the line.
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
                continue;
            }
            b'(' => single(Token::LParen),
            b')' => single(Token::RParen),
            b'[' => single(Token::LBracket),
            b']' => single(Token::RBracket),
            b',' => single(Token::Comma),
            b'+' => single(Token::Op(BinaryOp::Add)),
            b'-' => single(Token::Minus),
            b'*' => single(Token::Op(BinaryOp::Mul)),
            b'/' => single(Token::Op(BinaryOp::Div)),
            b'<' if bytes.get(at + 1) == Some(&b'=') => Some((Token::Op(BinaryOp::Le), 2)),
            b'<' => single(Token::Op(BinaryOp::Lt)),
            b'>' if bytes.get(at + 1) == Some(&b'=') => Some((Token::Op(BinaryOp::Ge), 2)),
            b'>' => single(Token::Op(BinaryOp::Gt)),
            b'=' if bytes.get(at + 1) == Some(&b'=') => Some((Token::Op(BinaryOp::Eq), 2)),
            b'!' if bytes.get(at + 1) == Some(&b'=') => Some((Token::Op(BinaryOp::Ne), 2)),
            b'0'..=b'9' | b'.' => {
                let mut end = at;
                while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
                    end += 1;
                }
                // An exponent: 1e-3, 2.5E6.
                if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
                    let mut exp_end = end + 1;
                    if exp_end < bytes.len() && (bytes[exp_end] == b'+' || bytes[exp_end] == b'-') {
                        exp_end += 1;
                    }
                    if exp_end < bytes.len() && bytes[exp_end].is_ascii_digit() {
                        while exp_end < bytes.len() && bytes[exp_end].is_ascii_digit() {
                            exp_end += 1;
                        }
                        end = exp_end;
                    }
                }
                let literal = &text[at..end];
                let span = Span { start: at, end };
                let value: f64 = literal
                    .parse()
                    .map_err(|_| SyntaxError::new(span, format!("{literal} is not a number")))?;
                if !value.is_finite() {
                    return Err(SyntaxError::new(span, format!("{literal} is too large")));
                }
                Some((Token::Number(value), end - at))
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let mut end = at;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric()
                        || bytes[end] == b'_'
                        || (bytes[end] == b'.' && &text[at..end] == "ta"))
                {
                    end += 1;
                }
                let word = &text[at..end];
                let token = match word {
                    "and" => Token::Op(BinaryOp::And),
                    "or" => Token::Op(BinaryOp::Or),
                    _ => Token::Ident(word),
                };
                Some((token, end - at))
            }
            _ => None,
        };
        match found {
            Some((token, len)) => {
                tokens.push((
                    token,
                    Span {
                        start,
                        end: start + len,
                    },
                ));
                at = start + len;
            }
            None => {
                let ch = text[at..].chars().next().unwrap_or('?');
                let span = Span {
                    start: at,
                    end: at + ch.len_utf8(),
                };
                let hint = match ch {
                    '=' => "; compare with ==",
                    '&' => "; write and",
                    '|' => "; write or",
                    '!' => "; write not, or != to compare",
                    _ => "",
                };
                return Err(SyntaxError::new(
                    span,
                    format!("unexpected character {ch:?}{hint}"),
                ));
            }
        }
    }
    // The end is where the last word ends, so "ends too early" points at it, not at a
    // trailing line break.
    let end = text.trim_end().len();
    tokens.push((Token::End, Span { start: end, end }));
    Ok(tokens)
}

/// Parses one rule's text.
pub fn parse(text: &str) -> Result<Expr, SyntaxError> {
    if text.len() > MAX_RULE_BYTES {
        return Err(SyntaxError::new(
            Span { start: 0, end: 0 },
            format!(
                "the rule is {} bytes long; the most is {MAX_RULE_BYTES}",
                text.len()
            ),
        ));
    }
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
        n_nodes: 0,
    };
    let expr = parser.or()?;
    let (token, span) = parser.peek();
    if token != Token::End {
        return Err(SyntaxError::new(
            span,
            format!("unexpected {} after a complete rule", token.describe()),
        ));
    }
    Ok(expr)
}

struct Parser<'a> {
    tokens: Vec<(Token<'a>, Span)>,
    at: usize,
    depth: usize,
    n_nodes: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> (Token<'a>, Span) {
        // `lex` always ends with `End`, and `advance` never moves past it.
        self.tokens
            .get(self.at)
            .or(self.tokens.last())
            .copied()
            .unwrap_or((Token::End, Span { start: 0, end: 0 }))
    }

    fn advance(&mut self) -> (Token<'a>, Span) {
        let found = self.peek();
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
        found
    }

    fn node(&mut self, kind: ExprKind, span: Span) -> Result<Expr, SyntaxError> {
        self.n_nodes += 1;
        if self.n_nodes > MAX_NODES {
            return Err(SyntaxError::new(
                span,
                format!("the rule is too long: more than {MAX_NODES} terms"),
            ));
        }
        Ok(Expr { kind, span })
    }

    fn enter(&mut self, span: Span) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::new(
                span,
                format!("the rule nests too deeply: more than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn binary(&mut self, op: BinaryOp, left: Expr, right: Expr) -> Result<Expr, SyntaxError> {
        let span = left.span.to(right.span);
        self.node(ExprKind::Binary(op, Box::new(left), Box::new(right)), span)
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        self.enter(self.peek().1)?;
        let mut left = self.and()?;
        while self.peek().0 == Token::Op(BinaryOp::Or) {
            self.advance();
            let right = self.and()?;
            left = self.binary(BinaryOp::Or, left, right)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.not()?;
        while self.peek().0 == Token::Op(BinaryOp::And) {
            self.advance();
            let right = self.not()?;
            left = self.binary(BinaryOp::And, left, right)?;
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        let (token, span) = self.peek();
        if token == Token::Ident("not") {
            self.advance();
            self.enter(span)?;
            let operand = self.not()?;
            self.depth -= 1;
            let whole = span.to(operand.span);
            return self.node(ExprKind::Unary(UnaryOp::Not, Box::new(operand)), whole);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let left = self.additive()?;
        if let (Token::Op(op), _) = self.peek() {
            if op.is_comparison() {
                self.advance();
                let right = self.additive()?;
                if let (Token::Op(next), span) = self.peek() {
                    if next.is_comparison() {
                        return Err(SyntaxError::new(
                            span,
                            format!("comparisons do not chain; write a {op} b and b {next} c"),
                        ));
                    }
                }
                return self.binary(op, left, right);
            }
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek().0 {
                Token::Op(BinaryOp::Add) => BinaryOp::Add,
                Token::Minus => BinaryOp::Sub,
                _ => break,
            };
            self.advance();
            let right = self.multiplicative()?;
            left = self.binary(op, left, right)?;
        }
        Ok(left)
    }

    fn multiplicative(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek().0 {
                Token::Op(BinaryOp::Mul) => BinaryOp::Mul,
                Token::Op(BinaryOp::Div) => BinaryOp::Div,
                _ => break,
            };
            self.advance();
            let right = self.unary()?;
            left = self.binary(op, left, right)?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        let (token, span) = self.peek();
        if token == Token::Minus {
            self.advance();
            self.enter(span)?;
            let operand = self.unary()?;
            self.depth -= 1;
            let whole = span.to(operand.span);
            return self.node(ExprKind::Unary(UnaryOp::Neg, Box::new(operand)), whole);
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, SyntaxError> {
        let mut expr = self.primary()?;
        while self.peek().0 == Token::LBracket {
            let (_, open) = self.advance();
            self.enter(open)?;
            let offset = self.or()?;
            self.depth -= 1;
            let (token, close) = self.advance();
            if token != Token::RBracket {
                return Err(SyntaxError::new(
                    close,
                    format!(
                        "expected `]` to close the `[` here, found {}",
                        token.describe()
                    ),
                ));
            }
            let span = expr.span.to(close);
            expr = self.node(ExprKind::Index(Box::new(expr), Box::new(offset)), span)?;
        }
        Ok(expr)
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let (token, span) = self.advance();
        match token {
            Token::Number(value) => self.node(ExprKind::Number(value), span),
            Token::Ident("true") => self.node(ExprKind::Bool(true), span),
            Token::Ident("false") => self.node(ExprKind::Bool(false), span),
            Token::Ident("not") => Err(SyntaxError::new(
                span,
                "not applies to a condition; put it before a comparison, in parentheses if needed",
            )),
            Token::Ident(name) => {
                if self.peek().0 == Token::LParen {
                    self.advance();
                    self.enter(span)?;
                    let mut args = Vec::new();
                    if self.peek().0 != Token::RParen {
                        loop {
                            args.push(self.or()?);
                            match self.peek().0 {
                                Token::Comma => {
                                    self.advance();
                                }
                                _ => break,
                            }
                        }
                    }
                    self.depth -= 1;
                    let (closing, close_span) = self.advance();
                    if closing != Token::RParen {
                        return Err(SyntaxError::new(
                            close_span,
                            format!(
                                "expected `,` or `)` in the call of {name}, found {}",
                                closing.describe()
                            ),
                        ));
                    }
                    let bare = name.strip_prefix("ta.").unwrap_or(name).to_owned();
                    self.node(ExprKind::Call(bare, span, args), span.to(close_span))
                } else if let Some(bare) = name.strip_prefix("ta.") {
                    Err(SyntaxError::new(
                        span,
                        format!("ta.{bare} is a function: call it with its arguments"),
                    ))
                } else {
                    self.node(ExprKind::Name(name.to_owned()), span)
                }
            }
            Token::LParen => {
                self.enter(span)?;
                let inner = self.or()?;
                self.depth -= 1;
                let (closing, close_span) = self.advance();
                if closing != Token::RParen {
                    return Err(SyntaxError::new(
                        close_span,
                        format!("expected `)` to close a `(`, found {}", closing.describe()),
                    ));
                }
                Ok(Expr {
                    kind: inner.kind,
                    span: span.to(close_span),
                })
            }
            Token::End => Err(SyntaxError::new(span, "the rule ends too early")),
            other => Err(SyntaxError::new(
                span,
                format!("unexpected {}", other.describe()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Number(v) => format!("{v}"),
            ExprKind::Bool(b) => format!("{b}"),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Unary(UnaryOp::Neg, e) => format!("(-{})", shape(e)),
            ExprKind::Unary(UnaryOp::Not, e) => format!("(not {})", shape(e)),
            ExprKind::Binary(op, a, b) => format!("({} {op} {})", shape(a), shape(b)),
            ExprKind::Index(e, n) => format!("{}[{}]", shape(e), shape(n)),
            ExprKind::Call(name, _, args) => format!(
                "{name}({})",
                args.iter().map(shape).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    #[test]
    fn precedence_and_postfix() {
        let expr =
            parse("not close > open + 2 * high[1] and ta.sma(close, 10) < 3 or false").unwrap();
        assert_eq!(
            shape(&expr),
            "(((not (close > (open + (2 * high[1])))) and (sma(close, 10) < 3)) or false)"
        );
        assert_eq!(
            shape(&parse("-close[2] / (1 - 1e-3)").unwrap()),
            "((-close[2]) / (1 - 0.001))"
        );
    }

    #[test]
    fn errors_name_the_place() {
        let err = parse("close > ").unwrap_err();
        assert_eq!(err.message, "the rule ends too early");
        let err = parse("a < b < c").unwrap_err();
        assert_eq!(err.span.start, 6);
        assert_eq!(line_column("x\n  yy", 4), (2, 3));
        assert!(parse("close = open").unwrap_err().message.contains("=="));
    }

    #[test]
    fn hostile_text_is_bounded() {
        let deep = "(".repeat(10_000) + "1" + &")".repeat(10_000);
        assert!(parse(&deep).unwrap_err().message.contains("bytes long"));
        let deep = "(".repeat(100) + "1" + &")".repeat(100);
        assert!(parse(&deep)
            .unwrap_err()
            .message
            .contains("nests too deeply"));
        let negations = "-".repeat(100) + "1";
        assert!(parse(&negations)
            .unwrap_err()
            .message
            .contains("nests too deeply"));
        let wide = vec!["1"; 1_100].join("+");
        assert!(parse(&wide).unwrap_err().message.contains("too long"));
    }
}
