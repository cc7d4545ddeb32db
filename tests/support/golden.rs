//! Shared by the browser tests that rebuild a native golden journal (`#[path]`-included).

/// Fails naming the first line where `journal` and `golden` differ.
pub fn assert_same_journal(what: &str, journal: &str, golden: &str) {
    if journal != golden {
        let first = journal
            .lines()
            .zip(golden.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(journal.lines().count().min(golden.lines().count()));
        panic!(
            "{what} differs from the native golden at line {}:\nbrowser {}\nnative  {}",
            first + 1,
            journal.lines().nth(first).unwrap_or("(none)"),
            golden.lines().nth(first).unwrap_or("(none)")
        );
    }
}
