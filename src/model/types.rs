//! The resolved journey: the one intermediate form every later stage reads.
//!
//! Everything is resolved: names are dense indices, units normalised (seconds, probabilities
//! in 0..=1, money as plain numbers), defaults applied, transitions resolved per segment with
//! the remainder rule. Spans point back at the source for diagnostics; they are not part of
//! the emitted model (see `docs/model.md` for the JSON/YAML form).

use crate::source::Span;

/// Version of the emitted model schema (`journeyc compile --emit json|yaml`).
pub const SCHEMA_VERSION: u32 = 1;

/// Index of a channel in [`Journey::channels`].
pub type ChannelId = usize;
/// Index of a segment in [`Journey::segments`].
pub type SegmentId = usize;
/// Index of a stage in [`Journey::stages`].
pub type StageId = usize;
/// Index of a touchpoint in [`Journey::touchpoints`].
pub type TouchpointId = usize;
/// Index of a goal in [`Journey::goals`].
pub type GoalId = usize;
/// Index of a trigger in [`Journey::triggers`].
pub type TriggerId = usize;

/// A resolved journey.
#[derive(Clone, Debug)]
pub struct Journey {
    /// The journey's name.
    pub name: String,
    /// Its label (the name when none is written).
    pub label: String,
    /// `owner "…"`.
    pub owner: Option<String>,
    /// `description "…"`.
    pub description: Option<String>,
    /// `horizon`, in seconds.
    pub horizon: Option<f64>,
    /// `max_steps`: visits per customer before the journey ends as stuck (default 1000).
    pub max_steps: u32,
    /// Channels, from used libraries first, then the journey's, in written order.
    pub channels: Vec<Channel>,
    /// `in_context[c]`: channel `c` is in the unnamed `context` group (the lines
    /// `context CH, …` together).
    pub in_context: Vec<bool>,
    /// Named context groups (`context NAME: CH, …`, LANGUAGE-2.md §6), in written order.
    pub context_groups: Vec<ContextGroup>,
    /// `lifecycle { … }` (LANGUAGE-2.md §3); `None`: one cycle per customer.
    pub lifecycle: Option<Lifecycle>,
    /// Pain-point chance when moving between channels that do not share context.
    pub context_loss: f64,
    /// Segments; the implicit `everyone` when none is declared.
    pub segments: Vec<Segment>,
    /// Stages in lifecycle (written) order.
    pub stages: Vec<Stage>,
    /// Touchpoints in written order (stage by stage).
    pub touchpoints: Vec<Touchpoint>,
    /// Goals, in order of first appearance.
    pub goals: Vec<Goal>,
    /// The goal `conversion` means (`primary_goal`, else the first goal written).
    pub primary_goal: Option<GoalId>,
    /// Triggers in written order.
    pub triggers: Vec<Trigger>,
    /// KPIs in written order.
    pub kpis: Vec<Kpi>,
    /// `objective` (LANGUAGE-2.md §4); `None`: not written (`maximize conversion`).
    pub objective: Option<Objective>,
    /// `constraint` lines in written order (read like KPIs: metric, segment, bound).
    pub constraints: Vec<Kpi>,
    /// Scenarios declared in the file (names and labels; see [`crate::model::resolve`] to apply one).
    pub scenarios: Vec<ScenarioInfo>,
    /// The scenario applied to get this journey, if any.
    pub scenario: Option<String>,
    /// The journey's name in the source.
    pub span: Span,
}

impl Journey {
    /// Some touchpoint has `csat` for some segment (LANGUAGE-2.md §2).
    pub fn rates_csat(&self) -> bool {
        self.touchpoints
            .iter()
            .any(|t| t.csat.is_some() || t.by_segment.iter().any(|v| v.csat.is_some()))
    }

    /// Some touchpoint has `effort` for some segment (LANGUAGE-2.md §2).
    pub fn rates_effort(&self) -> bool {
        self.touchpoints
            .iter()
            .any(|t| t.effort.is_some() || t.by_segment.iter().any(|v| v.effort.is_some()))
    }

    /// True when a move from channel `a` to channel `b` keeps the customer's context.
    pub fn shares_context(&self, a: ChannelId, b: ChannelId) -> bool {
        a == b
            || (self.in_context[a] && self.in_context[b])
            || self
                .context_groups
                .iter()
                .any(|g| g.channels[a] && g.channels[b])
    }

