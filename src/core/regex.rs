//! Regular expressions for the `matches` operator, in linear time.
//!
//! JavaScript's `RegExp` backtracks: a pattern such as `\d*\d*\d*x` takes
//! polynomial time in the length of the text, and one event could then hold
//! up the page for seconds. This engine compiles a pattern to a Thompson NFA
//! and runs every thread in step (no backtracking), so a match costs at most
//! `text length × program size` steps, whatever the pattern: with the
//! [`MAX_TEXT_CHARS`] and [`MAX_PROGRAM`] caps, well under a millisecond.
//!
//! The dialect is the part of JavaScript's that a linear engine can keep:
//! literals, `.`, classes (`[a-z]`, `[^…]`, `\d \w \s` and their negations),
//! anchors `^ $ \b \B`, groups `( )`, `(?: )`, `(?<name> )`, alternation and
//! repetition (`* + ? {n} {n,} {n,m}`, lazy or not). Back-references,
//! look-around and Unicode property escapes are refused with a message. The
//! same engine runs natively and in the browser, so the tests of one are the
//! tests of the other; a browser test checks that it agrees with `RegExp`.

#[allow(unused_imports)]
use crate::core::prelude::*;
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

/// How much of a text a pattern looks at, in characters.
pub const MAX_TEXT_CHARS: usize = 512;
/// Largest compiled program (instructions); counted repetition expands.
pub const MAX_PROGRAM: usize = 500;
/// Largest count in `{n,m}`.
pub const MAX_REPEAT: u32 = 100;

/// Why a pattern cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// `(` without `)`.
    UnclosedGroup,
    /// `)` without `(`.
    UnmatchedParen,
    /// `[` without `]`.
    UnclosedClass,
    /// `*`, `+`, `?` or `{n}` with nothing before it.
    NothingToRepeat,
    /// A range such as `[z-a]`, or `{3,1}`.
    BadRange,
    /// `\` at the end of the pattern.
    TrailingBackslash,
    /// `\1`, `\k<name>`: not available in a linear-time engine.
    BackReference,
    /// `(?=`, `(?!`, `(?<=`, `(?<!`: not available in a linear-time engine.
    LookAround,
    /// `\p{…}`, `\P{…}`.
    PropertyEscape,
    /// A repeat count over [`MAX_REPEAT`].
    RepeatTooLarge,
    /// The compiled program is over [`MAX_PROGRAM`] instructions.
    TooLarge,
    /// An escape such as `\x4` or `\u12` that is cut short.
    BadEscape,
}

impl Error {
    /// A short description (the editor adds what to do).
    pub fn as_str(self) -> &'static str {
        match self {
            Error::UnclosedGroup => "a ( has no closing )",
            Error::UnmatchedParen => "a ) has no opening (",
            Error::UnclosedClass => "a [ has no closing ]",
            Error::NothingToRepeat => "a *, +, ? or {n} has nothing before it to repeat",
            Error::BadRange => "a range is out of order",
            Error::TrailingBackslash => "the pattern ends with a lone \\",
            Error::BackReference => "back-references (\\1, \\k<name>) are not supported",
            Error::LookAround => {
                "look-ahead and look-behind ((?=, (?!, (?<=, (?<!) are not supported"
            }
            Error::PropertyEscape => "Unicode property escapes (\\p{…}) are not supported",
            Error::RepeatTooLarge => "a repeat count is over 100",
            Error::TooLarge => "the pattern is too large",
            Error::BadEscape => "an escape (\\x, \\u or \\c) is incomplete",
        }
    }
}

#[derive(Clone, Debug)]
enum Node {
    Empty,
    Char(char),
    Any,
    /// A class and whether it is negated (`[^...]`): under ignoreCase the
    /// members are folded before the negation, as JavaScript canonicalises.
    Class(Class, bool),
    Start,
    End,
    WordBoundary(bool),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
}

