//! "Did you mean" suggestions for unknown names: plain text, at the bottom layer, so that the
//! parser (misspelt keywords), the resolver (unknown names) and the command line (unknown rules,
//! touchpoints) share one measure of "close".

/// The candidate closest to `name`, when it is close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    let limit = (len / 3).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length: most candidates stop here.
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c.len()))
        .map(|(_, c)| c)
}

/// Edit distance over characters where swapping two neighbours counts as one edit
/// (optimal string alignment): `wbe` is one edit from `web`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j - 1] + cost)
                .min(d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// Candidate comparisons left for "did you mean" suggestions in one journey: thousands of
/// unknown names among 50,000 declared ones took 44 s before. Past it an unknown name still
/// gets its diagnostic, with a help line that names no candidate.
pub(crate) struct Budget(usize);

impl Default for Budget {
    fn default() -> Self {
        Budget(1_000_000)
    }
}

impl Budget {
    /// True (and spent) when `candidates` comparisons are left.
    pub(crate) fn spend(&mut self, candidates: usize) -> bool {
        let ok = self.0 >= candidates;
        if ok {
            self.0 -= candidates;
        }
        ok
    }
}

/// "did you mean `x`?" for a help line (when `suggest`: the caller bounds the comparisons),
/// or a fallback listing what exists.
pub fn help(what: &str, name: &str, candidates: &[&str], suggest: bool) -> String {
    // `NPS` for `nps`: names are case-sensitive, and a difference of case only is the likeliest
    // slip whatever the edit distance says.
    if let Some(s) = candidates.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        return format!("did you mean `{s}`?");
    }
    if let Some(s) = suggest
        .then(|| self::suggest(name, candidates.iter().copied()))
        .flatten()
    {
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
        // Metrics are the language's, not declared: list them rather than say "declare".
        n if what == "metric" => format!(
            "the {n} metrics are: {}",
            candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        n if suggest => {
            format!("declare `{name}` first ({n} {what}s are declared, none close to it)")
        }
        n => format!("declare `{name}` first ({n} {what}s are declared)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_bounds_the_comparisons() {
        let names: Vec<String> = (0..100).map(|k| format!("s{k}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut budget = Budget(250);
        let helps: Vec<String> = ["x1", "x2", "x3"]
            .iter()
            .map(|n| help("segment", n, &names, budget.spend(names.len())))
            .collect();
        assert_eq!(helps[0], "did you mean `s1`?");
        assert_eq!(helps[1], "did you mean `s2`?");
        // Spent: no candidate named, and no claim that none is close.
        assert_eq!(helps[2], "declare `x3` first (100 segments are declared)");
    }

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("café", "cafe"), 1);
        assert_eq!(distance("wbe", "web"), 1);
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggest("chekout", ["checkout", "cart"]), Some("checkout"));
        assert_eq!(suggest("zzz", ["checkout", "cart"]), None);
        assert!(help("touchpoint", "crat", &["cart", "review"], true).contains("`cart`"));
    }
}