    /// The entries: touchpoints with a positive entry weight, with that weight (they sum to 1).
    pub fn entries(&self) -> impl Iterator<Item = (TouchpointId, f64)> + '_ {
        self.touchpoints
            .iter()
            .enumerate()
            .filter(|(_, t)| t.entry > 0.0)
            .map(|(i, t)| (i, t.entry))
    }

    /// The touchpoints that have options (LANGUAGE-2.md §4), in written order.
    pub fn decisions(&self) -> impl Iterator<Item = TouchpointId> + '_ {
        self.touchpoints
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.choices.is_empty())
            .map(|(i, _)| i)
    }

    /// The same journey under another policy: `policy[d][s]` is the choice of segment `s`
    /// at the `d`-th decision touchpoint (in [`Journey::decisions`] order).
    pub fn with_policy(&self, policy: &[Vec<usize>]) -> Journey {
        let mut j = self.clone();
        let decisions: Vec<TouchpointId> = self.decisions().collect();
        for (d, tp) in decisions.into_iter().enumerate() {
            if let Some(p) = policy.get(d) {
                j.touchpoints[tp].apply_policy(p);
            }
        }
        j
    }

    /// Looks a touchpoint up by name.
    pub fn touchpoint(&self, name: &str) -> Option<TouchpointId> {
        self.touchpoints.iter().position(|t| t.name == name)
    }

    /// Looks a segment up by name.
    pub fn segment(&self, name: &str) -> Option<SegmentId> {
        self.segments.iter().position(|s| s.name == name)
    }

    /// Looks a goal up by name.
    pub fn goal(&self, name: &str) -> Option<GoalId> {
        self.goals.iter().position(|g| g.name == name)
    }
}

/// What kind of channel.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// Web, app, email…
    Digital,
    /// Store, branch…
    Physical,
    /// Phone, agent, chat with a person…
    Human,
}

/// A channel.
#[derive(Clone, Debug)]
pub struct Channel {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ChannelKind,
    /// Cost per visit (and per trigger message sent through it).
    pub cost: f64,
    /// The channel's name in its declaration.
    pub span: Span,
}

/// Customers coming back for more cycles (LANGUAGE-2.md §3). Without a `lifecycle` block a
/// journey has exactly one cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct Lifecycle {
    /// Per segment: another cycle after one that achieved the primary goal.
    pub repeat: Vec<Comeback>,
    /// Per segment: another cycle after one that did not.
    pub winback: Vec<Comeback>,
    /// Yearly discount rate of `clv` (0.08 for `discount 8%`).
    pub discount: f64,
    /// Cycles per customer at most.
    pub max_cycles: u32,
    /// The `lifecycle` keyword.
    pub span: Span,
}

impl Lifecycle {
    /// The continuous discount rate per second: δ = ln(1 + discount) / 365 days.
    pub fn rate_per_second(&self) -> f64 {
        self.discount.ln_1p() / (365.0 * 86_400.0)
    }
}

/// The chance of another cycle and the delay before it.
#[derive(Copy, Clone, Debug, PartialEq, Default)]
pub struct Comeback {
    /// The chance, 0..=1.
    pub chance: f64,
    /// The delay, uniform in `min..=max` seconds.
    pub after: Duration,
}

/// A named group of channels that share one customer profile (LANGUAGE-2.md §6).
#[derive(Clone, Debug)]
pub struct ContextGroup {
    /// Name, unique among the groups.
    pub name: String,
    /// `channels[c]`: channel `c` belongs to the group.
    pub channels: Vec<bool>,
    /// The name in its declaration.
    pub span: Span,
}

/// A customer segment.
#[derive(Clone, Debug)]
pub struct Segment {
    /// Name (`everyone` for the implicit one).
    pub name: String,
    /// Label (the name when none is written).
    pub label: String,
    /// Share of the population, 0..=1.
    pub share: f64,
    /// Preferred channels.
    pub prefers: Vec<ChannelId>,
    /// Chance to carry on after a pain point.
    pub patience: f64,
    /// True for the implicit `everyone` segment.
    pub implicit: bool,
    /// The segment's name in its declaration (the journey's name for `everyone`).
    pub span: Span,
}

/// A lifecycle stage.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Name.
    pub name: String,
    /// Label (the name when none is written).
    pub label: String,
    /// Its touchpoints, in written order.
    pub touchpoints: Vec<TouchpointId>,
    /// The stage's name in its declaration.
    pub span: Span,
}