/// A set of characters: sorted, non-overlapping inclusive ranges, and the
/// ASCII members as a bitmap (the common case, tested in one step).
#[derive(Clone, Debug, Default, PartialEq)]
struct Class {
    ranges: Vec<(char, char)>,
    ascii: u128,
}

impl Class {
    fn add(&mut self, a: char, b: char) {
        self.ranges.push((a, b));
    }

    fn add_class(&mut self, other: &Class) {
        self.ranges.extend_from_slice(&other.ranges);
    }

    fn normalize(mut self) -> Class {
        // Classes have few ranges: an insertion sort (the library's sort
        // would add kilobytes to the module).
        for i in 1..self.ranges.len() {
            let mut j = i;
            while j > 0 && self.ranges[j - 1] > self.ranges[j] {
                self.ranges.swap(j - 1, j);
                j -= 1;
            }
        }
        let mut out: Vec<(char, char)> = Vec::with_capacity(self.ranges.len());
        for (a, b) in self.ranges {
            match out.last_mut() {
                Some(last) if (a as u32) <= (last.1 as u32).saturating_add(1) => {
                    if b > last.1 {
                        last.1 = b;
                    }
                }
                _ => out.push((a, b)),
            }
        }
        let mut ascii = 0u128;
        for &(a, b) in &out {
            for c in (a as u32)..=(b as u32).min(127) {
                ascii |= 1 << c;
            }
        }
        Class { ranges: out, ascii }
    }

    fn negate(self) -> Class {
        let c = self.normalize();
        let mut out = Class::default();
        let mut next: u32 = 0;
        for (a, b) in c.ranges {
            if (a as u32) > next {
                push_range(&mut out, next, a as u32 - 1);
            }
            next = b as u32 + 1;
        }
        if next <= 0x10FFFF {
            push_range(&mut out, next, 0x10FFFF);
        }
        out.normalize()
    }

    fn contains(&self, c: char) -> bool {
        if c.is_ascii() {
            return self.ascii & (1 << c as u32) != 0;
        }
        // Ranges are sorted: binary search.
        let (mut lo, mut hi) = (0, self.ranges.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let (a, b) = self.ranges[mid];
            if c < a {
                hi = mid;
            } else if c > b {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        false
    }
}

/// Adds `a..=b` skipping the surrogate gap, which is not a `char`.
fn push_range(out: &mut Class, a: u32, b: u32) {
    let mut parts = [(a, b.min(0xD7FF)), (a.max(0xE000), b)];
    if b < 0xD800 {
        parts[1] = (1, 0);
    } else if a > 0xDFFF {
        parts[0] = (1, 0);
    }
    for (x, y) in parts {
        if x <= y {
            if let (Some(x), Some(y)) = (char::from_u32(x), char::from_u32(y)) {
                out.add(x, y);
            }
        }
    }
}

fn set(ranges: &[(char, char)]) -> Class {
    Class {
        ranges: ranges.to_vec(),
        ascii: 0,
    }
    .normalize()
}

fn digit() -> Class {
    set(&[('0', '9')])
}

fn word() -> Class {
    set(&[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')])
}

/// JavaScript's `\s`: WhiteSpace and LineTerminator.
fn space() -> Class {
    set(&[
        ('\t', '\r'),
        (' ', ' '),
        ('\u{a0}', '\u{a0}'),
        ('\u{1680}', '\u{1680}'),
        ('\u{2000}', '\u{200a}'),
        ('\u{2028}', '\u{2029}'),
        ('\u{202f}', '\u{202f}'),
        ('\u{205f}', '\u{205f}'),
        ('\u{3000}', '\u{3000}'),
        ('\u{feff}', '\u{feff}'),
    ])
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

struct Parser<'a> {
    chars: core::iter::Peekable<core::str::Chars<'a>>,
    depth: u32,
}

/// One class escape or character inside `[...]` or after `\`.
enum Atom {
    Char(char),
    Set(Class),
}

impl Parser<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.chars.next();
            true
        } else {
            false
        }
    }

    fn alternation(&mut self) -> Result<Node, Error> {
        let mut alts = vec![self.concat()?];
        while self.eat('|') {
            alts.push(self.concat()?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alts)
        })
    }

