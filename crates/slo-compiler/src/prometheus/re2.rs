//! Whether a regular expression of a PromQL matcher is one Prometheus compiles: Go's `regexp`
//! package, RE2 syntax (no backreferences, no lookaround).
//!
//! `regex-syntax` parses a near relative of RE2; what it reads that Go refuses is refused
//! here too: the flags `x`, `u` and `R`, `(?<name>)` (Go before 1.22), `\u` escapes, class
//! differences (`[a--b]`), stacked repetition operators (`a**`, `a{2}{3}`), more than 1,000
//! repetitions (nested counts multiplied, as Go counts them), and Unicode class names Go's
//! `unicode` tables lack (property values, long category names, four-letter script codes).
//! What it refuses that Go reads (octal escapes such as `\012`, `\Q…\E` quoting, the negation
//! `\p{^Greek}`) stays refused: a false refusal names the selector, a false acceptance fails
//! the whole rule file in Prometheus.

use regex_syntax::ast::{
    self, Ast, ClassSetBinaryOp, ClassSetBinaryOpKind, ClassSetItem, ClassUnicode,
    ClassUnicodeKind, Flag, Flags, FlagsItemKind, GroupKind, HexLiteralKind, Literal, LiteralKind,
    RepetitionKind, RepetitionRange, Visitor,
};

/// The most repetitions Go's parser allows, nested counts multiplied (`regexp/syntax`,
/// `repeatIsValid`).
const MAX_REPEAT: u32 = 1_000;

/// Go's general categories (`unicode.Categories`) and `Any`, which `\p{…}` names besides
/// scripts.
const GO_CATEGORIES: [&str; 37] = [
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs", "Any",
];

/// Scripts whose Unicode name is four letters, like the ISO 15924 codes Go does not read.
const FOUR_LETTER_SCRIPTS: [&str; 7] = ["Cham", "Kawi", "Lisu", "Modi", "Newa", "Thai", "Toto"];

/// Why Prometheus would refuse `pattern` as a matcher's regular expression, or `None`.
pub(super) fn problem(pattern: &str) -> Option<&'static str> {
    let ast = match ast::parse::Parser::new().parse(pattern) {
        Ok(ast) => ast,
        Err(e) => return Some(parse_problem(e.kind())),
    };
    if let Err(reason) = ast::visit(&ast, GoSyntax::default()) {
        return Some(reason);
    }
    // What the syntax alone does not show: a Unicode class no table holds.
    regex_syntax::hir::translate::Translator::new()
        .translate(pattern, &ast)
        .err()
        .map(|_| "a regular expression with a Unicode class RE2 does not know")
}

fn parse_problem(kind: &ast::ErrorKind) -> &'static str {
    match kind {
        ast::ErrorKind::UnsupportedBackreference => {
            "a regular expression with a backreference, which RE2 does not support"
        }
        ast::ErrorKind::UnsupportedLookAround => {
            "a regular expression with lookaround, which RE2 does not support"
        }
        ast::ErrorKind::GroupUnclosed | ast::ErrorKind::GroupUnopened => {
            "a regular expression with unbalanced parentheses"
        }
        ast::ErrorKind::ClassUnclosed => "a regular expression with an unclosed character class",
        ast::ErrorKind::RepetitionMissing => {
            "a regular expression with a repetition operator that repeats nothing"
        }
        ast::ErrorKind::EscapeUnrecognized | ast::ErrorKind::ClassEscapeInvalid => {
            "a regular expression with an escape RE2 does not know"
        }
        _ => "an invalid regular expression (RE2 syntax)",
    }
}

/// Walks a parsed expression for what `regex-syntax` reads and Go refuses.
#[derive(Default)]
struct GoSyntax {
    /// The repetitions left to each enclosing counted repetition, innermost last.
    budgets: Vec<u32>,
}

impl GoSyntax {
    fn budget(&self) -> u32 {
        self.budgets.last().copied().unwrap_or(MAX_REPEAT)
    }
}

impl Visitor for GoSyntax {
    type Output = ();
    type Err = &'static str;

    fn finish(self) -> Result<(), Self::Err> {
        Ok(())
    }