/// Time spent at a touchpoint: uniform in `min..=max` seconds (`min == max` when fixed).
#[derive(Copy, Clone, Debug, PartialEq, Default)]
pub struct Duration {
    /// Shortest, seconds.
    pub min: f64,
    /// Longest, seconds.
    pub max: f64,
}

impl Duration {
    /// The mean, seconds.
    pub fn mean(self) -> f64 {
        (self.min + self.max) / 2.0
    }
}

/// A score a visit earns (LANGUAGE-2.md §2): `base` on a visit without a pain point, `pain`
/// on one with a pain point (context loss or friction). For `csat` both are chances of a
/// *satisfied* rating; for `effort`, amounts of effort.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Score {
    /// Without a pain point.
    pub base: f64,
    /// With a pain point.
    pub pain: f64,
}

impl Score {
    /// The score of a visit that had a pain point with chance `pains` (the expected score).
    pub fn expected(self, pains: f64) -> f64 {
        self.base + (self.pain - self.base) * pains
    }
}

/// What a visit of a touchpoint does to one segment's customers: the attributes that may
/// differ by segment (LANGUAGE-2.md §1).
#[derive(Copy, Clone, Debug, PartialEq, Default)]
pub struct Visit {
    /// Time spent.
    pub duration: Duration,
    /// Chance of a pain point.
    pub friction: f64,
    /// Sentiment change.
    pub emotion: i32,
    /// Cost of the visit.
    pub cost: f64,
    /// The goal's value (0 without a goal).
    pub value: f64,
    /// `csat`: the chance the visit is rated satisfied; `None`: not rated.
    pub csat: Option<Score>,
    /// `effort`: the effort the visit costs; `None`: not rated.
    pub effort: Option<Score>,
}

/// Where a transition goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// To a touchpoint.
    Touchpoint(TouchpointId),
    /// The customer leaves.
    Exit,
}

/// A transition as written (`-> TARGET [P] [for SEG, …]`), kept for checks and reports.
#[derive(Clone, Debug)]
pub struct Arrow {
    /// Target.
    pub target: Target,
    /// Written probability, if any (0..=1).
    pub probability: Option<f64>,
    /// Segments named by `for`; empty means every segment.
    pub segments: Vec<SegmentId>,
    /// The whole `-> …` clause.
    pub span: Span,
    /// The target name.
    pub target_span: Span,
}

/// A resolved transition for one segment.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Transition {
    /// Target.
    pub target: Target,
    /// Probability, 0..=1; a segment's transitions of one touchpoint sum to 1.
    pub probability: f64,
    /// Index of the written arrow in [`Touchpoint::arrows`].
    pub arrow: usize,
}

/// A goal achieved at a touchpoint.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct GoalAt {
    /// Which goal.
    pub goal: GoalId,
    /// Value earned on every visit.
    pub value: f64,
}

/// A touchpoint.
#[derive(Clone, Debug)]
pub struct Touchpoint {
    /// Name, unique in the journey.
    pub name: String,
    /// Label (the name when none is written).
    pub label: String,
    /// Its stage.
    pub stage: StageId,
    /// Its channel.
    pub channel: ChannelId,
    /// Entry weight, 0..=1 (0: not an entry). Weights of all entries sum to 1.
    pub entry: f64,
    /// Time spent on each visit.
    pub duration: Duration,
    /// Chance of a pain point on each visit.
    pub friction: f64,
    /// The pain point's label, if written.
    pub friction_label: Option<String>,
    /// Sentiment change on each visit.
    pub emotion: i32,
    /// Cost per visit (the touchpoint's `cost`, else the channel's).
    pub cost: f64,
    /// `csat P [pain Q]`, if rated.
    pub csat: Option<Score>,
    /// `effort N [pain M]`, if rated.
    pub effort: Option<Score>,
    /// `moment_of_truth`.
    pub moment_of_truth: bool,
    /// `goal NAME [value N]`.
    pub goal: Option<GoalAt>,
    /// `by_segment[s]`: what a visit does to segment `s`, when some attribute line has
    /// `for`; empty when every segment gets the unqualified values above (see
    /// [`Touchpoint::visit`]). The fields above are always the unqualified values (the
    /// defaults where only `for` lines are written): what a report shows for "everyone".
    pub by_segment: Vec<Visit>,
    /// Transitions as written (under a policy: those of `as_is` when some segment uses it,
    /// then those of every other option some segment uses, in option order).
    pub arrows: Vec<Arrow>,
    /// `transitions[segment]`: the resolved transitions for that segment, summing to 1, or
    /// empty when the touchpoint has no transitions at all (the journey completes here).
    /// Zero-probability transitions are dropped.
    pub transitions: Vec<Vec<Transition>>,
    /// The touchpoint's name in its declaration.
    pub span: Span,
    /// The `on CHANNEL` name.
    pub channel_span: Span,
    /// The `friction` attribute, when written.
    pub friction_span: Option<Span>,
    /// The touchpoint's alternatives (LANGUAGE-2.md §4): `choices[0]` is `as_is`, the
    /// touchpoint as written, then every `option` in written order. Empty without options.
    pub choices: Vec<Choice>,
    /// `policy[segment]`: the index in `choices` that segment's customers get here; empty
    /// without options. The fields above are those of the policy in force.
    pub policy: Vec<usize>,
}