    fn concat(&mut self) -> Result<Node, Error> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let atom = self.quantified(atom)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, Error> {
        let (min, max) = match self.peek() {
            Some(c @ ('*' | '+' | '?')) => {
                self.chars.next();
                match c {
                    '*' => (0, None),
                    '+' => (1, None),
                    _ => (0, Some(1)),
                }
            }
            Some('{') => match self.counted()? {
                Some(range) => range,
                None => return Ok(atom),
            },
            _ => return Ok(atom),
        };
        self.eat('?'); // lazy: the same set of matches
        if matches!(atom, Node::Start | Node::End | Node::WordBoundary(_)) {
            return Err(Error::NothingToRepeat);
        }
        let mut probe = Parser {
            chars: self.chars.clone(),
            depth: 0,
        };
        if matches!(self.peek(), Some('*' | '+' | '?'))
            || (probe.eat('{') && starts_count(&mut probe))
        {
            return Err(Error::NothingToRepeat);
        }
        Ok(Node::Repeat(Box::new(atom), min, max))
    }

    /// `{n}`, `{n,}`, `{n,m}`; `None` (and nothing consumed but the brace,
    /// which is then a literal) when the brace does not start a count, as in
    /// JavaScript without the `u` flag.
    fn counted(&mut self) -> Result<Option<(u32, Option<u32>)>, Error> {
        let saved = self.chars.clone();
        self.chars.next();
        let number = |p: &mut Parser| -> Option<u32> {
            let mut n: Option<u32> = None;
            while let Some(d) = p.peek().and_then(|c| c.to_digit(10)) {
                p.chars.next();
                n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d));
            }
            n
        };
        let Some(min) = number(self) else {
            self.chars = saved;
            return Ok(None);
        };
        let max = if self.eat(',') {
            number(self)
        } else {
            Some(min)
        };
        if !self.eat('}') {
            self.chars = saved;
            return Ok(None);
        }
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
            return Err(Error::RepeatTooLarge);
        }
        if max.is_some_and(|m| m < min) {
            return Err(Error::BadRange);
        }
        // Put back what `quantified` expects to skip: nothing (we consumed it).
        Ok(Some((min, max)))
    }

    fn atom(&mut self) -> Result<Node, Error> {
        let Some(c) = self.chars.next() else {
            return Ok(Node::Empty);
        };
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '*' | '+' | '?' => return Err(Error::NothingToRepeat),
            '{' => {
                // A brace that starts a valid count has nothing to repeat.
                let mut probe = Parser {
                    chars: self.chars.clone(),
                    depth: 0,
                };
                if starts_count(&mut probe) {
                    return Err(Error::NothingToRepeat);
                }
                Node::Char('{')
            }
            '(' => {
                self.depth += 1;
                if self.depth > 64 {
                    return Err(Error::TooLarge);
                }
                if self.eat('?') {
                    match self.chars.next() {
                        Some(':') => {}
                        Some('=') | Some('!') => return Err(Error::LookAround),
                        Some('<') => match self.peek() {
                            Some('=') | Some('!') => return Err(Error::LookAround),
                            _ => {
                                // A named group: skip the name.
                                loop {
                                    match self.chars.next() {
                                        Some('>') => break,
                                        Some(_) => {}
                                        None => return Err(Error::UnclosedGroup),
                                    }
                                }
                            }
                        },
                        _ => return Err(Error::NothingToRepeat),
                    }
                }
                let inner = self.alternation()?;
                if !self.eat(')') {
                    return Err(Error::UnclosedGroup);
                }
                self.depth -= 1;
                inner
            }
            ')' => return Err(Error::UnmatchedParen),
            '[' => {
                let (c, negated) = self.class()?;
                Node::Class(c, negated)
            }
            '\\' => match self.escape(false)? {
                Escape::Atom(Atom::Char(c)) => Node::Char(c),
                Escape::Atom(Atom::Set(s)) => Node::Class(s, false),
                Escape::WordBoundary(b) => Node::WordBoundary(b),
            },
            c => Node::Char(c),
        })
    }

    fn class(&mut self) -> Result<(Class, bool), Error> {
        let negated = self.eat('^');
        let mut class = Class::default();
        loop {
            let Some(c) = self.chars.next() else {
                return Err(Error::UnclosedClass);
            };
            if c == ']' {
                break;
            }
            let start = self.class_atom(c)?;
            if self.peek() == Some('-') {
                let mut ahead = self.chars.clone();
                ahead.next();
                match ahead.peek() {
                    Some(']') | None => {}
                    Some(_) => {
                        self.chars.next();
                        let Some(e) = self.chars.next() else {
                            return Err(Error::UnclosedClass);
                        };
                        let end = self.class_atom(e)?;
                        match (start, end) {
                            (Atom::Char(a), Atom::Char(b)) => {
                                if b < a {
                                    return Err(Error::BadRange);
                                }
                                class.add(a, b);
                            }
                            // `[\d-x]`: JavaScript (without u) reads the
                            // dash literally.
                            (a, b) => {
                                add_atom(&mut class, a);
                                class.add('-', '-');
                                add_atom(&mut class, b);
                            }
                        }
                        continue;
                    }
                }
            }
            add_atom(&mut class, start);
        }
        Ok((class.normalize(), negated))
    }

    fn class_atom(&mut self, c: char) -> Result<Atom, Error> {
        if c != '\\' {
            return Ok(Atom::Char(c));
        }
        match self.escape(true)? {
            Escape::Atom(a) => Ok(a),
            Escape::WordBoundary(_) => Ok(Atom::Char('\u{8}')),
        }
    }

    fn escape(&mut self, in_class: bool) -> Result<Escape, Error> {
        let Some(c) = self.chars.next() else {
            return Err(Error::TrailingBackslash);
        };
        let set = |c: Class| Ok(Escape::Atom(Atom::Set(c)));
        let ch = |c: char| Ok(Escape::Atom(Atom::Char(c)));
        match c {
            'd' => set(digit()),
            'D' => set(digit().negate()),
            'w' => set(word()),
            'W' => set(word().negate()),
            's' => set(space()),
            'S' => set(space().negate()),
            'b' if in_class => ch('\u{8}'),
            'b' => Ok(Escape::WordBoundary(true)),
            'B' if !in_class => Ok(Escape::WordBoundary(false)),
            't' => ch('\t'),
            'n' => ch('\n'),
            'r' => ch('\r'),
            'f' => ch('\u{c}'),
            'v' => ch('\u{b}'),
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => ch('\0'),
            '1'..='9' if !in_class => Err(Error::BackReference),
            'k' if !in_class && self.peek() == Some('<') => Err(Error::BackReference),
            'p' | 'P' if self.peek() == Some('{') => Err(Error::PropertyEscape),
            'x' => {
                let v = self.hex(2).ok_or(Error::BadEscape)?;
                ch(char::from_u32(v).ok_or(Error::BadEscape)?)
            }
            'u' => {
                let v = if self.eat('{') {
                    let mut v: u32 = 0;
                    let mut any = false;
                    loop {
                        match self.chars.next() {
                            Some('}') if any => break,
                            Some(d) if d.is_ascii_hexdigit() => {
                                v = v
                                    .saturating_mul(16)
                                    .saturating_add(d.to_digit(16).unwrap_or(0));
                                any = true;
                            }
                            _ => return Err(Error::BadEscape),
                        }
                    }
                    v
                } else {
                    self.hex(4).ok_or(Error::BadEscape)?
                };
                // A lone surrogate half cannot occur in Rust text: it matches nothing.
                ch(char::from_u32(v).unwrap_or('\u{FFFD}'))
            }
            'c' => match self.chars.next() {
                Some(l) if l.is_ascii_alphabetic() => ch(char::from(l as u8 % 32)),
                _ => Err(Error::BadEscape),
            },
            other => ch(other),
        }
    }

    fn hex(&mut self, n: usize) -> Option<u32> {
        let mut v = 0;
        for _ in 0..n {
            v = v * 16 + self.chars.next()?.to_digit(16)?;
        }
        Some(v)
    }
}

