//! Where a value sits in config text. The engine reports a mistake inside a rule at the
//! rule's own line and column (`rules.long_entry:1:14`), and a config mistake at a dotted key;
//! the editor underlines it in the YAML the trader is typing, so it must know which bytes of
//! the document each character of a value came from.
//!
//! This is a reader of the YAML configs are written in — block mappings and sequences, flow
//! collections (so JSON, which a shared link carries), plain, single- and double-quoted
//! scalars and literal and folded block scalars — that keeps, for every character of a
//! scalar's value, the byte range it was read from. It never decides whether a config is
//! valid (the engine does, in a worker); what it does not read (anchors, aliases, tags,
//! complex keys, directives) gives `None`, and the editor then shows the message without
//! an underline. Native tests hold its values equal to `serde_yaml_ng`'s.

use std::ops::Range;

use genesis_engine::strategy::StrategyError;

/// The deepest nesting read; deeper text (hostile or not a config) gives `None`.
const MAX_DEPTH: usize = 64;

/// One step of a dotted key: `rules.long_entry`, `require[0]`, `risk_map[1][0]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// The steps of a dotted key as the engine writes it.
pub fn parse_path(key: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            segments.push(Segment::Key(name.to_string()));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(close) = inner.find(']') else {
                break;
            };
            match inner[..close].parse() {
                Ok(index) => segments.push(Segment::Index(index)),
                Err(_) => segments.push(Segment::Key(inner[..close].to_string())),
            }
            rest = &inner[close + 1..];
        }
    }
    segments
}

/// A scalar as read: its value, and the source bytes of each of its characters.
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub value: String,
    /// The source bytes of each character of `value`, in order. A character the reader
    /// made (a folded line break read as a space) points at the line break it came from.
    spans: Vec<Range<usize>>,
    /// Where the scalar ends in the source: a mistake "at the end of the rule" is marked
    /// here.
    end: usize,
}

impl Scalar {
    /// The source bytes of the whole scalar (its first character to its last).
    pub fn range(&self) -> Range<usize> {
        match (self.spans.first(), self.spans.last()) {
            (Some(first), Some(last)) => first.start..last.end,
            _ => self.end..self.end,
        }
    }

    /// The source bytes of the token that starts at 1-based `line` and `column` (in
    /// characters) of the value, counted as the engine counts them: a name or number is
    /// marked whole, anything else one character, and a position past the end is an empty
    /// range at the scalar's end. The range never runs past the end of its source line.
    pub fn token_at(&self, source: &str, line: usize, column: usize) -> Option<Range<usize>> {
        let chars: Vec<char> = self.value.chars().collect();
        let (mut at_line, mut at_column) = (1, 1);
        let mut index = None;
        for (i, ch) in chars.iter().enumerate() {
            if (at_line, at_column) == (line, column) {
                index = Some(i);
                break;
            }
            if *ch == '\n' {
                at_line += 1;
                at_column = 1;
            } else {
                at_column += 1;
            }
        }
        let Some(start) = index else {
            return ((at_line, at_column) == (line, column)).then_some(self.end..self.end);
        };
        let is_word = |ch: char| ch.is_alphanumeric() || ch == '_' || ch == '.';
        let mut stop = start + 1;
        if is_word(chars[start]) {
            while stop < chars.len() && is_word(chars[stop]) {
                stop += 1;
            }
        }
        let from = self.spans[start].start;
        let to = self.spans[stop - 1].end.max(from);
        Some(from..to.min(line_end(source, from)).max(from))
    }
}

/// Byte offset of the end of the line holding `at` (before its line break).
fn line_end(source: &str, at: usize) -> usize {
    source[at.min(source.len())..]
        .find('\n')
        .map_or(source.len(), |i| at + i)
}

/// A node of the document.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Scalar(Scalar),
    /// `(key, value)` in the order written.
    Map(Vec<(Scalar, Node)>),
    Seq(Vec<Node>),
    /// Nothing written (`key:` with no value); where it would have been.
    Empty(usize),
}

/// The document's root node, or `None` when the text uses YAML this reader does not read.
pub fn read(source: &str) -> Option<Node> {
    let mut reader = Reader {
        text: source,
        bytes: source.as_bytes(),
        pos: 0,
        depth: 0,
    };
    reader.document()
}

