//! The warehouse route (LANGUAGE-2.md §5): `fit --emit-sql` prints the SQL that reduces an
//! event table to the counts table, and `fit --counts` / `conform --counts` read that table
//! instead of a log — the heavy pass runs where the events already are.
//!
//! **The counts table** (CSV with a header): `segment,touchpoint,option,measure,target,n`, one
//! row per count, empty cells where a column does not apply:
//!
//! | measure | touchpoint | option | target | counts |
//! | --- | --- | --- | --- | --- |
//! | `customers`, `cycles` | | | | customers, cycles of the segment |
//! | `entry` | TP | | | cycles entering at TP |
//! | `visit` | TP | OPT | the previous touchpoint, `trigger:NAME` after a return, empty at an entry | visits to TP (by where the customer came from) |
//! | `move` | TP | OPT | X | visits to TP followed directly by a visit to X |
//! | `abandoned`, `left`, `completed`, `timed_out`, `stuck` | TP | OPT | | visits to TP right after which an `end` row says so |
//! | `friction`, `context`, `pain` | TP | OPT | | pain rows by cause (`pain`: none given) |
//! | `reached_friction` | TP | OPT | | visits that did not leave at a context break |
//! | `ending` | TP | OPT | | visits followed by a message or by nothing in their cycle |
//! | `firing` | | | TRIGGER | messages of the trigger |
//! | `return` | TP | | TRIGGER | visits right after the trigger's message (returns to TP) |

use super::count::{Chances, Counts, EXIT, To};
use super::read::LogError;
use crate::model::Journey;
use crate::sim::tally::ending;
use std::collections::HashMap;

/// A SQL dialect.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// DuckDB.
    Duckdb,
    /// PostgreSQL.
    Postgres,
    /// Google BigQuery (standard SQL).
    Bigquery,
    /// Apache Spark SQL.
    Spark,
}