enum Escape {
    Atom(Atom),
    WordBoundary(bool),
}

fn add_atom(class: &mut Class, a: Atom) {
    match a {
        Atom::Char(c) => class.add(c, c),
        Atom::Set(s) => class.add_class(&s),
    }
}

/// Whether the text after a `{` reads as a repeat count (`3}`, `3,}`, `3,5}`).
fn starts_count(p: &mut Parser) -> bool {
    let mut digits = 0;
    while p.peek().is_some_and(|c| c.is_ascii_digit()) {
        p.chars.next();
        digits += 1;
    }
    if digits == 0 {
        return false;
    }
    if p.eat(',') {
        while p.peek().is_some_and(|c| c.is_ascii_digit()) {
            p.chars.next();
        }
    }
    p.eat('}')
}

#[derive(Clone, Debug)]
enum Inst {
    Char(char),
    Any,
    Class(usize),
    Start,
    End,
    WordBoundary(bool),
    Split(usize, usize),
    Jmp(usize),
    Match,
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Regex {
    prog: Vec<Inst>,
    classes: Vec<Class>,
    ignore_case: bool,
    /// The pattern must match at the start of the text (it begins with `^`
    /// on every branch we can see cheaply): no need to start threads later.
    anchored: bool,
}

struct Compiler {
    prog: Vec<Inst>,
    classes: Vec<Class>,
    ignore_case: bool,
}

impl Compiler {
    fn push(&mut self, i: Inst) -> Result<usize, Error> {
        if self.prog.len() >= MAX_PROGRAM {
            return Err(Error::TooLarge);
        }
        self.prog.push(i);
        Ok(self.prog.len() - 1)
    }