/// One alternative of a touchpoint (`as_is` or an `option`), resolved: what a visit does and
/// where it leads, per segment, when the policy chooses it.
#[derive(Clone, Debug)]
pub struct Choice {
    /// Name (`as_is` for the touchpoint as written).
    pub name: String,
    /// Label (the touchpoint's for `as_is`, else the option's, else its name).
    pub label: String,
    /// The option's name in its declaration (the touchpoint's for `as_is`).
    pub span: Span,
    /// The unqualified values (see [`Touchpoint::unqualified`]).
    pub everyone: Visit,
    /// `visits[segment]`: what a visit does to that segment.
    pub visits: Vec<Visit>,
    /// The pain point's label.
    pub friction_label: Option<String>,
    /// The `friction` line.
    pub friction_span: Option<Span>,
    /// `moment_of_truth`.
    pub moment_of_truth: bool,
    /// Transitions as written (the touchpoint's when the option states none).
    pub arrows: Vec<Arrow>,
    /// `transitions[segment]`, indices into `arrows`.
    pub transitions: Vec<Vec<Transition>>,
}

impl Choice {
    /// The choice a resolved touchpoint's own lines make.
    pub fn of(tp: &Touchpoint, name: &str, label: String, span: Span, segments: usize) -> Choice {
        Choice {
            name: name.to_string(),
            label,
            span,
            everyone: tp.unqualified(),
            visits: (0..segments).map(|s| tp.visit(s)).collect(),
            friction_label: tp.friction_label.clone(),
            friction_span: tp.friction_span,
            moment_of_truth: tp.moment_of_truth,
            arrows: tp.arrows.clone(),
            transitions: tp.transitions.clone(),
        }
    }
}

impl Touchpoint {
    /// Puts `policy` (per segment, an index in [`Touchpoint::choices`]) in force here.
    pub fn apply_policy(&mut self, policy: &[usize]) {
        if self.choices.is_empty() {
            return;
        }
        // Every buffer is reused: `learn` applies a policy per batch.
        self.policy.clear();
        self.policy.extend_from_slice(policy);
        let first = policy.first().copied().unwrap_or(0);
        let uniform = policy.iter().all(|&k| k == first);
        let main = &self.choices[first];
        self.duration = main.everyone.duration;
        self.friction = main.everyone.friction;
        self.emotion = main.everyone.emotion;
        self.cost = main.everyone.cost;
        self.csat = main.everyone.csat;
        self.effort = main.everyone.effort;
        if let Some(g) = &mut self.goal {
            g.value = main.everyone.value;
        }
        self.friction_label.clone_from(&main.friction_label);
        self.friction_span = main.friction_span;
        self.moment_of_truth = main.moment_of_truth;
        self.by_segment.clear();
        let everyone = main.everyone;
        if !uniform
            || policy
                .iter()
                .enumerate()
                .any(|(s, &k)| self.choices[k].visits[s] != everyone)
        {
            let choices = &self.choices;
            self.by_segment.extend(
                policy
                    .iter()
                    .enumerate()
                    .map(|(s, &k)| choices[k].visits[s]),
            );
        }
        // The arrows of every choice in use, in choice order; transitions re-pointed at them.
        let mut used = 0;
        for k in 0..self.choices.len() {
            if !policy.contains(&k) {
                continue;
            }
            for a in &self.choices[k].arrows {
                match self.arrows.get_mut(used) {
                    Some(to) => {
                        to.target = a.target;
                        to.probability = a.probability;
                        to.segments.clone_from(&a.segments);
                        to.span = a.span;
                        to.target_span = a.target_span;
                    }
                    None => self.arrows.push(a.clone()),
                }
                used += 1;
            }
        }
        self.arrows.truncate(used);
        // Where choice k's arrows start among them.
        let offset = |k: usize| -> usize {
            (0..k)
                .filter(|c| policy.contains(c))
                .map(|c| self.choices[c].arrows.len())
                .sum()
        };
        self.transitions.resize_with(policy.len(), Vec::new);
        for (s, &k) in policy.iter().enumerate() {
            let at = offset(k);
            let ts = &mut self.transitions[s];
            ts.clear();
            if let Some(from) = self.choices[k].transitions.get(s) {
                ts.extend(from.iter().map(|t| Transition {
                    arrow: t.arrow + at,
                    ..*t
                }));
            }
        }
    }

