//! Hash maps and sets for the front end (names, spans) and for `check`'s findings.
//!
//! std's `HashMap` with foldhash (hashbrown's default hasher) instead of SipHash: hashing names
//! and findings was a sixth of `check --format json` on a large journey. The hasher is seeded
//! at random once per process, so keys chosen in a journey cannot be aimed at one bucket in
//! advance; and, as with SipHash, nothing may depend on the order of iteration.

/// A hash map with the fast, randomly seeded hasher.
pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A hash set with the fast, randomly seeded hasher.
pub type Set<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