    fn class(&mut self, c: Class, negated: bool) -> Result<usize, Error> {
        let c = if self.ignore_case { fold_class(c) } else { c };
        let c = if negated { c.negate() } else { c };
        self.classes.push(c);
        self.push(Inst::Class(self.classes.len() - 1))
    }

    fn node(&mut self, n: &Node) -> Result<(), Error> {
        match n {
            Node::Empty => {}
            Node::Char(c) => {
                let c = if self.ignore_case { fold(*c) } else { *c };
                self.push(Inst::Char(c))?;
            }
            Node::Any => {
                self.push(Inst::Any)?;
            }
            Node::Class(c, negated) => {
                self.class(c.clone(), *negated)?;
            }
            Node::Start => {
                self.push(Inst::Start)?;
            }
            Node::End => {
                self.push(Inst::End)?;
            }
            Node::WordBoundary(b) => {
                self.push(Inst::WordBoundary(*b))?;
            }
            Node::Concat(items) => {
                for i in items {
                    self.node(i)?;
                }
            }
            Node::Alt(alts) => {
                // split L1, next; L1: a; jmp end; next: split L2, ...
                let mut jumps = Vec::new();
                for (i, a) in alts.iter().enumerate() {
                    if i + 1 < alts.len() {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.node(a)?;
                        jumps.push(self.push(Inst::Jmp(0))?);
                        let next = self.prog.len();
                        self.prog[split] = Inst::Split(split + 1, next);
                    } else {
                        self.node(a)?;
                    }
                }
                let end = self.prog.len();
                for j in jumps {
                    self.prog[j] = Inst::Jmp(end);
                }
            }
            Node::Repeat(inner, min, max) => {
                for _ in 0..*min {
                    self.node(inner)?;
                }
                match max {
                    None => {
                        // L: split body, end; body; jmp L
                        let split = self.push(Inst::Split(0, 0))?;
                        self.node(inner)?;
                        self.push(Inst::Jmp(split))?;
                        let end = self.prog.len();
                        self.prog[split] = Inst::Split(split + 1, end);
                    }
                    Some(max) => {
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            splits.push(self.push(Inst::Split(0, 0))?);
                            self.node(inner)?;
                        }
                        let end = self.prog.len();
                        for s in splits {
                            self.prog[s] = Inst::Split(s + 1, end);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Simple case folding for ignoreCase: upper-case letters to lower case,
/// by arithmetic for the scripts a page mostly holds (ASCII, Latin-1, Latin
/// Extended-A, Greek, Cyrillic), so no Unicode table is carried into the
/// module. Other letters compare as they are.
fn fold(c: char) -> char {
    let u = c as u32;
    let l = match u {
        0x41..=0x5A => u + 32,
        0xC0..=0xDE if u != 0xD7 => u + 32,
        0x100..=0x137 | 0x14A..=0x177 if u % 2 == 0 => u + 1,
        0x139..=0x148 | 0x179..=0x17E if u % 2 == 1 => u + 1,
        0x178 => 0xFF,
        0x391..=0x3AB if u != 0x3A2 => u + 32,
        0x400..=0x40F => u + 80,
        0x410..=0x42F => u + 32,
        _ => u,
    };
    char::from_u32(l).unwrap_or(c)
}

/// A class under ignoreCase: matches the folded form of each of its members.
/// Folding is applied to ASCII letters exactly and to other ranges member by
/// member when they are small.
fn fold_class(c: Class) -> Class {
    let mut out = c.clone();
    for &(a, b) in &c.ranges {
        let (a32, b32) = (a as u32, b as u32);
        if b32 - a32 > 2048 {
            // Large ranges: ASCII letters only.
            let lo = a32.max('A' as u32);
            let hi = b32.min('Z' as u32);
            if lo <= hi {
                out.add(
                    char::from_u32(lo + 32).unwrap_or('a'),
                    char::from_u32(hi + 32).unwrap_or('z'),
                );
            }
            continue;
        }
        for v in a32..=b32 {
            if let Some(ch) = char::from_u32(v) {
                let f = fold(ch);
                if f != ch {
                    out.add(f, f);
                }
            }
        }
    }
    out.normalize()
}

impl Regex {
    /// Compiles `pattern` (JavaScript syntax, the subset above).
    pub fn new(pattern: &str, ignore_case: bool) -> Result<Regex, Error> {
        let mut p = Parser {
            chars: pattern.chars().peekable(),
            depth: 0,
        };
        let ast = p.alternation()?;
        if p.peek().is_some() {
            return Err(Error::UnmatchedParen);
        }
        let anchored = starts_anchored(&ast);
        let mut c = Compiler {
            prog: Vec::new(),
            classes: Vec::new(),
            ignore_case,
        };
        c.node(&ast)?;
        c.push(Inst::Match)?;
        Ok(Regex {
            prog: c.prog,
            classes: c.classes,
            ignore_case,
            anchored,
        })
    }

    /// Whether the pattern matches anywhere in the first
    /// [`MAX_TEXT_CHARS`] characters of `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.is_match_counted(text).0
    }

    /// The size of the compiled program (at most [`MAX_PROGRAM`]).
    pub fn program_size(&self) -> usize {
        self.prog.len()
    }

    /// [`Regex::is_match`], with the number of thread steps it took: never
    /// more than `2 × (characters + 1) × program size` (each instruction is
    /// added once and stepped once per position), which is the engine's
    /// linear bound, checked by the tests without a clock.
    pub fn is_match_counted(&self, text: &str) -> (bool, usize) {
        let mut steps = 0;
        let n = self.prog.len();
        let mut clist = Threads::new(n);
        let mut nlist = Threads::new(n);
        let mut stack: Vec<usize> = Vec::new();
        let mut prev: Option<char> = None;
        let mut chars = text.chars().take(MAX_TEXT_CHARS).peekable();
        let mut at_start = true;
        loop {
            let cur = chars.peek().copied();
            let cur_f = cur.map(|c| if self.ignore_case { fold(c) } else { c });
            if (at_start || !self.anchored) && self.add(&mut clist, &mut stack, 0, prev, cur) {
                return (true, steps + clist.len);
            }
            at_start = false;
            steps += clist.len;
            let Some(c) = cur_f else {
                return (false, steps);
            };
            if clist.run.is_empty() && self.anchored {
                return (false, steps);
            }
            nlist.clear();
            let next_char = {
                let mut ahead = chars.clone();
                ahead.next();
                ahead.peek().copied()
            };
            steps += clist.run.len();
            for k in 0..clist.run.len() {
                let pc = clist.run[k];
                let ok = match &self.prog[pc] {
                    Inst::Char(x) => *x == c,
                    Inst::Any => !is_line_terminator(c),
                    Inst::Class(i) => self.classes[*i].contains(c),
                    _ => false,
                };
                if ok && self.add(&mut nlist, &mut stack, pc + 1, cur, next_char) {
                    return (true, steps);
                }
            }
            core::mem::swap(&mut clist, &mut nlist);
            prev = cur;
            chars.next();
        }
    }

    /// Adds the thread at `pc` and every thread its empty steps reach, at a
    /// position between `prev` and `next`. True when one of them matches.
    fn add(
        &self,
        list: &mut Threads,
        stack: &mut Vec<usize>,
        pc: usize,
        prev: Option<char>,
        next: Option<char>,
    ) -> bool {
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            if !list.insert(pc) {
                continue;
            }
            match &self.prog[pc] {
                Inst::Match => {
                    stack.clear();
                    return true;
                }
                Inst::Jmp(t) => stack.push(*t),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::Start => {
                    if prev.is_none() {
                        stack.push(pc + 1)
                    }
                }
                Inst::End => {
                    if next.is_none() {
                        stack.push(pc + 1)
                    }
                }
                Inst::WordBoundary(want) => {
                    let a = prev.is_some_and(is_word);
                    let b = next.is_some_and(is_word);
                    if (a != b) == *want {
                        stack.push(pc + 1)
                    }
                }
                Inst::Char(_) | Inst::Any | Inst::Class(_) => list.run.push(pc),
            }
        }
        false
    }
}

fn starts_anchored(n: &Node) -> bool {
    match n {
        Node::Start => true,
        Node::Concat(items) => items.first().is_some_and(starts_anchored),
        Node::Alt(alts) => alts.iter().all(starts_anchored),
        _ => false,
    }
}

/// The threads at one position: a sparse set of every program counter
/// visited (constant-time insert and clear), and the ones that consume a
/// character, in order.
struct Threads {
    dense: Vec<usize>,
    sparse: Vec<usize>,
    len: usize,
    run: Vec<usize>,
}

impl Threads {
    fn new(n: usize) -> Threads {
        Threads {
            dense: vec![0; n],
            sparse: vec![0; n],
            len: 0,
            run: Vec::with_capacity(n),
        }
    }

    fn clear(&mut self) {
        self.len = 0;
        self.run.clear();
    }

    fn insert(&mut self, pc: usize) -> bool {
        let i = self.sparse[pc];
        if i < self.len && self.dense[i] == pc {
            return false;
        }
        self.sparse[pc] = self.len;
        self.dense[self.len] = pc;
        self.len += 1;
        true
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        Regex::new(p, false).unwrap().is_match(t)
    }

    fn mi(p: &str, t: &str) -> bool {
        Regex::new(p, true).unwrap().is_match(t)
    }

    #[test]
    fn literals_classes_anchors() {
        assert!(m("abc", "xxabcxx"));
        assert!(!m("abd", "xxabcxx"));
        assert!(m("^ab", "abc"));
        assert!(!m("^bc", "abc"));
        assert!(m("bc$", "abc"));
        assert!(!m("ab$", "abc"));
        assert!(m("^$", ""));
        assert!(m("", "anything"));
        assert!(m("a.c", "abc"));
        assert!(!m("a.c", "a\nc"));
        assert!(m("[a-c]x", "bx"));
        assert!(!m("[^a-c]x", "bx"));
        assert!(m("[^a-c]x", "dx"));
        assert!(m("\\d+", "a12"));
        assert!(!m("^\\d+$", "12a"));
        assert!(m("\\w\\s\\W", "a !"));
        assert!(m("[\\d.]+", "1.5"));
        assert!(m("[-a]", "-"));
        assert!(m("[a-]", "-"));
        assert!(m("[\\]]", "]"));
        assert!(m("\\bfoo\\b", "a foo b"));
        assert!(!m("\\bfoo\\b", "afoob"));
        assert!(m("\\Boo", "foo"));
        assert!(m("\\x41\\u0042\\u{43}", "ABC"));
        assert!(m("a{2}", "aa"));
        assert!(!m("^a{2}$", "aaa"));
        assert!(m("^a{2,}$", "aaaa"));
        assert!(m("^a{1,2}b$", "aab"));
        assert!(!m("^a{1,2}b$", "aaab"));
        assert!(m("a{,2}", "a{,2}"), "not a count: literal braces");
        assert!(m("x{", "x{"));
        assert!(m("^(?:ab|cd)+$", "abcdab"));
        assert!(m("^(?<n>ab)c$", "abc"));
        assert!(m("colou?r", "color"));
        assert!(m("a+?b", "aab"));
    }

    #[test]
    fn ignore_case() {
        assert!(mi("NPS", "nps score"));
        assert!(mi("[A-Z]+", "abc"));
        assert!(mi("[a-z]+", "ABC"));
        assert!(mi("^ÄRGER$", "ärger"));
        assert!(!m("NPS", "nps"));
        // A negated class is folded before it is negated, as in JavaScript.
        assert!(!mi("[^a-c]x", "bbx"));
        assert!(!mi("[^A-C]x", "bx"));
        assert!(mi("[^a-c]x", "dx"));
    }

    #[test]
    fn refused() {
        let e = |p: &str| Regex::new(p, false).unwrap_err();
        assert_eq!(e("(a"), Error::UnclosedGroup);
        assert_eq!(e("a)"), Error::UnmatchedParen);
        assert_eq!(e("[a"), Error::UnclosedClass);
        assert_eq!(e("*a"), Error::NothingToRepeat);
        assert_eq!(e("a**"), Error::NothingToRepeat);
        assert_eq!(e("[z-a]"), Error::BadRange);
        assert_eq!(e("a{3,1}"), Error::BadRange);
        assert_eq!(e("a\\"), Error::TrailingBackslash);
        assert_eq!(e("(a)\\1"), Error::BackReference);
        assert_eq!(e("(?=a)"), Error::LookAround);
        assert_eq!(e("(?<!a)b"), Error::LookAround);
        assert_eq!(e("\\p{L}"), Error::PropertyEscape);
        assert_eq!(e("a{1000}"), Error::RepeatTooLarge);
        assert_eq!(e("(a{100}){100}"), Error::TooLarge);
        assert_eq!(e("\\x4"), Error::BadEscape);
    }

    #[test]
    fn pathological_patterns_stay_linear() {
        let text: alloc::string::String = "1".repeat(5000);
        for p in [
            "\\d*\\d*\\d*x",
            "(a+)+$",
            "(a|aa)+b",
            "(.*a){20}",
            "(\\d+)*x",
        ] {
            let r = Regex::new(p, false).unwrap();
            let (found, steps) = r.is_match_counted(&text);
            assert!(!found);
            assert!(
                steps <= 2 * (MAX_TEXT_CHARS + 1) * r.program_size(),
                "{p}: {steps}"
            );
        }
    }
}