    /// The name of the choice segment `s` gets here, when the touchpoint has options.
    pub fn choice_of(&self, s: SegmentId) -> Option<&str> {
        let k = *self.policy.get(s)?;
        self.choices.get(k).map(|c| c.name.as_str())
    }

    /// True when the touchpoint has no written transitions (a journey completes here).
    pub fn is_terminal(&self) -> bool {
        self.arrows.is_empty()
    }

    /// What a visit does to customers of `segment`: the lines naming it, else the
    /// unqualified lines, else the defaults. Every computation (the simulator, the exact
    /// analysis, levers) reads attributes through this.
    pub fn visit(&self, segment: SegmentId) -> Visit {
        self.by_segment
            .get(segment)
            .copied()
            .unwrap_or_else(|| self.unqualified())
    }

    /// What a visit does with the unqualified lines (and defaults) only.
    pub fn unqualified(&self) -> Visit {
        Visit {
            duration: self.duration,
            friction: self.friction,
            emotion: self.emotion,
            cost: self.cost,
            value: self.goal.map_or(0.0, |g| g.value),
            csat: self.csat,
            effort: self.effort,
        }
    }

    /// True when some attribute differs between segments.
    pub fn varies(&self) -> bool {
        self.by_segment.iter().any(|v| *v != self.unqualified())
    }
}

/// A goal.
#[derive(Clone, Debug)]
pub struct Goal {
    /// Name.
    pub name: String,
    /// Touchpoints that achieve it.
    pub touchpoints: Vec<TouchpointId>,
    /// Its first `goal NAME` in the source.
    pub span: Span,
}

/// What a trigger reacts to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TriggerEvent {
    /// `on abandon at`: a customer abandons after a pain point.
    Abandon,
    /// `on exit at`: a customer leaves (an `exit` transition) or completes there.
    Exit,
}

/// A triggered message.
#[derive(Clone, Debug)]
pub struct Trigger {
    /// Name.
    pub name: String,
    /// Label (the name when none is written).
    pub label: String,
    /// The event.
    pub event: TriggerEvent,
    /// The touchpoints it watches.
    pub at: Vec<TouchpointId>,
    /// Delay before the message, seconds.
    pub after: f64,
    /// The message's channel.
    pub via: ChannelId,
    /// Firings per customer.
    pub limit: u32,
    /// Where a returning customer arrives.
    pub target: TouchpointId,
    /// Chance the message brings the customer back.
    pub probability: f64,
    /// The trigger's name in its declaration.
    pub span: Span,
    /// The `on … at …` clause.
    pub on_span: Span,
}

/// Which statistic of time to convert.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeStat {
    /// `mean(time_to_convert)`.
    Mean,
    /// `p50(time_to_convert)`.
    P50,
    /// `p90(time_to_convert)`.
    P90,
    /// `p99(time_to_convert)`.
    P99,
}

