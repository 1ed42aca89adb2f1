//! Shared code of the workspace's examples (`examples/*.rs`; not published), and runs the code in the
//! workspace's documents as doctests: those documents live outside the published crates, so
//! their doctests run here rather than in a package that would not ship them.

// The workspace README's example and the guides' snippets.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct WorkspaceReadme;
#[cfg(doctest)]
#[doc = include_str!("../docs/guide-counts-to-paging.md")]
struct GuideCountsToPaging;
#[cfg(doctest)]
#[doc = include_str!("../docs/slo-as-code.md")]
struct SloAsCode;

pub mod nab;

/// The command line's arguments after the program's name, each as text: an argument that is
/// not UTF-8 is an error naming its position (`std::env::args` panics on one).
///
/// # Errors
/// The first argument that is not UTF-8, shown with its invalid bytes replaced.
pub fn utf8_args() -> Result<Vec<String>, String> {
    std::env::args_os()
        .skip(1)
        .enumerate()
        .map(|(i, arg)| {
            arg.into_string().map_err(|arg| {
                format!("argument {} is not UTF-8: {}", i + 1, arg.to_string_lossy())
            })
        })
        .collect()
}

/// The text of the file at `path`, read no further than `limit` bytes: a larger file (or a
/// device such as `/dev/zero`, which never ends) is refused once `limit` bytes are read,
/// instead of being read whole into memory before a parser's own limit could refuse it.
///
/// # Errors
/// A message naming the file: unreadable, larger than `limit` bytes, or not UTF-8.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("read_text_doc_{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let file = dir.join("a.txt");
/// std::fs::write(&file, "twelve bytes").unwrap();
/// let path = file.to_str().unwrap();
/// assert_eq!(sre_examples::read_text(path, 12).unwrap(), "twelve bytes");
/// let refused = sre_examples::read_text(path, 11).unwrap_err();
/// assert!(refused.ends_with("is larger than 11 bytes"), "{refused}");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn read_text(path: impl AsRef<std::path::Path>, limit: u64) -> Result<String, String> {
    use std::io::Read;
    let (file, path) = (std::fs::File::open(&path), path.as_ref().display());
    let file = file.map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("{path} is larger than {limit} bytes"));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{path} is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Writes `text` to standard output. A reader that stops reading (`slo_report | head -1`)
/// ends the output, not the program: a broken pipe is not an error here, where `println!`
/// panics on it.
///
/// # Errors
/// Any other write error, as a message.
pub fn print_all(text: &str) -> Result<(), String> {
    write_all_quietly(std::io::stdout().lock(), text)
}

/// `print_all` on any writer: a broken pipe ends the output without an error.
fn write_all_quietly(mut out: impl std::io::Write, text: &str) -> Result<(), String> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

/// `text` as part of a file name: ASCII letters, digits, `-` and `_` kept, anything else (a
/// path separator, a dot, a control character) written as `_`, so that a name read from a
/// document (an OpenSLO name, which lenient mode takes as it is) cannot lead out of the
/// directory it is written in.
///
/// ```
/// assert_eq!(sre_examples::file_stem("checkout-availability"), "checkout-availability");
/// assert_eq!(sre_examples::file_stem("../../etc/x"), "______etc_x");
/// ```
pub fn file_stem(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io::{self, ErrorKind, Write};

    use super::write_all_quietly;

    /// A writer that takes `room` bytes, then fails with `kind`.
    struct Closing {
        room: usize,
        kind: ErrorKind,
    }

    impl Write for Closing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            match self.room {
                0 => Err(self.kind.into()),
                room => {
                    let n = room.min(buf.len());
                    self.room -= n;
                    Ok(n)
                }
            }
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_reader_that_stops_early_ends_the_output_quietly() {
        let out = Closing {
            room: 5,
            kind: ErrorKind::BrokenPipe,
        };
        assert_eq!(write_all_quietly(out, "more than five bytes"), Ok(()));
    }

    #[test]
    fn other_write_errors_are_reported() {
        let out = Closing {
            room: 5,
            kind: ErrorKind::StorageFull,
        };
        let refused = write_all_quietly(out, "more than five bytes").unwrap_err();
        assert!(
            refused.starts_with("cannot write to standard output"),
            "{refused}"
        );
    }
}
