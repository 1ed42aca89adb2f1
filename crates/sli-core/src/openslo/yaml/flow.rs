//! Finding a flow collection too long to parse, before the parser keeps all its tokens.

/// The first flow collection (`[…]` or `{…}`, counted from its outermost bracket) longer than
/// `max` bytes: its line and column.
///
/// `saphyr-parser` keeps every token of a flow collection until the collection ends (it may
/// turn out to be a mapping key), about 200 bytes of memory per byte of input, so a bound on
/// memory needs a bound on flow collections, found before the parser runs. This scan knows
/// just enough YAML to find flow collections: quoted scalars, comments, block scalars (`|`,
/// `>`), and that a bracket starts a collection only where a node starts (after `- `, `: `,
/// `? `, `,`, an opening bracket, or at the start of a line), never inside a plain scalar
/// (`rate(x[5m])`). A misreading can only make it miss a collection (the node cap still
/// bounds the parse) or measure one that is not there, never reject a file whose brackets are
/// all shorter than `max`.
pub(super) fn long_flow_collection(text: &str, max: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let (mut i, mut line, mut line_start) = (0usize, 1usize, 0usize);
    // The last indicator or bracket before the current position on this line (b'\n' at the
    // start of a line): whether a node may start here.
    let mut last = b'\n';
    let mut depth = 0usize;
    let mut start = (0usize, 0usize, 0usize); // index, line, column of the outermost bracket
    while i < bytes.len() {
        let c = bytes[i];
        if depth > 0 && i - start.0 > max {
            return Some((start.1, start.2));
        }
        let next = bytes.get(i + 1).copied().unwrap_or(b'\n');
        let spaced = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
        match c {
            b'\n' => {
                line += 1;
                line_start = i + 1;
                if depth == 0 {
                    last = b'\n';
                }
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' if i == 0 || spaced(bytes[i - 1]) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' | b'\'' if matches!(last, b'\n' | b'-' | b':' | b'?' | b'[' | b'{' | b',') => {
                // A quoted scalar: '' escapes a single quote, \ escapes in double quotes.
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if c == b'"' => i += 1,
                        b'\'' if c == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
                        b if b == c => break,
                        b'\n' => {
                            line += 1;
                            line_start = i + 1;
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
                last = b'x';
            }
            b'|' | b'>' if depth == 0 && matches!(last, b'\n' | b'-' | b':' | b'?') => {
                // A block scalar: the lines indented deeper than this one are its content.
                let indent = bytes[line_start..]
                    .iter()
                    .take_while(|b| **b == b' ')
                    .count();
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                while i < bytes.len() {
                    let body = i + 1;
                    let spaces = bytes[body..].iter().take_while(|b| **b == b' ').count();
                    let blank = matches!(bytes.get(body + spaces), None | Some(b'\n' | b'\r'));
                    if !(blank || spaces > indent) || body >= bytes.len() {
                        break;
                    }
                    line += 1;
                    line_start = body;
                    i = body + spaces;
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                last = b'x';
            }
            b'[' | b'{' if matches!(last, b'\n' | b'-' | b':' | b'?' | b'[' | b'{' | b',') => {
                if depth == 0 {
                    start = (i, line, i - line_start + 1);
                }
                depth += 1;
                last = c;
                i += 1;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                last = b'x';
                i += 1;
            }
            b',' if depth > 0 => {
                last = b',';
                i += 1;
            }
            b'-' | b':' | b'?'
                if spaced(next) || (depth > 0 && matches!(next, b',' | b']' | b'}')) =>
            {
                last = c;
                i += 1;
            }
            _ => {
                // A plain scalar (or anything else): up to the next space or flow indicator.
                last = b'x';
                i += 1;
                while i < bytes.len()
                    && !spaced(bytes[i])
                    && !(depth > 0 && matches!(bytes[i], b',' | b']' | b'}' | b'[' | b'{'))
                {
                    if bytes[i] == b':' && bytes.get(i + 1).is_some_and(|b| spaced(*b)) {
                        break;
                    }
                    i += 1;
                }
            }
        }
    }
    (depth > 0 && bytes.len() - start.0 > max).then_some((start.1, start.2))
}