/// The scalar value at dotted `key`.
pub fn value_at(source: &str, key: &str) -> Option<Scalar> {
    match find(&read(source)?, &parse_path(key))? {
        (_, Node::Scalar(scalar)) => Some(scalar.clone()),
        _ => None,
    }
}

/// The node at `path` and the key it is written under (none for a sequence item or the
/// root).
fn find<'n>(root: &'n Node, path: &[Segment]) -> Option<(Option<&'n Scalar>, &'n Node)> {
    let mut key = None;
    let mut node = root;
    for segment in path {
        match (segment, node) {
            (Segment::Key(name), Node::Map(entries)) => {
                let (k, v) = entries.iter().find(|(k, _)| k.value == *name)?;
                key = Some(k);
                node = v;
            }
            (Segment::Index(i), Node::Seq(items)) => {
                key = None;
                node = items.get(*i)?;
            }
            _ => return None,
        }
    }
    Some((key, node))
}

/// The deepest node `path` reaches, and how many of its steps it took: an unknown key
/// is marked on its parent's key when the key itself is not written where its path says
/// (a key nested under a wrong section).
fn find_prefix<'n>(root: &'n Node, path: &[Segment]) -> Option<(Option<&'n Scalar>, &'n Node)> {
    (1..=path.len())
        .rev()
        .find_map(|n| find(root, &path[..n]).filter(|(key, _)| key.is_some()))
}