    fn visit_pre(&mut self, ast: &Ast) -> Result<(), Self::Err> {
        match ast {
            Ast::Flags(set) => flags(&set.flags),
            Ast::Group(group) => match &group.kind {
                GroupKind::NonCapturing(set) => flags(set),
                GroupKind::CaptureName {
                    starts_with_p: false,
                    ..
                } => Err("a regular expression with (?<name>…), which RE2 writes (?P<name>…)"),
                GroupKind::CaptureName { name, .. }
                    if !name
                        .name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    Err("a regular expression with a group name RE2 refuses")
                }
                _ => Ok(()),
            },
            Ast::Literal(literal) => self::literal(literal),
            Ast::ClassUnicode(class) => unicode_class(class),
            Ast::Repetition(repetition) => {
                if matches!(*repetition.ast, Ast::Repetition(_)) {
                    return Err(
                        "a regular expression stacking repetition operators (a** or a{2}{3}), which RE2 refuses",
                    );
                }
                let budget = self.budget();
                let count = match repetition.op.kind {
                    RepetitionKind::Range(
                        RepetitionRange::Exactly(n)
                        | RepetitionRange::AtLeast(n)
                        | RepetitionRange::Bounded(_, n),
                    ) => n,
                    // `*`, `+` and `?` count nothing in Go's limit.
                    _ => 1,
                };
                if count > budget {
                    return Err(
                        "a regular expression repeating more than 1000 times (nested counts multiplied), which RE2 refuses",
                    );
                }
                self.budgets.push(budget / count.max(1));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn visit_post(&mut self, ast: &Ast) -> Result<(), Self::Err> {
        if matches!(ast, Ast::Repetition(_)) {
            self.budgets.pop();
        }
        Ok(())
    }

    fn visit_class_set_item_pre(&mut self, item: &ClassSetItem) -> Result<(), Self::Err> {
        match item {
            ClassSetItem::Literal(l) => literal(l),
            ClassSetItem::Range(range) => literal(&range.start).and(literal(&range.end)),
            ClassSetItem::Unicode(class) => unicode_class(class),
            _ => Ok(()),
        }
    }

    fn visit_class_set_binary_op_pre(&mut self, op: &ClassSetBinaryOp) -> Result<(), Self::Err> {
        // Go reads `&&` and `~~` as the characters they are; `--` makes an invalid range.
        match op.kind {
            ClassSetBinaryOpKind::Difference => {
                Err("a regular expression with a class difference (--), which RE2 refuses")
            }
            _ => Ok(()),
        }
    }
}

/// Go knows the flags `i`, `m`, `s` and `U` only.
fn flags(set: &Flags) -> Result<(), &'static str> {
    let unknown = set.items.iter().any(|item| {
        matches!(
            item.kind,
            FlagsItemKind::Flag(Flag::Unicode | Flag::CRLF | Flag::IgnoreWhitespace)
        )
    });
    if unknown {
        Err("a regular expression with a flag RE2 does not know (it knows i, m, s and U)")
    } else {
        Ok(())
    }
}

/// Go writes code points as `\x7F` or `\x{7F}`, not `\u007F` or `\U0000007F`.
fn literal(literal: &Literal) -> Result<(), &'static str> {
    match literal.kind {
        LiteralKind::HexFixed(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong)
        | LiteralKind::HexBrace(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong) => {
            Err("a regular expression with a \\u or \\U escape, which RE2 writes \\x{…}")
        }
        _ => Ok(()),
    }
}

/// Go names a class by general category (`L`, `Lu`) or script (`Greek`, `Old_Italic`), case
/// and all; `regex-syntax` reads long category names, properties and script codes too.
fn unicode_class(class: &ClassUnicode) -> Result<(), &'static str> {
    let known = match &class.kind {
        ClassUnicodeKind::OneLetter(letter) => "CLMNPSZ".contains(*letter),
        ClassUnicodeKind::Named(name) => {
            GO_CATEGORIES.contains(&name.as_str()) || is_go_script(name)
        }
        ClassUnicodeKind::NamedValue { .. } => false,
    };
    if known {
        Ok(())
    } else {
        Err("a regular expression with a Unicode class RE2 does not know")
    }
}

/// Whether `name` is written as Go names a script: words of a capital and lower-case letters
/// joined by `_` (or `SignWriting`, the one exception), not a four-letter code, and a script
/// `regex-syntax` knows.
fn is_go_script(name: &str) -> bool {
    let written_as_go = name == "SignWriting"
        || name.split('_').all(|word| {
            let mut chars = word.chars();
            chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && chars.all(|c| c.is_ascii_lowercase())
        });
    let a_code = name.len() == 4 && !FOUR_LETTER_SCRIPTS.contains(&name);
    written_as_go
        && !a_code
        && regex_syntax::Parser::new()
            .parse(&format!("\\p{{sc={name}}}"))
            .is_ok()
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn what_go_reads_passes_and_what_it_refuses_does_not() {
        for accepted in [
            "5..",
            "",
            "a|b",
            "(?i)get|post",
            "(?P<n>a)",
            "\\pL",
            "\\p{Greek}",
            "\\p{Lu}",
            "\\P{L}",
            "\\p{Any}",
            "\\p{Old_Italic}",
            "\\p{Thai}",
            "\\p{SignWriting}",
            "[[:alpha:]]",
            "[a&&b]",
            "\\x{10FFFF}\\x7f",
            "a{1000}",
            "(a{500}b{500}){2}",
            "\\b\\B\\A\\z",
            "a*?",
        ] {
            assert_eq!(problem(accepted), None, "{accepted}");
        }
        for refused in [
            "(",
            "\\1",
            "(?=a)",
            "(?!a)",
            "(?x)a",
            "(?u)a",
            "(?R)a",
            "a{1001}",
            "a{2,1001}",
            "(a{500}){3}",
            "a**",
            "a++",
            "x{2}{3}",
            "(?<n>a)",
            "\\p{Letter}",
            "\\p{Alphabetic}",
            "\\p{sc=Greek}",
            "\\p{greek}",
            "\\p{Grek}",
            "\\p{OldItalic}",
            "[a--b]",
            "\\u0041",
            // Go reads these; `regex-syntax` does not, and a refusal is the safe side.
            "\\p{^L}",
            "\\012",
            "\\Qa.b\\E",
        ] {
            assert!(problem(refused).is_some(), "{refused}");
        }
    }
}