/// The SQL that turns the event table `table` (LANGUAGE-2.md §5's columns, plus `ord`: the
/// rows' order where times tie, e.g. an event id or the export's row number) into the counts
/// table. `cycle` and `option` may be absent from the table: say so with `has_cycle` and
/// `has_option`.
pub fn emit(dialect: Dialect, table: &str, has_cycle: bool, has_option: bool) -> String {
    let q = |name: &str| match dialect {
        Dialect::Bigquery | Dialect::Spark => format!("`{name}`"),
        _ => format!("\"{name}\""),
    };
    let text = match dialect {
        Dialect::Bigquery => "STRING",
        Dialect::Spark => "STRING",
        _ => "VARCHAR",
    };
    let cycle = match has_cycle {
        true => format!("CAST({} AS BIGINT)", q("cycle")),
        false => "CAST(NULL AS BIGINT)".to_string(),
    };
    let option = match has_option {
        true => format!("COALESCE({}, '')", q("option")),
        false => "''".to_string(),
    };
    let int = match dialect {
        Dialect::Bigquery => "INT64",
        _ => "BIGINT",
    };
    format!(
        r#"-- journeyc fit --emit-sql: an event table (LANGUAGE-2.md §5) reduced to the counts table
-- that `journeyc fit --counts FILE` and `journeyc conform --counts FILE` read (columns:
-- segment, touchpoint, option, measure, target, n; docs/data.md). Rows of one customer are
-- taken in time order, ties by `ord`.
WITH src AS (
  SELECT
    CAST({customer} AS {text}) AS customer,
    {time} AS t,
    {ord} AS ord,
    COALESCE(NULLIF({event}, ''), 'visit') AS event,
    COALESCE({touchpoint}, '') AS tp,
    COALESCE({segment}, '') AS seg,
    COALESCE({cause}, '') AS cause,
    COALESCE({trigger}, '') AS trg,
    COALESCE({outcome}, '') AS outcome,
    {option} AS opt,
    {cycle} AS cyc_col
  FROM {table}
),
ordered AS (
  SELECT *,
    ROW_NUMBER() OVER (PARTITION BY customer ORDER BY t, ord) AS k,
    MAX(seg) OVER (PARTITION BY customer) AS segment
  FROM src
),
lagged AS (
  SELECT *, LAG(event) OVER (PARTITION BY customer ORDER BY k) AS prev_event FROM ordered
),
cycled AS (
  SELECT *,
    COALESCE(cyc_col, 1 + SUM(CASE WHEN event = 'visit' AND prev_event = 'end' THEN 1 ELSE 0 END)
      OVER (PARTITION BY customer ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS cyc
  FROM lagged
),
numbered AS (
  SELECT *,
    SUM(CASE WHEN event = 'visit' THEN 1 ELSE 0 END)
      OVER (PARTITION BY customer, cyc ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS vi
  FROM cycled
),
-- One row per visit: the visit and the rows after it, up to the next visit of its cycle.
visits AS (
  SELECT customer, cyc, vi, MAX(segment) AS segment,
    MAX(CASE WHEN event = 'visit' THEN tp END) AS tp,
    MAX(CASE WHEN event = 'visit' THEN opt END) AS opt,
    SUM(CASE WHEN event = 'pain' AND cause = 'context' THEN 1 ELSE 0 END) AS ctx,
    SUM(CASE WHEN event = 'pain' AND cause = 'friction' THEN 1 ELSE 0 END) AS fric,
    SUM(CASE WHEN event = 'pain' AND cause NOT IN ('context', 'friction') THEN 1 ELSE 0 END) AS pain,
    MIN(CASE WHEN event IN ('end', 'message') THEN k END) AS first_after,
    MAX(CASE WHEN event = 'message' THEN k END) AS last_message,
    MAX(CASE WHEN event IN ('end', 'message') THEN 1 ELSE 0 END) AS interrupted
  FROM numbered WHERE vi > 0
  GROUP BY customer, cyc, vi
),
judged AS (
  SELECT v.*,
    CASE WHEN a.event = 'end' THEN a.outcome ELSE '' END AS ended,
    COALESCE(m.trg, '') AS message_trigger
  FROM visits v
  LEFT JOIN numbered a ON a.customer = v.customer AND a.k = v.first_after
  LEFT JOIN numbered m ON m.customer = v.customer AND m.k = v.last_message
),
linked AS (
  SELECT *,
    LAG(tp) OVER w AS prev_tp,
    LAG(opt) OVER w AS prev_opt,
    LAG(interrupted) OVER w AS prev_interrupted,
    LAG(message_trigger) OVER w AS prev_message,
    LEAD(vi) OVER w AS next_vi
  FROM judged
  WINDOW w AS (PARTITION BY customer, cyc ORDER BY vi)
),
counts AS (
  SELECT segment, '' AS touchpoint, '' AS option, 'customers' AS measure, '' AS target, COUNT(DISTINCT customer) AS n
    FROM ordered GROUP BY segment
  UNION ALL
  SELECT segment, '', '', 'cycles', '', COUNT(*) FROM (SELECT DISTINCT customer, segment, cyc FROM cycled) c GROUP BY segment
  UNION ALL
  SELECT segment, tp, '', 'entry', '', COUNT(*) FROM linked WHERE vi = 1 GROUP BY segment, tp
  UNION ALL
  SELECT segment, tp, opt, 'visit',
      CASE WHEN vi = 1 THEN '' WHEN prev_message <> '' THEN CONCAT('trigger:', prev_message) ELSE prev_tp END,
      COUNT(*)
    FROM linked
    GROUP BY segment, tp, opt, CASE WHEN vi = 1 THEN '' WHEN prev_message <> '' THEN CONCAT('trigger:', prev_message) ELSE prev_tp END
  UNION ALL
  SELECT segment, prev_tp, prev_opt, 'move', tp, COUNT(*) FROM linked
    WHERE vi > 1 AND prev_interrupted = 0 GROUP BY segment, prev_tp, prev_opt, tp
  UNION ALL
  SELECT segment, tp, opt, ended, '', COUNT(*) FROM linked WHERE ended <> '' GROUP BY segment, tp, opt, ended
  UNION ALL
  SELECT segment, tp, opt, 'friction', '', SUM(fric) FROM linked GROUP BY segment, tp, opt HAVING SUM(fric) > 0
  UNION ALL
  SELECT segment, tp, opt, 'context', '', SUM(ctx) FROM linked GROUP BY segment, tp, opt HAVING SUM(ctx) > 0
  UNION ALL
  SELECT segment, tp, opt, 'pain', '', SUM(pain) FROM linked GROUP BY segment, tp, opt HAVING SUM(pain) > 0
  UNION ALL
  SELECT segment, tp, opt, 'reached_friction', '', COUNT(*) FROM linked
    WHERE NOT (ctx > 0 AND fric = 0 AND ended = 'abandoned') GROUP BY segment, tp, opt
  UNION ALL
  SELECT segment, tp, opt, 'ending', '', COUNT(*) FROM linked
    WHERE next_vi IS NULL OR interrupted = 1 GROUP BY segment, tp, opt
  UNION ALL
  SELECT segment, '', '', 'firing', trg, COUNT(*) FROM numbered WHERE event = 'message' GROUP BY segment, trg
  UNION ALL
  SELECT segment, tp, '', 'return', prev_message, COUNT(*) FROM linked
    WHERE vi > 1 AND prev_message <> '' GROUP BY segment, tp, prev_message
)
SELECT segment, touchpoint, option, measure, target, CAST(n AS {int}) AS n FROM counts
ORDER BY segment, measure, touchpoint, option, target;
"#,
        customer = q("customer"),
        time = q("time"),
        ord = q("ord"),
        event = q("event"),
        touchpoint = q("touchpoint"),
        segment = q("segment"),
        cause = q("cause"),
        trigger = q("trigger"),
        outcome = q("outcome"),
    )
}

/// Reads a counts table (CSV) into counts against `journey`: names it lacks are an error
/// naming the line.
pub fn read_counts(
    journey: &Journey,
    input: impl std::io::Read,
    window_ms: i64,
) -> Result<(Counts, Vec<String>), LogError> {
    let mut r = csv::ReaderBuilder::new().from_reader(input);
    let bad = |e: csv::Error| {
        let at = e
            .position()
            .map_or(String::new(), |p| format!("line {}: ", p.line()));
        LogError(format!("{at}not a counts table: {e}"))
    };
    let header: Vec<String> = r
        .headers()
        .map_err(bad)?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            LogError(format!(
                "line 1: a counts table has the columns segment, touchpoint, option, measure, \
                 target, n (this one has: {})",
                header.join(", ")
            ))
        })
    };
    let (cs, ct, co, cm, cg, cn) = (
        col("segment")?,
        col("touchpoint")?,
        col("option")?,
        col("measure")?,
        col("target")?,
        col("n")?,
    );
    let chances = Chances::new(journey);
    let n_tp = journey.touchpoints.len();
    let mut counts = Counts::new(
        journey.segments.len(),
        n_tp,
        1,
        journey.triggers.len(),
        window_ms,
    );
    let mut options = vec![String::new()];
    let mut rec = csv::StringRecord::new();
    let tp_of: HashMap<&str, usize> = journey
        .touchpoints
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let trigger_of: HashMap<&str, usize> = journey
        .triggers
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    while r.read_record(&mut rec).map_err(bad)? {
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(i).unwrap_or("").trim();
        let fail = |what: String| LogError(format!("line {line}: {what}"));
        let seg = match (get(cs), journey.segments.len()) {
            ("", 1) => 0,
            (s, _) => journey
                .segment(s)
                .ok_or_else(|| fail(format!("unknown segment `{s}`")))?,
        };
        let n: u64 = get(cn)
            .parse()
            .map_err(|_| fail(format!("`{}` is not a count", get(cn))))?;
        let tp = |name: &str| {
            tp_of
                .get(name)
                .copied()
                .ok_or_else(|| fail(format!("unknown touchpoint `{name}`")))
        };
        let trigger = |name: &str| {
            trigger_of
                .get(name)
                .copied()
                .ok_or_else(|| fail(format!("unknown trigger `{name}`")))
        };
        let opt = match get(co) {
            "" => 0,
            o => match options.iter().position(|x| x == o) {
                Some(i) => i,
                None => {
                    options.push(o.to_string());
                    options.len() - 1
                }
            },
        };
        let measure = get(cm);
        let target = get(cg);
        match measure {
            "customers" => counts.customers[seg] += n,
            "cycles" => counts.cycles[seg] += n,
            "entry" => counts.entries[seg * n_tp + tp(get(ct))?] += n,
            "visit" => {
                let t = tp(get(ct))?;
                let from = match target {
                    "" => None,
                    x => match x.strip_prefix("trigger:") {
                        Some(name) => Some(chances.via_of(trigger(name)?)),
                        None => Some(chances.channel_of(tp(x)?)),
                    },
                };
                let (abandon, reach) = chances.at(seg, t, from);
                let cell = counts.cell_for(seg, t, opt);
                cell.visits += n;
                cell.abandon_sum += abandon * n as f64;
                cell.reach_sum += reach * n as f64;
            }
            "move" => {
                let to: To = tp(target)? as To;
                *counts
                    .cell_for(seg, tp(get(ct))?, opt)
                    .moves
                    .entry(to)
                    .or_insert(0) += n;
            }
            "friction" => counts.cell_for(seg, tp(get(ct))?, opt).friction += n,
            "context" => {
                let c = counts.cell_for(seg, tp(get(ct))?, opt);
                c.context += n;
                c.broken += n;
            }
            "pain" => counts.cell_for(seg, tp(get(ct))?, opt).pains += n,
            "reached_friction" => counts.cell_for(seg, tp(get(ct))?, opt).reached_friction += n,
            "ending" => counts.cell_for(seg, tp(get(ct))?, opt).endings += n,
            "firing" => counts.firings[seg * counts.n_triggers + trigger(target)?] += n,
            "return" => {
                let (x, t) = (trigger(target)?, tp(get(ct))?);
                counts.returns[seg * counts.n_triggers + x] += n;
                *counts.return_to.entry((seg, x, t)).or_insert(0) += n;
            }
            other => match ending::NAMES.iter().position(|e| *e == other) {
                Some(k) => counts.cell_for(seg, tp(get(ct))?, opt).ended[k] += n,
                None => return Err(fail(format!("unknown measure `{other}`"))),
            },
        }
        let _ = EXIT;
    }
    Ok((counts, options))
}