/// A KPI metric.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share achieving a goal (the primary one for `conversion`).
    Conversion(GoalId),
    /// Share visiting a touchpoint at least once.
    Reach(TouchpointId),
    /// Among those reaching it, share whose journey ended there without the primary goal.
    DropOff(TouchpointId),
    /// Time to the first primary goal, converted customers only (seconds).
    TimeToConvert(TimeStat),
    /// Mean visits per customer.
    Touches,
    /// Mean pain points per customer.
    Pains,
    /// Mean final sentiment.
    Sentiment,
    /// 100 × (promoters − detractors) / customers.
    Nps,
    /// Cost per customer.
    CostPerCustomer,
    /// All cost / converted customers.
    CostPerConversion,
    /// Revenue (goal values) per customer.
    RevenuePerCustomer,
    /// Revenue minus cost per customer (LANGUAGE-2.md §2).
    Profit,
    /// Expected satisfied rated visits ÷ expected rated visits (LANGUAGE-2.md §2).
    Csat,
    /// The same over visits to one touchpoint.
    CsatAt(TouchpointId),
    /// Mean total effort per customer.
    Effort,
    /// Expected total effort ÷ expected visits to touchpoints with `effort`.
    Ces,
    /// Mean cycles per customer (LANGUAGE-2.md §3).
    Cycles,
    /// Mean cycles that achieved the primary goal, per customer.
    Purchases,
    /// Share of customers whose cycles achieved the primary goal in at least K cycles.
    Retention(u32),
    /// Mean cost per customer over all cycles, undiscounted.
    LifetimeCost,
    /// Mean revenue per customer over all cycles, undiscounted.
    LifetimeRevenue,
    /// Expected lifetime net value per customer, discounted.
    Clv,
}

/// A KPI comparison.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Comparison {
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `<`
    #[serde(rename = "<")]
    Lt,
}

impl Comparison {
    /// True when `value` meets the target.
    pub fn holds(self, value: f64, target: f64) -> bool {
        match self {
            Comparison::Ge => value >= target,
            Comparison::Le => value <= target,
            Comparison::Gt => value > target,
            Comparison::Lt => value < target,
        }
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Ge => ">=",
            Comparison::Le => "<=",
            Comparison::Gt => ">",
            Comparison::Lt => "<",
        }
    }
}

/// A KPI: a metric, optionally for one segment, compared with a target.
#[derive(Clone, Debug)]
pub struct Kpi {
    /// The metric.
    pub metric: Metric,
    /// `for SEGMENT`.
    pub segment: Option<SegmentId>,
    /// The comparison.
    pub comparison: Comparison,
    /// The target in normalised units (probability 0..=1, seconds, plain number).
    pub target: f64,
    /// The KPI as written, whitespace normalised (`conversion for loyal >= 5%`): its name in reports.
    pub text: String,
    /// The whole `kpi …` line.
    pub span: Span,
}

/// `objective maximize|minimize METRIC`.
#[derive(Clone, Debug)]
pub struct Objective {
    /// True for `maximize`.
    pub maximize: bool,
    /// The metric.
    pub metric: Metric,
    /// As written, whitespace normalised (`maximize clv`).
    pub text: String,
    /// The whole line.
    pub span: Span,
}

/// A scenario declared in the file.
#[derive(Clone, Debug)]
pub struct ScenarioInfo {
    /// Name.
    pub name: String,
    /// Label (the name when none is written).
    pub label: String,
}

/// The language's limits on amounts (`docs/language.md`, decision 14): past them, `check`
/// reports J0205, so every accepted amount is counted exactly by the simulator.
pub mod limits {
    /// The largest money amount (`cost`, a goal's `value`): 10¹¹, 2³⁷ below where the
    /// simulator's money units (2⁻²⁴) leave 64 bits.
    pub const MONEY: f64 = 1e11;
    /// [`MONEY`] as messages write it.
    pub const MONEY_TEXT: &str = "100000000000";
    /// The longest time (`duration`, a trigger's `after`, `horizon`), in seconds: 10⁸ days
    /// (about 274,000 years), within the range of the time-to-convert histogram (2⁴³ s).
    pub const TIME: f64 = 1e8 * 86_400.0;
    /// [`TIME`] as messages write it.
    pub const TIME_TEXT: &str = "100000000d";
    /// The largest emotion, either way.
    pub const EMOTION: u32 = 1_000_000;
    /// The largest `effort` of a visit (LANGUAGE-2.md §2; decision 15).
    pub const EFFORT_SCORE: f64 = 1000.0;
    /// The largest `max_cycles` (decision 16).
    pub const CYCLES: u32 = 1000;
    /// The largest K of `retention(K)` (decision 16).
    pub const RETENTION_K: u32 = 100;
    /// The largest `max_steps`: 10⁹ (a customer's visits² then fits 64 bits, and their
    /// pain points at one touchpoint 32).
    pub const STEPS: u32 = 1_000_000_000;
}
