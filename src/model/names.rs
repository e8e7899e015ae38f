//! "Did you mean" suggestions for unknown names.

/// The candidate closest to `name`, when it is close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c.len()))
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters, with one row of memory.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// "did you mean `x`?" for a help line, or a fallback listing what exists.
pub fn help(what: &str, name: &str, candidates: &[&str]) -> String {
    if let Some(s) = suggest(name, candidates.iter().copied()) {
        return format!("did you mean `{s}`?");
    }
    match candidates.len() {
        0 => format!("no {what} is declared; declare `{name}` first"),
        1..=8 => format!(
            "declared {what}s: {}",
            candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        n => format!("declare `{name}` first ({n} {what}s are declared, none close to it)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("café", "cafe"), 1);
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggest("chekout", ["checkout", "cart"]), Some("checkout"));
        assert_eq!(suggest("zzz", ["checkout", "cart"]), None);
        assert!(help("touchpoint", "crat", &["cart", "review"]).contains("`cart`"));
    }
}