/// The bytes of `source` to underline for `error`: inside a rule, the token at the rule's
/// line and column; an unknown key, the key; an invalid value, the value (or its key when
/// the value is a section); a YAML syntax error, the character it names.
pub fn error_mark(source: &str, error: &StrategyError) -> Option<Range<usize>> {
    match error {
        StrategyError::Rule {
            key, line, column, ..
        } => value_at(source, key)?.token_at(source, *line, *column),
        StrategyError::Syntax { line, column, .. } => syntax_mark(source, *line, *column),
        StrategyError::UnknownKey { key, .. } => {
            let root = read(source)?;
            let (key, _) = find_prefix(&root, &parse_path(key))?;
            key.map(Scalar::range)
        }
        StrategyError::Invalid { key, .. } => {
            let root = read(source)?;
            match find(&root, &parse_path(key))? {
                (_, Node::Scalar(scalar)) if !scalar.value.is_empty() => Some(scalar.range()),
                (Some(key), _) => Some(key.range()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The character at 1-based `line` and `column` of `source` (a YAML syntax error's place).
fn syntax_mark(source: &str, line: usize, column: usize) -> Option<Range<usize>> {
    let start = source
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    let text = source.get(start..)?;
    let text = &text[..text.find('\n').unwrap_or(text.len())];
    match text.char_indices().nth(column.saturating_sub(1)) {
        Some((at, ch)) => Some(start + at..start + at + ch.len_utf8()),
        None => Some(start + text.len()..start + text.len()),
    }
}

/// The 1-based line of byte offset `at`.
pub fn line_of(source: &str, at: usize) -> usize {
    source.as_bytes()[..at.min(source.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

/// A scalar being read: characters pushed with the source bytes they came from.
struct Builder {
    value: String,
    spans: Vec<Range<usize>>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            value: String::new(),
            spans: Vec::new(),
        }
    }

    fn push(&mut self, ch: char, span: Range<usize>) {
        self.value.push(ch);
        self.spans.push(span);
    }

    /// The characters of `text[range]` as they are.
    fn push_source(&mut self, text: &str, range: Range<usize>) {
        for (i, ch) in text[range.clone()].char_indices() {
            let at = range.start + i;
            self.push(ch, at..at + ch.len_utf8());
        }
    }

    fn finish(self, end: usize) -> Scalar {
        Scalar {
            value: self.value,
            spans: self.spans,
            end,
        }
    }
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at(&self, pos: usize) -> Option<u8> {
        self.bytes.get(pos).copied()
    }

    fn is_blank(byte: Option<u8>) -> bool {
        matches!(byte, None | Some(b' ' | b'\t' | b'\n' | b'\r'))
    }

    fn line_start(&self, pos: usize) -> usize {
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    fn column(&self, pos: usize) -> usize {
        pos - self.line_start(pos)
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Past spaces and a comment to the end of the line: true when nothing else is on it.
    fn rest_of_line_is_empty(&mut self) -> bool {
        self.skip_spaces();
        if self.peek() == Some(b'#') {
            self.pos = line_end(self.text, self.pos);
        }
        matches!(self.peek(), None | Some(b'\n' | b'\r'))
    }

    /// The next line holding something other than spaces and a comment, from the line
    /// after `self.pos`: `(indent, position of its first character)`.
    fn next_content_line(&self) -> Option<(usize, usize)> {
        let mut break_at = line_end(self.text, self.pos);
        while break_at < self.bytes.len() {
            let start = break_at + 1;
            let end = line_end(self.text, start);
            let line = &self.text[start..end];
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let rest = line[spaces..].trim_matches([' ', '\t', '\r']);
            if !rest.is_empty() && !rest.starts_with('#') {
                return Some((spaces, start + spaces));
            }
            break_at = end;
        }
        None
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn document(&mut self) -> Option<Node> {
        // The first content line, past comments, blank lines and a `---` marker.
        loop {
            let start = self.pos;
            self.skip_spaces();
            match self.peek() {
                None => return Some(Node::Empty(self.pos)),
                Some(b'#' | b'\n' | b'\r') => {}
                Some(b'%') => return None,
                Some(b'-')
                    if self.text[self.pos..].starts_with("---") && self.column(self.pos) == 0 =>
                {
                    self.pos += 3;
                    if !self.rest_of_line_is_empty() {
                        return None;
                    }
                }
                Some(_) => {
                    let indent = self.pos - start;
                    return self.block_node_here(indent);
                }
            }
            self.pos = line_end(self.text, self.pos);
            if self.pos >= self.bytes.len() {
                return Some(Node::Empty(self.pos));
            }
            self.pos += 1;
        }
    }

    /// A node starting at `self.pos`, the first character of a line indented `indent`.
    fn block_node_here(&mut self, indent: usize) -> Option<Node> {
        match self.peek()? {
            b'-' if Self::is_blank(self.at(self.pos + 1)) => self.block_sequence(indent),
            b'[' | b'{' | b'|' | b'>' => self.inline_value(indent.checked_sub(1)),
            b'"' | b'\'' => {
                if self.quoted_key_follows() {
                    self.block_mapping(indent)
                } else {
                    self.inline_value(indent.checked_sub(1))
                }
            }
            _ => {
                if self.plain_key_follows() {
                    self.block_mapping(indent)
                } else {
                    self.inline_value(indent.checked_sub(1))
                }
            }
        }
    }

    /// True when the plain text from `self.pos` is a key: a `:` followed by a blank before
    /// the end of the line or a comment.
    fn plain_key_follows(&self) -> bool {
        let end = line_end(self.text, self.pos);
        let line = &self.bytes[self.pos..end];
        for (i, &b) in line.iter().enumerate() {
            if b == b':' && Self::is_blank(line.get(i + 1).copied()) {
                return true;
            }
            if b == b'#' && i > 0 && matches!(line[i - 1], b' ' | b'\t') {
                return false;
            }
        }
        false
    }

    /// True when the quoted scalar at `self.pos` is followed on its line by `:`.
    fn quoted_key_follows(&self) -> bool {
        if !matches!(self.peek(), Some(b'"' | b'\'')) {
            return false;
        }
        let mut probe = Reader {
            text: self.text,
            bytes: self.bytes,
            pos: self.pos,
            depth: self.depth,
        };
        if probe.quoted().is_none() {
            return false;
        }
        probe.skip_spaces();
        probe.peek() == Some(b':')
    }

    /// A block mapping whose keys are indented `indent`; `self.pos` is at its first key.
    fn block_mapping(&mut self, indent: usize) -> Option<Node> {
        self.enter()?;
        let mut entries = Vec::new();
        loop {
            let key = match self.peek()? {
                b'"' | b'\'' => self.quoted()?,
                b'?' | b'&' | b'*' | b'!' | b'-' | b'[' | b'{' => return None,
                _ => self.plain_key()?,
            };
            self.skip_spaces();
            if self.peek() != Some(b':') {
                return None;
            }
            self.pos += 1;
            let value = self.block_value(indent)?;
            entries.push((key, value));
            match self.next_content_line() {
                Some((next, pos)) if next == indent => {
                    self.pos = pos;
                    if self.peek() == Some(b'-') && Self::is_blank(self.at(pos + 1)) {
                        return None;
                    }
                }
                Some((next, _)) if next > indent => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(Node::Map(entries))
    }

    fn plain_key(&mut self) -> Option<Scalar> {
        let start = self.pos;
        let end = line_end(self.text, start);
        let line = &self.bytes[start..end];
        let colon = (0..line.len())
            .find(|&i| line[i] == b':' && Self::is_blank(line.get(i + 1).copied()))?;
        let key_end = start + self.text[start..start + colon].trim_end().len();
        let mut builder = Builder::new();
        builder.push_source(self.text, start..key_end);
        self.pos = start + colon;
        Some(builder.finish(key_end))
    }

    /// The value after a block mapping key's `:` (the key indented `indent`).
    fn block_value(&mut self, indent: usize) -> Option<Node> {
        self.skip_spaces();
        match self.peek() {
            None | Some(b'#' | b'\n' | b'\r') => {
                let here = self.pos;
                self.rest_of_line_is_empty();
                match self.next_content_line() {
                    Some((next, pos)) if next > indent => {
                        self.pos = pos;
                        self.block_node_here(next)
                    }
                    // A sequence may sit at its key's own indent.
                    Some((next, pos))
                        if next == indent
                            && self.at(pos) == Some(b'-')
                            && Self::is_blank(self.at(pos + 1)) =>
                    {
                        self.pos = pos;
                        self.block_sequence(next)
                    }
                    _ => Some(Node::Empty(here)),
                }
            }
            Some(_) => self.inline_value(Some(indent)),
        }
    }

    /// A value that starts on the current line at `self.pos`; continuation lines must be
    /// indented more than `parent` (the indent of the key or dash it belongs to).
    fn inline_value(&mut self, parent: Option<usize>) -> Option<Node> {
        let node = match self.peek()? {
            b'&' | b'*' | b'!' | b'%' | b'@' | b'`' => return None,
            b'[' | b'{' => {
                let node = self.flow_node()?;
                if !self.rest_of_line_is_empty() {
                    return None;
                }
                return Some(node);
            }
            b'|' | b'>' => return self.block_scalar(parent).map(Node::Scalar),
            b'"' | b'\'' => Node::Scalar(self.quoted()?),
            _ => Node::Scalar(self.plain_block(parent)),
        };
        if !self.rest_of_line_is_empty() {
            return None;
        }
        Some(node)
    }

    /// A block sequence whose dashes are indented `indent`; `self.pos` is at its first dash.
    fn block_sequence(&mut self, indent: usize) -> Option<Node> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.pos += 1;
            self.skip_spaces();
            let item = match self.peek() {
                None | Some(b'#' | b'\n' | b'\r') => {
                    let here = self.pos;
                    self.rest_of_line_is_empty();
                    match self.next_content_line() {
                        Some((next, pos)) if next > indent => {
                            self.pos = pos;
                            self.block_node_here(next)?
                        }
                        _ => Node::Empty(here),
                    }
                }
                Some(_) => {
                    let column = self.column(self.pos);
                    let is_compact =
                        matches!(self.peek(), Some(b'-')) && Self::is_blank(self.at(self.pos + 1));
                    if is_compact || self.plain_key_follows() || self.quoted_key_follows() {
                        self.block_node_here(column)?
                    } else {
                        self.inline_value(Some(indent))?
                    }
                }
            };
            items.push(item);
            match self.next_content_line() {
                Some((next, pos))
                    if next == indent
                        && self.at(pos) == Some(b'-')
                        && Self::is_blank(self.at(pos + 1)) =>
                {
                    self.pos = pos;
                }
                Some((next, _)) if next > indent => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(Node::Seq(items))
    }

    /// A plain scalar in block context, folded over its continuation lines (indented more
    /// than `parent`, up to a comment or a line that is not).
    fn plain_block(&mut self, parent: Option<usize>) -> Scalar {
        let mut builder = Builder::new();
        let mut end = self.pos;
        let mut pending_breaks: Vec<usize> = Vec::new();
        loop {
            let start = self.pos;
            let stop = self.plain_line_end(start);
            builder.push_source(self.text, start..stop);
            end = stop.max(end);
            self.pos = stop;
            if self.peek() == Some(b'#')
                || self.text[stop..line_end(self.text, stop)]
                    .trim_start()
                    .starts_with('#')
            {
                break;
            }
            // Continuation: the next line, if it is more indented than the parent and not
            // a comment; blank lines between become line breaks.
            let mut probe = line_end(self.text, stop);
            pending_breaks.clear();
            let next = loop {
                if probe >= self.bytes.len() {
                    break None;
                }
                let break_at = probe;
                probe += 1;
                let line = &self.text[probe..line_end(self.text, probe)];
                let trimmed = line.trim_start_matches([' ', '\t']);
                if trimmed.trim_end().is_empty() {
                    pending_breaks.push(break_at);
                    probe = line_end(self.text, probe);
                    continue;
                }
                let line_indent = line.len() - line.trim_start_matches(' ').len();
                let is_deeper = parent.is_none_or(|p| line_indent > p);
                let is_comment = trimmed.starts_with('#');
                if !is_deeper || is_comment || self.is_document_marker(probe) {
                    break None;
                }
                break Some((break_at, probe + (line.len() - trimmed.len())));
            };
            let Some((break_at, content)) = next else {
                break;
            };
            if pending_breaks.is_empty() {
                builder.push(' ', break_at..break_at + 1);
            } else {
                for &at in &pending_breaks {
                    builder.push('\n', at..at + 1);
                }
            }
            self.pos = content;
        }
        builder.finish(end)
    }

    fn is_document_marker(&self, line_start: usize) -> bool {
        let rest = &self.text[line_start..];
        (rest.starts_with("---") || rest.starts_with("..."))
            && Self::is_blank(self.at(line_start + 3))
    }

    /// Where a plain scalar's text on this line ends: before ` #` or the line's end, trailing
    /// spaces left out.
    fn plain_line_end(&self, start: usize) -> usize {
        let end = line_end(self.text, start);
        let line = &self.bytes[start..end];
        let mut stop = line.len();
        for i in 0..line.len() {
            if line[i] == b'#' && i > 0 && matches!(line[i - 1], b' ' | b'\t') {
                stop = i;
                break;
            }
        }
        start + self.text[start..start + stop].trim_end().len()
    }

    /// A single- or double-quoted scalar at `self.pos`, over lines if need be.
    fn quoted(&mut self) -> Option<Scalar> {
        let quote = self.peek().filter(|q| matches!(q, b'"' | b'\''))?;
        self.pos += 1;
        let mut builder = Builder::new();
        loop {
            let at = self.pos;
            let ch = self.text[at..].chars().next()?;
            match ch {
                '\'' if quote == b'\'' => {
                    if self.at(at + 1) == Some(b'\'') {
                        builder.push('\'', at..at + 2);
                        self.pos += 2;
                        continue;
                    }
                    self.pos += 1;
                    return Some(builder.finish(at));
                }
                '"' if quote == b'"' => {
                    self.pos += 1;
                    return Some(builder.finish(at));
                }
                '\\' if quote == b'"' => {
                    let (decoded, len) = self.escape(at)?;
                    if let Some(decoded) = decoded {
                        builder.push(decoded, at..at + len);
                    }
                    self.pos = at + len;
                    if decoded.is_none() {
                        // An escaped line break: the next line's leading blanks go too.
                        while matches!(self.peek(), Some(b' ' | b'\t')) {
                            self.pos += 1;
                        }
                    }
                }
                '\n' | '\r' => {
                    // A line break inside quotes folds: trailing blanks of this line and
                    // leading blanks of the next are dropped, one break is a space, each
                    // blank line a line break.
                    let line_start = self.line_start(at);
                    while builder.value.ends_with([' ', '\t'])
                        && builder
                            .spans
                            .last()
                            .is_some_and(|s| s.start >= line_start && s.len() == 1)
                    {
                        builder.value.pop();
                        builder.spans.pop();
                    }
                    let mut breaks = Vec::new();
                    let mut pos = at;
                    loop {
                        let break_at = line_end(self.text, pos);
                        if break_at >= self.bytes.len() {
                            return None;
                        }
                        breaks.push(break_at);
                        pos = break_at + 1;
                        while matches!(self.at(pos), Some(b' ' | b'\t' | b'\r')) {
                            pos += 1;
                        }
                        if self.at(pos) != Some(b'\n') {
                            break;
                        }
                    }
                    if breaks.len() == 1 {
                        builder.push(' ', breaks[0]..breaks[0] + 1);
                    } else {
                        for &b in &breaks[1..] {
                            builder.push('\n', b..b + 1);
                        }
                    }
                    self.pos = pos;
                }
                _ => {
                    builder.push(ch, at..at + ch.len_utf8());
                    self.pos += ch.len_utf8();
                }
            }
        }
    }

    /// The escape at `at` (a backslash): the character it means (`None` for an escaped line
    /// break) and its length in bytes.
    fn escape(&self, at: usize) -> Option<(Option<char>, usize)> {
        let next = self.text[at + 1..].chars().next()?;
        let simple = match next {
            '0' => Some('\0'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            't' | '\t' => Some('\t'),
            'n' => Some('\n'),
            'v' => Some('\u{b}'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            'e' => Some('\u{1b}'),
            ' ' => Some(' '),
            '"' => Some('"'),
            '/' => Some('/'),
            '\\' => Some('\\'),
            'N' => Some('\u{85}'),
            '_' => Some('\u{a0}'),
            'L' => Some('\u{2028}'),
            'P' => Some('\u{2029}'),
            _ => None,
        };
        if let Some(ch) = simple {
            return Some((Some(ch), 1 + next.len_utf8()));
        }
        let digits = match next {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            '\n' => return Some((None, 2)),
            '\r' if self.at(at + 2) == Some(b'\n') => return Some((None, 3)),
            _ => return None,
        };
        let hex = self.text.get(at + 2..at + 2 + digits)?;
        let code = u32::from_str_radix(hex, 16).ok()?;
        Some((Some(char::from_u32(code)?), 2 + digits))
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at `self.pos`; its
    /// lines are indented more than `parent`.
    fn block_scalar(&mut self, parent: Option<usize>) -> Option<Scalar> {
        let is_folded = self.peek()? == b'>';
        self.pos += 1;
        let (mut chomp, mut explicit) = (b' ', None);
        for _ in 0..2 {
            match self.peek() {
                Some(c @ (b'+' | b'-')) => chomp = c,
                Some(d @ b'1'..=b'9') => explicit = Some(usize::from(d - b'0')),
                _ => break,
            }
            self.pos += 1;
        }
        if !self.rest_of_line_is_empty() {
            return None;
        }
        let base = parent.map_or(0, |p| p + 1);
        // The lines: (the line break before it, its content, is it empty).
        let mut lines: Vec<(usize, Range<usize>, bool)> = Vec::new();
        let mut content_indent = explicit.map(|n| parent.unwrap_or(0) + n);
        let mut pos = line_end(self.text, self.pos);
        // Where the first line that is not the scalar's starts.
        let mut stop_at = self.bytes.len();
        while pos < self.bytes.len() {
            let break_at = pos;
            let start = pos + 1;
            let end = line_end(self.text, start);
            let line = &self.text[start..end];
            if line.trim_matches([' ', '\r']).is_empty() {
                lines.push((break_at, start..end, true));
                pos = end;
                continue;
            }
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let indent = *content_indent.get_or_insert(spaces.max(base));
            if spaces < indent {
                stop_at = start;
                break;
            }
            lines.push((break_at, start + indent..end, false));
            pos = end;
        }
        // The line breaks after the last content line count only as chomping says.
        let n_body = lines
            .iter()
            .rposition(|(_, _, empty)| !empty)
            .map_or(0, |i| i + 1);
        let mut builder = Builder::new();
        // Whether the previous content line was more indented, and where it ended.
        let mut previous: Option<(bool, usize)> = None;
        let mut empties: Vec<usize> = Vec::new();
        for (break_at, range, is_empty) in &lines[..n_body] {
            if *is_empty {
                empties.push(*break_at);
                continue;
            }
            let text = &self.text[range.clone()];
            let text = text.strip_suffix('\r').unwrap_or(text);
            let is_more = text.starts_with([' ', '\t']);
            // The line breaks since the previous content line (none before the first).
            let breaks: Vec<usize> = match previous {
                Some(_) => empties.iter().copied().chain([*break_at]).collect(),
                None => empties.clone(),
            };
            let is_folding =
                is_folded && previous.is_some_and(|(was_more, _)| !was_more) && !is_more;
            if is_folding && breaks.len() == 1 {
                builder.push(' ', breaks[0]..breaks[0] + 1);
            } else {
                let skip = usize::from(is_folding);
                for &at in &breaks[skip..] {
                    builder.push('\n', at..at + 1);
                }
            }
            empties.clear();
            builder.push_source(self.text, range.start..range.start + text.len());
            previous = Some((is_more, range.start + text.len()));
        }
        let end = previous.map_or(self.pos, |(_, end)| end);
        // The header's own line break is not the value's.
        let first_break = if previous.is_some() {
            end
        } else {
            (end + 1).min(stop_at)
        };
        let trailing: Vec<usize> = (first_break..stop_at)
            .filter(|&at| self.bytes[at] == b'\n')
            .collect();
        let n_final_breaks = match chomp {
            b'-' => 0,
            b'+' => trailing.len(),
            _ => trailing.len().min(usize::from(previous.is_some())),
        };
        for &at in &trailing[..n_final_breaks] {
            builder.push('\n', at..at + 1);
        }
        self.pos = end;
        Some(builder.finish(end))
    }

    /// A flow collection or scalar at `self.pos` (inside `[ ]` or `{ }`, or starting one).
    fn flow_node(&mut self) -> Option<Node> {
        match self.peek()? {
            b'[' => {
                self.enter()?;
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_flow_blanks();
                    if self.peek()? == b']' {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.flow_node()?);
                    self.skip_flow_blanks();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                self.depth -= 1;
                Some(Node::Seq(items))
            }
            b'{' => {
                self.enter()?;
                self.pos += 1;
                let mut entries = Vec::new();
                loop {
                    self.skip_flow_blanks();
                    if self.peek()? == b'}' {
                        self.pos += 1;
                        break;
                    }
                    let key = match self.flow_node()? {
                        Node::Scalar(key) => key,
                        _ => return None,
                    };
                    self.skip_flow_blanks();
                    let value = if self.peek()? == b':' {
                        self.pos += 1;
                        self.skip_flow_blanks();
                        if matches!(self.peek()?, b',' | b'}') {
                            Node::Empty(self.pos)
                        } else {
                            self.flow_node()?
                        }
                    } else {
                        Node::Empty(self.pos)
                    };
                    entries.push((key, value));
                    self.skip_flow_blanks();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b'}' => {
                            self.pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                self.depth -= 1;
                Some(Node::Map(entries))
            }
            b'"' | b'\'' => self.quoted().map(Node::Scalar),
            b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' => None,
            b',' | b']' | b'}' => None,
            _ => Some(Node::Scalar(self.plain_flow())),
        }
    }

    /// Spaces, line breaks and comments between flow tokens.
    fn skip_flow_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'#') if self.pos == 0 || Self::is_blank(self.at(self.pos - 1)) => {
                    self.pos = line_end(self.text, self.pos);
                }
                _ => break,
            }
        }
    }

    /// A plain scalar inside a flow collection: up to `,`, `]`, `}`, a `:` before a blank or
    /// one of those, or a comment; folded over line breaks.
    fn plain_flow(&mut self) -> Scalar {
        let mut builder = Builder::new();
        let mut end = self.pos;
        let mut pending: Vec<usize> = Vec::new();
        while let Some(ch) = self.text[self.pos..].chars().next() {
            let at = self.pos;
            let next = self.at(at + 1);
            let stops = match ch {
                ',' | ']' | '}' | '[' | '{' => true,
                ':' => Self::is_blank(next) || matches!(next, Some(b',' | b']' | b'}')),
                '#' => at > 0 && Self::is_blank(self.at(at - 1)),
                _ => false,
            };
            if stops {
                break;
            }
            if ch == '\n' {
                pending.push(at);
                self.pos += 1;
                continue;
            }
            if matches!(ch, ' ' | '\t' | '\r') {
                self.pos += 1;
                continue;
            }
            // Blanks between words on one line are kept; a line break folds to a space.
            if !builder.value.is_empty() {
                let last_end = builder.spans.last().map_or(at, |s| s.end);
                match pending.len() {
                    0 => builder.push_source(self.text, last_end..at),
                    1 => builder.push(' ', pending[0]..pending[0] + 1),
                    _ => {
                        for &p in &pending[1..] {
                            builder.push('\n', p..p + 1);
                        }
                    }
                }
            }
            pending.clear();
            builder.push(ch, at..at + ch.len_utf8());
            self.pos += ch.len_utf8();
            end = self.pos;
        }
        builder.finish(end)
    }
}

// The oracle (serde_yaml_ng) and proptest are native dev-dependencies.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
