//! Text helpers that both the engine and the optimizer need, in the one crate below both
//! (neither depends on the other): the edit distance behind every "did you mean ...?".
//!
//! Each caller keeps its own idea of "close enough to be a typo" and passes it in as the
//! number of edits it allows for a pair of names.
//!
//! ```
//! use genesis_text::{edit_distance, nearest};
//!
//! assert_eq!(edit_distance("kitten", "sitting"), 3);
//! let known = ["entry_conf_overall", "regime_proba"];
//! // Allow a third of the typed name's length in edits.
//! let typo = nearest("entry_conf_overal", known, |typed, _| typed.chars().count() / 3);
//! assert_eq!(typo, Some("entry_conf_overall"));
//! ```

#![forbid(unsafe_code)]

/// Levenshtein distance over characters (insertions, deletions and substitutions cost 1).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate nearest to `typed` by edit distance among those within
/// `max_edits(typed, candidate)` edits of it; ties go to the alphabetically first, so the
/// answer never depends on the candidates' order.
pub fn nearest<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max_edits: impl Fn(&str, &str) -> usize,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(typed, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= max_edits(typed, candidate))
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("entry_conf_overal", "entry_conf_overall"), 1);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("flaw", "lawn"), 2);
        // Characters, not bytes: one substitution of a two-byte character.
        assert_eq!(edit_distance("größe", "grösse"), 2);
        assert_eq!(edit_distance("é", "e"), 1);
    }

    #[test]
    fn nearest_keeps_only_candidates_within_the_callers_limit() {
        let known = ["max_hold_bars", "min_hold_bars", "stop_atr"];
        assert_eq!(
            nearest("max_hold_bar", known, |_, _| 1),
            Some("max_hold_bars")
        );
        assert_eq!(nearest("stop_atrr", known, |_, _| 0), None);
        assert_eq!(nearest("colour", known, |_, _| 2), None);
    }

    #[test]
    fn ties_go_to_the_alphabetically_first_whatever_the_order() {
        // `man_hold_bars` is one edit from both.
        let forward = ["max_hold_bars", "min_hold_bars"];
        let backward = ["min_hold_bars", "max_hold_bars"];
        assert_eq!(
            nearest("man_hold_bars", forward, |_, _| 1),
            Some("max_hold_bars")
        );
        assert_eq!(
            nearest("man_hold_bars", backward, |_, _| 1),
            Some("max_hold_bars")
        );
    }

    #[test]
    fn the_limit_sees_both_names() {
        // Three edits apart: a third of the longer name (9) allows it, of the typed one (6)
        // does not.
        let longer_third = |a: &str, b: &str| a.chars().count().max(b.chars().count()) / 3;
        assert_eq!(
            nearest("abcdef", ["abcdefghi"], longer_third),
            Some("abcdefghi")
        );
        let typed_third = |a: &str, _: &str| a.chars().count() / 3;
        assert_eq!(nearest("abcdef", ["abcdefghi"], typed_third), None);
    }
}
