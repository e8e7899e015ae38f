//! Helpers for the renderer's unit tests: resolve a journey text, simulate it.

use crate::model::{Journey, Options, resolve_source};
use crate::sim::figures::Figures;
use crate::sim::{Settings, simulate};

/// The journey of `text`, which must have no error.
pub fn journey(text: &str) -> Journey {
    let c = resolve_source("t.journey", text, &Options::default()).expect("resolves");
    assert!(
        c.findings
            .iter()
            .all(|f| f.level != crate::diagnostic::Level::Error),
        "{:?}",
        c.findings
    );
    c.journey.expect("a journey")
}

/// The journey simulated (20,000 customers, one thread): all customers, then per segment.
pub fn figures(j: &Journey) -> (Figures, Vec<Figures>) {
    let settings = Settings {
        customers: 20_000,
        seed: 3,
        threads: 1,
        ..Settings::default()
    };
    let run = simulate(j, &settings, None).expect("simulates");
    let all = Figures::new(&run.frame, &run.tally.total());
    let segments = run
        .tally
        .segments
        .iter()
        .map(|t| Figures::new(&run.frame, t))
        .collect();
    (all, segments)
}

/// `a` (entry 80%) → `b` 30% / `c` 60%; `c` → `d` (goal); `z` (entry 20%) → `d`.
pub const TINY: &str = r#"
journey tiny {
  channel web digital
  channel shop physical
  stage one {
    touchpoint a on web { entry 80%  -> b 30%  -> c 60%  -> exit }
    touchpoint z on shop { entry 20%  emotion +2  -> d }
  }
  stage two {
    touchpoint b on web { -> exit }
    touchpoint c on shop { friction 50% "queue"  -> d 90%  -> exit }
  }
  stage three {
    touchpoint d on web { goal buy  emotion +1 }
  }
}
"#;

/// Segment `a` mostly goes to `left`, `b` mostly to `far` (a move `a` cannot make at all),
/// then `right`; `left` feels different to `b`.
pub const FORKED: &str = r#"journey forked {
  channel web digital
  channel shop physical
  segment a "Alpha" { share 50%  prefers web  patience 90% }
  segment b "Beta" { share 50%  prefers web  patience 90% }
  stage s {
    touchpoint start on web {
      entry
      -> left 80% for a
      -> right 10% for a
      -> left 30% for b
      -> far 70% for b
      -> exit
    }
    touchpoint left on web { emotion +2  emotion -1 for b  goal g }
    touchpoint far on shop { friction 20%  -> right }
    touchpoint right on web { goal g }
  }
}"#;
