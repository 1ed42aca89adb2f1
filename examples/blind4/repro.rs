//! Minimal reproductions of the fourth blind game day's failing drills (`--repro`).

use crate::Res;

pub(crate) fn run() -> Res<()> {
    Ok(())
}
