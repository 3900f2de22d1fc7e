//! "Did you mean" for misspelt keys, enum values and references.

/// Words longer than this are no typo of a name; the distance costs their length times the
/// candidate's, so a megabyte value must not reach it.
const MAX_WORD_CHARS: usize = 64;

/// The candidate closest to `word`, when it is close enough to be a plausible typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().take(MAX_WORD_CHARS + 1).count();
    if length > MAX_WORD_CHARS {
        return None;
    }
    let lowered = word.to_ascii_lowercase();
    let budget = (length / 3).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length.
        .filter(|c| c.chars().count().abs_diff(length) <= budget)
        .map(|c| (distance(&lowered, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= budget)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal-string-alignment distance: Levenshtein plus swaps of neighbours (`nmae` -> `name`).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// `hint: did you mean `x`?` when there is a close candidate.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_case_slips() {
        let keys = ["name", "nodeGroups", "version", "endpoint"];
        assert_eq!(closest("nmae", keys), Some("name"));
        assert_eq!(closest("nodegroups", keys), Some("nodeGroups"));
        assert_eq!(closest("nodeGroup", keys), Some("nodeGroups"));
        assert_eq!(closest("versoin", keys), Some("version"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(
            closest("us-est-1", ["us-east-1", "us-west-2"]),
            Some("us-east-1")
        );
    }

    #[test]
    fn long_words_get_no_suggestion_and_cost_nothing() {
        let long = "A".repeat(1_000_000);
        let started = std::time::Instant::now();
        assert_eq!(closest(&long, ["AWSManagedRulesCommonRuleSet"; 1000]), None);
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        let near = format!("{}x", "a".repeat(MAX_WORD_CHARS - 1));
        assert_eq!(closest(&near, [near[1..].as_ref()]), Some(&near[1..]));
    }
}
