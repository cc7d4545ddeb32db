//! Rules compiled to a column program: a syntax tree with its params' values becomes a list
//! of operations over whole columns. Names resolve to inputs or params here, types are
//! checked (number or condition, single value or series), expressions of params alone are
//! folded to constants, and a sub-expression written twice (`sma(close, fast)` in both
//! entries) becomes one operation. Running the program computes each operation once over
//! the whole dataset; indicators come from the feature store's cache, keyed by what they
//! compute, so a study that changes only a threshold recomputes no indicator.

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::functions::{self, Arg, Func, FunctionInfo, Returns};
use super::syntax::{BinaryOp, Expr, ExprKind, Span, SyntaxError, UnaryOp};
use crate::data::Candles;
use crate::features::{Column, FeatureError, FeatureStore};

/// The inputs every rule may read.
pub const INPUTS: [&str; 8] = [
    "open", "high", "low", "close", "volume", "hl2", "hlc3", "ohlc4",
];

/// Words rules reserve: params may not take these names.
pub const KEYWORDS: [&str; 5] = ["and", "or", "not", "true", "false"];

/// The longest length a function or an offset accepts, in bars.
pub const MAX_LENGTH: f64 = 10_000_000.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    Open,
    High,
    Low,
    Close,
    Volume,
    Hl2,
    Hlc3,
    Ohlc4,
}

impl Input {
    fn from_name(name: &str) -> Option<Input> {
        Some(match name {
            "open" => Input::Open,
            "high" => Input::High,
            "low" => Input::Low,
            "close" => Input::Close,
            "volume" => Input::Volume,
            "hl2" => Input::Hl2,
            "hlc3" => Input::Hlc3,
            "ohlc4" => Input::Ohlc4,
            _ => return None,
        })
    }
}

/// Index of an operation's result in a program.
pub type Slot = usize;

/// One operation of a program.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Number(f64),
    Flag(bool),
    Input(Input),
    Neg(Slot),
    Arith(BinaryOp, Slot, Slot),
    Compare(BinaryOp, Slot, Slot),
    Logic(BinaryOp, Slot, Slot),
    Not(Slot),
    /// The value `n` bars ago.
    Shift(Slot, usize),
    /// A one-input indicator with its lengths and (Bollinger) deviations.
    Indicator(Func, Slot, Vec<usize>, f64),
    Atr(usize),
    Cross {
        is_up: bool,
        a: Slot,
        b: Slot,
    },
    /// `abs`, `sqrt`, `log`.
    Math(Func, Slot),
    /// `min`, `max`.
    Pick(Func, Slot, Slot),
    Iff(Slot, Slot, Slot),
}

/// The kind of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Number,
    Condition,
}

impl Kind {
    fn article(self) -> &'static str {
        match self {
            Kind::Number => "a number",
            Kind::Condition => "a condition",
        }
    }
}

/// A lowered expression: its slot, its kind, and whether it is one value for every bar.
#[derive(Clone, Copy, Debug)]
struct Lowered {
    slot: Slot,
    kind: Kind,
    is_series: bool,
}

/// The compiled rules of one config: operations in evaluation order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    ops: Vec<Op>,
    /// Each operation written out canonically (what it computes, params substituted): the
    /// key of common sub-expressions and of the indicator cache.
    texts: Vec<String>,
    /// Bars before each operation's first possible defined value.
    warm_ups: Vec<usize>,
    dedup: BTreeMap<String, Slot>,
}

/// A mistake in a rule, at a place in its text.
pub type RuleError = SyntaxError;

impl Program {
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    pub fn text(&self, slot: Slot) -> &str {
        self.texts.get(slot).map_or("", String::as_str)
    }

    pub fn warm_up(&self, slot: Slot) -> usize {
        self.warm_ups.get(slot).copied().unwrap_or(0)
    }

    /// The program, one operation a line (`genesis rules check`).
    pub fn listing(&self) -> String {
        self.texts
            .iter()
            .enumerate()
            .map(|(slot, text)| format!("%{slot} = {text}\n"))
            .collect()
    }

    fn push(&mut self, op: Op, text: String, warm_up: usize) -> Slot {
        if let Some(&slot) = self.dedup.get(&text) {
            return slot;
        }
        let slot = self.ops.len();
        self.ops.push(op);
        self.dedup.insert(text.clone(), slot);
        self.texts.push(text);
        self.warm_ups.push(warm_up);
        slot
    }

    fn constant(&self, slot: Slot) -> Option<Constant> {
        match self.ops.get(slot)? {
            Op::Number(value) => Some(Constant::Number(*value)),
            Op::Flag(value) => Some(Constant::Flag(*value)),
            _ => None,
        }
    }

    fn number(&mut self, value: f64) -> Lowered {
        let slot = self.push(Op::Number(value), format_number(value), 0);
        Lowered {
            slot,
            kind: Kind::Number,
            is_series: false,
        }
    }

    fn flag(&mut self, value: bool) -> Lowered {
        let slot = self.push(Op::Flag(value), value.to_string(), 0);
        Lowered {
            slot,
            kind: Kind::Condition,
            is_series: false,
        }
    }

    fn series(&mut self, op: Op, text: String, warm_up: usize, kind: Kind) -> Lowered {
        let slot = self.push(op, text, warm_up);
        Lowered {
            slot,
            kind,
            is_series: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Constant {
    Number(f64),
    Flag(bool),
}

fn format_number(value: f64) -> String {
    if value == value.trunc() && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Lowers rule text trees into one program; errors point into the text being lowered.
pub struct Compiler<'a> {
    pub program: Program,
    params: &'a BTreeMap<String, f64>,
    text: &'a str,
}

impl<'a> Compiler<'a> {
    pub fn new(params: &'a BTreeMap<String, f64>) -> Compiler<'a> {
        Compiler {
            program: Program::default(),
            params,
            text: "",
        }
    }

    /// Lowers `expr` (parsed from `text`) and checks it is of `kind`; `what` names the rule
    /// in the message ("long_entry must be a condition").
    pub fn rule(
        &mut self,
        text: &'a str,
        expr: &Expr,
        kind: Kind,
        what: &str,
    ) -> Result<(Slot, bool), RuleError> {
        self.text = text;
        let lowered = self.lower(expr)?;
        if lowered.kind != kind {
            return Err(SyntaxError::new(
                expr.span,
                format!(
                    "{what} must be {}; {} is {}",
                    kind.article(),
                    self.snippet(expr.span),
                    lowered.kind.article()
                ),
            ));
        }
        Ok((lowered.slot, lowered.is_series))
    }

    /// The value of a constant slot (a rule of params alone).
    pub fn flag_value(&self, slot: Slot) -> Option<bool> {
        match self.program.constant(slot) {
            Some(Constant::Flag(value)) => Some(value),
            _ => None,
        }
    }

    fn snippet(&self, span: Span) -> String {
        let text = self.text.get(span.start..span.end).unwrap_or("").trim();
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.chars().count() > 40 {
            let cut: String = text.chars().take(37).collect();
            format!("{cut}…")
        } else {
            text
        }
    }

    fn error(&self, span: Span, message: String) -> RuleError {
        SyntaxError::new(span, message)
    }

    fn lower(&mut self, expr: &Expr) -> Result<Lowered, RuleError> {
        match &expr.kind {
            ExprKind::Number(value) => Ok(self.program.number(*value)),
            ExprKind::Bool(value) => Ok(self.program.flag(*value)),
            ExprKind::Name(name) => self.name(name, expr.span),
            ExprKind::Unary(op, operand) => self.unary(*op, operand),
            ExprKind::Binary(op, left, right) => self.binary(*op, left, right),
            ExprKind::Index(series, offset) => self.index(series, offset),
            ExprKind::Call(name, name_span, args) => self.call(name, *name_span, args, expr.span),
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Result<Lowered, RuleError> {
        if let Some(input) = Input::from_name(name) {
            return Ok(self
                .program
                .series(Op::Input(input), name.to_owned(), 0, Kind::Number));
        }
        if let Some(&value) = self.params.get(name) {
            return Ok(self.program.number(value));
        }
        if let Some(info) = functions::lookup(name) {
            return Err(self.error(
                span,
                format!("{name} is a function: call it as {}", info.signature()),
            ));
        }
        let candidates: Vec<String> = INPUTS
            .iter()
            .map(|input| (*input).to_owned())
            .chain(self.params.keys().cloned())
            .collect();
        let hint = nearest(name, &candidates)
            .map(|near| format!("; did you mean {near}?"))
            .unwrap_or_else(|| {
                format!(
                    "; the inputs are {} and the params {}",
                    INPUTS.join(", "),
                    if self.params.is_empty() {
                        "(none)".to_owned()
                    } else {
                        self.params.keys().cloned().collect::<Vec<_>>().join(", ")
                    }
                )
            });
        Err(self.error(span, format!("unknown series or param {name}{hint}")))
    }

    fn expect(
        &self,
        lowered: Lowered,
        kind: Kind,
        span: Span,
        needs: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        if lowered.kind == kind {
            Ok(())
        } else {
            Err(self.error(
                span,
                format!(
                    "{}; {} is {}",
                    needs(),
                    self.snippet(span),
                    lowered.kind.article()
                ),
            ))
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr) -> Result<Lowered, RuleError> {
        let inner = self.lower(operand)?;
        let text = self.program.text(inner.slot).to_owned();
        match op {
            UnaryOp::Neg => {
                self.expect(inner, Kind::Number, operand.span, || {
                    "- needs a number".to_owned()
                })?;
                if let Some(Constant::Number(value)) = self.program.constant(inner.slot) {
                    return Ok(self.program.number(-value));
                }
                let warm = self.program.warm_up(inner.slot);
                Ok(self.program.series(
                    Op::Neg(inner.slot),
                    format!("-({text})"),
                    warm,
                    Kind::Number,
                ))
            }
            UnaryOp::Not => {
                self.expect(inner, Kind::Condition, operand.span, || {
                    "not needs a condition".to_owned()
                })?;
                if let Some(Constant::Flag(value)) = self.program.constant(inner.slot) {
                    return Ok(self.program.flag(!value));
                }
                let warm = self.program.warm_up(inner.slot);
                Ok(self.program.series(
                    Op::Not(inner.slot),
                    format!("not ({text})"),
                    warm,
                    Kind::Condition,
                ))
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr) -> Result<Lowered, RuleError> {
        let a = self.lower(left)?;
        let b = self.lower(right)?;
        let result_kind = if op.is_logical() {
            for (side, expr) in [(a, left), (b, right)] {
                self.expect(side, Kind::Condition, expr.span, || {
                    format!("{op} needs two conditions")
                })?;
            }
            Kind::Condition
        } else if op.is_comparison() {
            let both_conditions = a.kind == Kind::Condition && b.kind == Kind::Condition;
            let equality = matches!(op, BinaryOp::Eq | BinaryOp::Ne);
            if !(both_conditions && equality) {
                for (side, expr) in [(a, left), (b, right)] {
                    self.expect(side, Kind::Number, expr.span, || {
                        if equality {
                            format!("{op} needs two numbers or two conditions")
                        } else {
                            format!("{op} needs two numbers")
                        }
                    })?;
                }
            }
            Kind::Condition
        } else {
            for (side, expr) in [(a, left), (b, right)] {
                self.expect(side, Kind::Number, expr.span, || {
                    format!("{op} needs two numbers")
                })?;
            }
            Kind::Number
        };
        let (ca, cb) = (self.program.constant(a.slot), self.program.constant(b.slot));
        if let (Some(x), Some(y)) = (ca, cb) {
            return Ok(match fold_binary(op, x, y) {
                Constant::Number(value) => self.program.number(value),
                Constant::Flag(value) => self.program.flag(value),
            });
        }
        let text = format!(
            "({} {op} {})",
            self.program.text(a.slot),
            self.program.text(b.slot)
        );
        let warm = self
            .program
            .warm_up(a.slot)
            .max(self.program.warm_up(b.slot));
        let operation = if op.is_logical() {
            Op::Logic(op, a.slot, b.slot)
        } else if op.is_comparison() {
            Op::Compare(op, a.slot, b.slot)
        } else {
            Op::Arith(op, a.slot, b.slot)
        };
        Ok(self.program.series(operation, text, warm, result_kind))
    }

    /// A single whole number of bars from a constant: lengths (positive) and offsets.
    fn bars(
        &self,
        lowered: Lowered,
        span: Span,
        what: &str,
        minimum: f64,
    ) -> Result<usize, RuleError> {
        let snippet = self.snippet(span);
        let value = match self.program.constant(lowered.slot) {
            Some(Constant::Number(value)) => value,
            Some(Constant::Flag(_)) => {
                return Err(self.error(
                    span,
                    format!("{what} must be a number of bars; {snippet} is a condition"),
                ))
            }
            None => {
                return Err(self.error(
                    span,
                    format!(
                        "{what} must be a single number of bars (a literal or a param), not a series; {snippet} is a series"
                    ),
                ))
            }
        };
        let found = if snippet == format_number(value) {
            format!("found {}", format_number(value))
        } else {
            format!("{snippet} is {}", format_number(value))
        };
        if value.is_nan() || value != value.trunc() || value < minimum {
            let kind = if minimum > 0.0 {
                "a positive whole number of bars"
            } else {
                "a whole number of bars, 0 or more"
            };
            return Err(self.error(span, format!("{what} must be {kind}; {found}")));
        }
        if value > MAX_LENGTH {
            return Err(self.error(
                span,
                format!(
                    "{what} must be at most {} bars; {found}",
                    format_number(MAX_LENGTH)
                ),
            ));
        }
        Ok(value as usize)
    }

    fn index(&mut self, series: &Expr, offset: &Expr) -> Result<Lowered, RuleError> {
        let base = self.lower(series)?;
        let by = self.lower(offset)?;
        if let Some(Constant::Number(value)) = self.program.constant(by.slot) {
            if value < 0.0 {
                return Err(self.error(
                    series.span.to(offset.span),
                    format!(
                        "{}[{}] would read a future bar; x[n] is the value n bars ago, n 0 or more",
                        self.snippet(series.span),
                        self.snippet(offset.span)
                    ),
                ));
            }
        }
        let n = self.bars(by, offset.span, "the offset in [ ]", 0.0)?;
        if n == 0 || !base.is_series {
            return Ok(base);
        }
        let text = format!("{}[{n}]", self.program.text(base.slot));
        let warm = self.program.warm_up(base.slot) + n;
        Ok(self
            .program
            .series(Op::Shift(base.slot, n), text, warm, base.kind))
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        args: &[Expr],
        span: Span,
    ) -> Result<Lowered, RuleError> {
        let Some(info) = functions::lookup(name) else {
            let names: Vec<String> = functions::FUNCTIONS
                .iter()
                .map(|info| info.name.to_owned())
                .collect();
            let hint = nearest(name, &names)
                .map(|near| format!("; did you mean {near}?"))
                .unwrap_or_else(|| "; `genesis rules functions` lists them".to_owned());
            return Err(self.error(name_span, format!("unknown function {name}{hint}")));
        };
        if args.len() != info.args.len() {
            let names: Vec<&str> = info.args.iter().map(|(arg, _)| *arg).collect();
            let plural = if names.len() == 1 { "" } else { "s" };
            return Err(self.error(
                span,
                format!(
                    "{name} takes {} argument{plural} ({}), found {}",
                    names.len(),
                    names.join(", "),
                    args.len()
                ),
            ));
        }
        let mut lowered = Vec::with_capacity(args.len());
        for (arg, expr) in args.iter().zip(info.args) {
            let value = self.lower(arg)?;
            self.check_arg(info, expr, value, arg.span)?;
            lowered.push(value);
        }
        self.apply(info, args, &lowered)
    }

    fn check_arg(
        &self,
        info: &FunctionInfo,
        (arg_name, arg): &(&str, Arg),
        value: Lowered,
        span: Span,
    ) -> Result<(), RuleError> {
        let name = info.name;
        match arg {
            Arg::Number | Arg::Length | Arg::Scalar => {
                self.expect(value, Kind::Number, span, || {
                    format!("{name}'s {arg_name} must be a number")
                })?;
                if *arg == Arg::Scalar && value.is_series {
                    return Err(self.error(
                        span,
                        format!(
                            "{name}'s {arg_name} must be a single number, not a series; {} is a series",
                            self.snippet(span)
                        ),
                    ));
                }
                Ok(())
            }
            Arg::Condition => self.expect(value, Kind::Condition, span, || {
                format!("{name}'s {arg_name} must be a condition")
            }),
            Arg::Either => Ok(()),
        }
    }

    fn apply(
        &mut self,
        info: &FunctionInfo,
        args: &[Expr],
        lowered: &[Lowered],
    ) -> Result<Lowered, RuleError> {
        let func = info.func;
        let texts: Vec<String> = lowered
            .iter()
            .map(|value| self.program.text(value.slot).to_owned())
            .collect();
        let warm_of = |program: &Program, slots: &[Lowered]| {
            slots
                .iter()
                .map(|value| program.warm_up(value.slot))
                .max()
                .unwrap_or(0)
        };
        match func {
            Func::Atr => {
                let n = self.bars(lowered[0], args[0].span, "atr's length", 1.0)?;
                Ok(self
                    .program
                    .series(Op::Atr(n), format!("atr({n})"), n, Kind::Number))
            }
            Func::Crossover | Func::Crossunder => {
                let (a, b) = (lowered[0], lowered[1]);
                if !a.is_series && !b.is_series {
                    // Two constants never cross.
                    return Ok(self.program.flag(false));
                }
                let warm = warm_of(&self.program, lowered) + 1;
                Ok(self.program.series(
                    Op::Cross {
                        is_up: func == Func::Crossover,
                        a: a.slot,
                        b: b.slot,
                    },
                    format!("{}({}, {})", info.name, texts[0], texts[1]),
                    warm,
                    Kind::Condition,
                ))
            }
            Func::Abs | Func::Sqrt | Func::Log => {
                let x = lowered[0];
                if let Some(Constant::Number(value)) = self.program.constant(x.slot) {
                    return Ok(self.program.number(math(func, value)));
                }
                let warm = self.program.warm_up(x.slot);
                Ok(self.program.series(
                    Op::Math(func, x.slot),
                    format!("{}({})", info.name, texts[0]),
                    warm,
                    Kind::Number,
                ))
            }
            Func::Min | Func::Max => {
                let (a, b) = (lowered[0], lowered[1]);
                if let (Some(Constant::Number(x)), Some(Constant::Number(y))) =
                    (self.program.constant(a.slot), self.program.constant(b.slot))
                {
                    return Ok(self.program.number(pick(func, x, y)));
                }
                let warm = warm_of(&self.program, lowered);
                Ok(self.program.series(
                    Op::Pick(func, a.slot, b.slot),
                    format!("{}({}, {})", info.name, texts[0], texts[1]),
                    warm,
                    Kind::Number,
                ))
            }
            Func::Iff => {
                let (condition, then, otherwise) = (lowered[0], lowered[1], lowered[2]);
                if then.kind != otherwise.kind {
                    return Err(self.error(
                        args[1].span.to(args[2].span),
                        format!(
                            "iff's then and else must both be numbers or both conditions; {} is {} and {} is {}",
                            self.snippet(args[1].span),
                            then.kind.article(),
                            self.snippet(args[2].span),
                            otherwise.kind.article()
                        ),
                    ));
                }
                if let Some(Constant::Flag(value)) = self.program.constant(condition.slot) {
                    return Ok(if value { then } else { otherwise });
                }
                let warm = warm_of(&self.program, lowered);
                Ok(self.program.series(
                    Op::Iff(condition.slot, then.slot, otherwise.slot),
                    format!("iff({}, {}, {})", texts[0], texts[1], texts[2]),
                    warm,
                    then.kind,
                ))
            }
            _ => {
                // A one-input indicator: its input, then lengths (and deviations).
                let x = lowered[0];
                let mut lengths = Vec::new();
                let mut deviations = 0.0;
                for ((value, expr), (arg_name, arg)) in
                    lowered.iter().zip(args).zip(info.args).skip(1)
                {
                    match arg {
                        Arg::Length => lengths.push(self.bars(
                            *value,
                            expr.span,
                            &format!("{}'s {arg_name}", info.name),
                            1.0,
                        )?),
                        Arg::Scalar => {
                            if let Some(Constant::Number(k)) = self.program.constant(value.slot) {
                                if !k.is_finite() || k <= 0.0 {
                                    return Err(self.error(
                                        expr.span,
                                        format!(
                                            "{}'s {arg_name} must be a positive number; found {}",
                                            info.name,
                                            format_number(k)
                                        ),
                                    ));
                                }
                                deviations = k;
                            }
                        }
                        _ => {}
                    }
                }
                let mut text = format!("{}({}", info.name, texts[0]);
                for length in &lengths {
                    text.push_str(&format!(", {length}"));
                }
                if matches!(func, Func::BbUpper | Func::BbLower) {
                    text.push_str(&format!(", {}", format_number(deviations)));
                }
                text.push(')');
                let warm = self.program.warm_up(x.slot) + functions::lookback(func, &lengths);
                Ok(self.program.series(
                    Op::Indicator(func, x.slot, lengths, deviations),
                    text,
                    warm,
                    Kind::Number,
                ))
            }
        }
    }
}

/// The candidate nearest to a name typed in a rule: names are short, so a swap of two
/// letters (two edits) still counts as a typo from four letters on.
pub fn nearest(typed: &str, candidates: &[String]) -> Option<String> {
    genesis_text::nearest(
        typed,
        candidates.iter().map(String::as_str),
        |typed, candidate| (typed.chars().count().max(candidate.chars().count()) / 2).max(1),
    )
    .map(str::to_owned)
}

fn math(func: Func, value: f64) -> f64 {
    match func {
        Func::Abs => value.abs(),
        Func::Sqrt => libm::sqrt(value),
        Func::Log if value > 0.0 => libm::log(value),
        _ => f64::NAN,
    }
}

fn pick(func: Func, a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if func == Func::Min {
        if b < a {
            b
        } else {
            a
        }
    } else if b > a {
        b
    } else {
        a
    }
}

fn arith(op: BinaryOp, a: f64, b: f64) -> f64 {
    match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        // Division by zero is undefined, not infinite.
        BinaryOp::Div if b == 0.0 => f64::NAN,
        BinaryOp::Div => a / b,
        _ => f64::NAN,
    }
}

/// Any comparison with an undefined value is false (`!=` too).
fn compare(op: BinaryOp, a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return false;
    }
    match op {
        BinaryOp::Lt => a < b,
        BinaryOp::Le => a <= b,
        BinaryOp::Gt => a > b,
        BinaryOp::Ge => a >= b,
        BinaryOp::Eq => a == b,
        BinaryOp::Ne => a != b,
        _ => false,
    }
}

fn logic(op: BinaryOp, a: bool, b: bool) -> bool {
    match op {
        BinaryOp::And => a && b,
        BinaryOp::Or => a || b,
        BinaryOp::Eq => a == b,
        BinaryOp::Ne => a != b,
        _ => false,
    }
}

fn fold_binary(op: BinaryOp, a: Constant, b: Constant) -> Constant {
    match (a, b) {
        (Constant::Number(x), Constant::Number(y)) if op.is_comparison() => {
            Constant::Flag(compare(op, x, y))
        }
        (Constant::Number(x), Constant::Number(y)) => Constant::Number(arith(op, x, y)),
        (Constant::Flag(x), Constant::Flag(y)) => Constant::Flag(logic(op, x, y)),
        _ => Constant::Flag(false),
    }
}

/// A number column as evaluation holds it: a candle field, a store column, or owned.
#[derive(Clone, Debug)]
enum Numbers {
    Candle(Input),
    Column(Arc<Column>),
    Owned(Arc<Vec<f64>>),
}

enum Evaluated {
    Number(f64),
    Flag(bool),
    Numbers(Numbers),
    Flags(Arc<Vec<bool>>),
}

/// The values of a program's operations over one dataset.
pub struct Evaluation {
    candles: Arc<Candles>,
    values: Vec<Evaluated>,
}

impl Evaluation {
    /// Runs every operation of `program` over `store`'s dataset.
    pub fn run(program: &Program, store: &mut FeatureStore) -> Result<Evaluation, FeatureError> {
        let candles = Arc::clone(store.candles());
        let mut evaluation = Evaluation {
            candles,
            values: Vec::with_capacity(program.ops.len()),
        };
        for (slot, op) in program.ops.iter().enumerate() {
            let value = evaluation.operation(program, slot, op, store)?;
            evaluation.values.push(value);
        }
        Ok(evaluation)
    }

    fn len(&self) -> usize {
        self.candles.len()
    }

    fn numbers(&self, slot: Slot) -> NumberView<'_> {
        match &self.values[slot] {
            Evaluated::Number(value) => NumberView::Scalar(*value),
            Evaluated::Numbers(numbers) => NumberView::Series(self.slice(numbers)),
            // Type checking keeps conditions out of number operations.
            Evaluated::Flag(_) | Evaluated::Flags(_) => NumberView::Scalar(f64::NAN),
        }
    }

    fn flags(&self, slot: Slot) -> FlagView<'_> {
        match &self.values[slot] {
            Evaluated::Flag(value) => FlagView::Scalar(*value),
            Evaluated::Flags(flags) => FlagView::Series(flags),
            Evaluated::Number(_) | Evaluated::Numbers(_) => FlagView::Scalar(false),
        }
    }

    fn slice<'s>(&'s self, numbers: &'s Numbers) -> &'s [f64] {
        match numbers {
            Numbers::Candle(input) => match input {
                Input::Open => self.candles.open(),
                Input::High => self.candles.high(),
                Input::Low => self.candles.low(),
                Input::Close => self.candles.close(),
                Input::Volume => self.candles.volume(),
                // Derived inputs are evaluated to owned columns.
                Input::Hl2 | Input::Hlc3 | Input::Ohlc4 => &[],
            },
            Numbers::Column(column) => column.values(),
            Numbers::Owned(values) => values,
        }
    }

    /// The number column of `slot` (a constant repeated), for plots and exits.
    pub fn number_column(&self, slot: Slot) -> Vec<f64> {
        match self.numbers(slot) {
            NumberView::Scalar(value) => vec![value; self.len()],
            NumberView::Series(values) => values.to_vec(),
        }
    }

    /// The condition column of `slot`.
    pub fn flag_column(&self, slot: Slot) -> Vec<bool> {
        match self.flags(slot) {
            FlagView::Scalar(value) => vec![value; self.len()],
            FlagView::Series(values) => values.to_vec(),
        }
    }

    /// Sets `bit` in `flags` at every bar where the condition `slot` holds.
    pub fn set_bit_where(&self, slot: Slot, flags: &mut [u8], bit: u8) {
        match self.flags(slot) {
            FlagView::Scalar(false) => {}
            FlagView::Scalar(true) => flags.iter_mut().for_each(|flag| *flag |= bit),
            FlagView::Series(values) => flags
                .iter_mut()
                .zip(values)
                .for_each(|(flag, &holds)| *flag |= bit * u8::from(holds)),
        }
    }

    fn operation(
        &self,
        program: &Program,
        slot: Slot,
        op: &Op,
        store: &mut FeatureStore,
    ) -> Result<Evaluated, FeatureError> {
        let len = self.len();
        Ok(match op {
            Op::Number(value) => Evaluated::Number(*value),
            Op::Flag(value) => Evaluated::Flag(*value),
            Op::Input(input) => match input {
                Input::Hl2 => self.owned(|c, i| (c.high()[i] + c.low()[i]) / 2.0),
                Input::Hlc3 => self.owned(|c, i| (c.high()[i] + c.low()[i] + c.close()[i]) / 3.0),
                Input::Ohlc4 => {
                    self.owned(|c, i| (c.open()[i] + c.high()[i] + c.low()[i] + c.close()[i]) / 4.0)
                }
                _ => Evaluated::Numbers(Numbers::Candle(*input)),
            },
            Op::Neg(a) => self.map_numbers(*a, |x| -x),
            Op::Arith(op, a, b) => self.zip_numbers(*a, *b, |x, y| arith(*op, x, y)),
            Op::Compare(op, a, b) => {
                let (x, y) = (self.numbers(*a), self.numbers(*b));
                Evaluated::Flags(Arc::new(pairwise(x, y, len, |p, q| compare(*op, p, q))))
            }
            Op::Logic(op, a, b) => {
                let (x, y) = (self.flags(*a), self.flags(*b));
                Evaluated::Flags(Arc::new(
                    (0..len).map(|i| logic(*op, x.at(i), y.at(i))).collect(),
                ))
            }
            Op::Not(a) => {
                let x = self.flags(*a);
                Evaluated::Flags(Arc::new((0..len).map(|i| !x.at(i)).collect()))
            }
            Op::Shift(a, n) => match &self.values[*a] {
                Evaluated::Flags(_) | Evaluated::Flag(_) => {
                    let x = self.flags(*a);
                    Evaluated::Flags(Arc::new((0..len).map(|i| i >= *n && x.at(i - n)).collect()))
                }
                _ => {
                    let x = self.numbers(*a);
                    self.owned_values(
                        (0..len).map(|i| if i >= *n { x.at(i - n) } else { f64::NAN }),
                    )
                }
            },
            Op::Indicator(func, x, lengths, k) => {
                Evaluated::Numbers(self.indicator(program, slot, *func, *x, lengths, *k, store)?)
            }
            Op::Atr(n) => Evaluated::Numbers(Numbers::Column(store.atr(*n as u32)?)),
            Op::Cross { is_up, a, b } => {
                let (x, y) = (self.numbers(*a), self.numbers(*b));
                // Below: a[i] < b[i]; a cross up is below at i − 1 and above at i (a cross
                // down is a cross up of b over a).
                let (x, y) = if *is_up { (x, y) } else { (y, x) };
                let mut out = Vec::with_capacity(len);
                out.push(false);
                match (x, y) {
                    (NumberView::Series(xs), NumberView::Series(ys)) => out.extend(
                        xs.windows(2)
                            .zip(ys.windows(2))
                            .map(|(p, q)| p[0] < q[0] && p[1] > q[1]),
                    ),
                    _ => {
                        out.extend((1..len).map(|i| x.at(i - 1) < y.at(i - 1) && x.at(i) > y.at(i)))
                    }
                }
                out.truncate(len);
                Evaluated::Flags(Arc::new(out))
            }
            Op::Math(func, a) => self.map_numbers(*a, |x| math(*func, x)),
            Op::Pick(func, a, b) => self.zip_numbers(*a, *b, |x, y| pick(*func, x, y)),
            Op::Iff(c, a, b) => {
                let condition = self.flags(*c);
                match (&self.values[*a], &self.values[*b]) {
                    (
                        Evaluated::Flag(_) | Evaluated::Flags(_),
                        Evaluated::Flag(_) | Evaluated::Flags(_),
                    ) => {
                        let (x, y) = (self.flags(*a), self.flags(*b));
                        Evaluated::Flags(Arc::new(
                            (0..len)
                                .map(|i| if condition.at(i) { x.at(i) } else { y.at(i) })
                                .collect(),
                        ))
                    }
                    _ => {
                        let (x, y) = (self.numbers(*a), self.numbers(*b));
                        self.owned_values((0..len).map(|i| {
                            if condition.at(i) {
                                x.at(i)
                            } else {
                                y.at(i)
                            }
                        }))
                    }
                }
            }
        })
    }

    fn owned(&self, at: impl Fn(&Candles, usize) -> f64) -> Evaluated {
        let candles = &*self.candles;
        self.owned_values((0..self.len()).map(|i| at(candles, i)))
    }

    fn owned_values(&self, values: impl Iterator<Item = f64>) -> Evaluated {
        Evaluated::Numbers(Numbers::Owned(Arc::new(values.collect())))
    }

    fn map_numbers(&self, a: Slot, f: impl Fn(f64) -> f64) -> Evaluated {
        match self.numbers(a) {
            NumberView::Scalar(value) => Evaluated::Number(f(value)),
            NumberView::Series(values) => self.owned_values(values.iter().map(|&x| f(x))),
        }
    }

    fn zip_numbers(&self, a: Slot, b: Slot, f: impl Fn(f64, f64) -> f64) -> Evaluated {
        let (x, y) = (self.numbers(a), self.numbers(b));
        match (x, y) {
            (NumberView::Series(xs), NumberView::Series(ys)) => {
                self.owned_values(xs.iter().zip(ys).map(|(&x, &y)| f(x, y)))
            }
            (NumberView::Series(xs), NumberView::Scalar(y)) => {
                self.owned_values(xs.iter().map(|&x| f(x, y)))
            }
            (NumberView::Scalar(x), NumberView::Series(ys)) => {
                self.owned_values(ys.iter().map(|&y| f(x, y)))
            }
            (NumberView::Scalar(x), NumberView::Scalar(y)) => Evaluated::Number(f(x, y)),
        }
    }

    /// An indicator from the store: the store's own columns for the ones it computes on
    /// close (shared with the built-in strategies, the same bits), else computed here and
    /// cached under the digest of what it computes.
    #[allow(clippy::too_many_arguments)]
    fn indicator(
        &self,
        program: &Program,
        slot: Slot,
        func: Func,
        x: Slot,
        lengths: &[usize],
        k: f64,
        store: &mut FeatureStore,
    ) -> Result<Numbers, FeatureError> {
        let n = lengths.first().copied().unwrap_or(0) as u32;
        if matches!(program.ops.get(x), Some(Op::Input(Input::Close))) {
            match func {
                Func::Sma => return Ok(Numbers::Column(store.sma(n)?)),
                Func::Ema => return Ok(Numbers::Column(store.ema(n)?)),
                Func::Rsi => return Ok(Numbers::Column(store.rsi(n)?)),
                _ => {}
            }
        }
        let digest: [u8; 32] =
            Sha256::digest(format!("genesis-rules-v1\0{}", program.text(slot)).as_bytes()).into();
        let (input, len) = (self.numbers(x), self.len());
        // The input is read only on a cache miss.
        let values = store.derived(digest, move |_| {
            let repeated;
            let series: &[f64] = match input {
                NumberView::Scalar(value) => {
                    repeated = vec![value; len];
                    &repeated
                }
                NumberView::Series(values) => values,
            };
            let values = functions::indicator(func, series, lengths, k);
            let bytes = values.len() * std::mem::size_of::<f64>();
            Ok::<_, FeatureError>((values, bytes))
        })?;
        Ok(Numbers::Owned(values))
    }
}

/// `f` of two number views bar by bar, over slices when both are series.
fn pairwise(x: NumberView, y: NumberView, len: usize, f: impl Fn(f64, f64) -> bool) -> Vec<bool> {
    match (x, y) {
        (NumberView::Series(xs), NumberView::Series(ys)) => {
            xs.iter().zip(ys).map(|(&p, &q)| f(p, q)).collect()
        }
        (NumberView::Series(xs), NumberView::Scalar(q)) => xs.iter().map(|&p| f(p, q)).collect(),
        (NumberView::Scalar(p), NumberView::Series(ys)) => ys.iter().map(|&q| f(p, q)).collect(),
        (NumberView::Scalar(p), NumberView::Scalar(q)) => vec![f(p, q); len],
    }
}

#[derive(Clone, Copy)]
enum NumberView<'a> {
    Scalar(f64),
    Series(&'a [f64]),
}

impl NumberView<'_> {
    #[inline]
    fn at(&self, i: usize) -> f64 {
        match self {
            NumberView::Scalar(value) => *value,
            NumberView::Series(values) => values.get(i).copied().unwrap_or(f64::NAN),
        }
    }
}

#[derive(Clone, Copy)]
enum FlagView<'a> {
    Scalar(bool),
    Series(&'a [bool]),
}

impl FlagView<'_> {
    #[inline]
    fn at(&self, i: usize) -> bool {
        match self {
            FlagView::Scalar(value) => *value,
            FlagView::Series(values) => values.get(i).copied().unwrap_or(false),
        }
    }
}

/// The reference's pane for a plotted slot: oscillators below the price chart.
pub fn pane_of(program: &Program, slot: Slot) -> functions::Pane {
    match program.ops.get(slot) {
        Some(Op::Indicator(func, ..)) => functions::info(*func).pane,
        Some(Op::Atr(_)) => functions::Pane::Below,
        Some(Op::Arith(_, a, b)) | Some(Op::Pick(_, a, b)) => {
            if pane_of(program, *a) == functions::Pane::Below
                && pane_of(program, *b) == functions::Pane::Below
            {
                functions::Pane::Below
            } else {
                functions::Pane::Price
            }
        }
        _ => functions::Pane::Price,
    }
}

/// What a function returns, for the reference.
pub fn returns_text(returns: Returns) -> &'static str {
    match returns {
        Returns::Number => "number",
        Returns::Condition => "condition",
        Returns::Branches => "like its branches",
    }
}
