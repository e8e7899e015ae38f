//! Scenarios: a planned change applied to the baseline's items, before resolution, so that
//! the changed journey passes through exactly the same resolver and checks as any journey.

use super::resolve::Removed;
use super::rules::unknown_name;
use crate::ast::{
    Item, Lifecycle, LifecycleAttr, RemoveKind, Scenario, SegmentAttr, Touchpoint, TouchpointAttr,
    Trigger, TriggerAttr,
};
use crate::diagnostic::Finding;
use crate::names;
use std::collections::{HashMap, HashSet};

/// Applies `scenario` to the baseline `items` (libraries' items included).
pub(crate) fn apply(items: &[&Item], scenario: &Scenario) -> (Vec<Item>, Removed, Vec<Finding>) {
    let mut out: Vec<Item> = items
        .iter()
        .filter(|i| !matches!(i, Item::Scenario(_)))
        .map(|i| (*i).clone())
        .collect();
    let mut removed = Removed::default();
    let mut findings = Vec::new();
    let mut budget = names::Budget::default();
    let sname = &scenario.name.text;

    // An unnamed `context` line in a scenario replaces every group of the baseline, named
    // ones included; `context NAME: …` replaces that group only (or adds it) (LANGUAGE-2.md
    // §6).
    if scenario
        .items
        .iter()
        .any(|i| matches!(i, Item::Context(None, ..)))
    {
        out.retain(|i| !matches!(i, Item::Context(..)));
    }
    for change in &scenario.items {
        match change {
            Item::Context(Some(group), ..) => {
                out.retain(|i| !matches!(i, Item::Context(Some(g), ..) if g.text == group.text));
                out.push(change.clone());
            }
            Item::Context(None, ..) => out.push(change.clone()),
            Item::Lifecycle(o) => match out.iter_mut().find_map(|i| match i {
                Item::Lifecycle(b) => Some(b),
                _ => None,
            }) {
                Some(base) => override_lifecycle(base, o),
                None => out.push(change.clone()),
            },
            Item::ContextLoss(..) => {
                out.retain(|i| !matches!(i, Item::ContextLoss(..)));
                out.push(change.clone());
            }
            Item::Channel(c) => match out.iter_mut().find_map(|i| match i {
                Item::Channel(b) if b.name.text == c.name.text => Some(b),
                _ => None,
            }) {
                Some(base) => {
                    if c.kind.is_some() {
                        base.kind = c.kind.clone();
                    }
                    if !c.costs.is_empty() {
                        base.costs = c.costs.clone();
                    }
                }
                None => out.push(change.clone()),
            },
            Item::Segment(s) => match out.iter_mut().find_map(|i| match i {
                Item::Segment(b) if b.name.text == s.name.text => Some(b),
                _ => None,
            }) {
                Some(base) => {
                    if s.label.is_some() {
                        base.label = s.label.clone();
                    }
                    let stated: Vec<&str> = s.attrs.iter().map(SegmentAttr::keyword).collect();
                    base.attrs.retain(|a| !stated.contains(&a.keyword()));
                    base.attrs.extend(s.attrs.iter().cloned());
                }
                None => out.push(change.clone()),
            },
            Item::Trigger(t) => match out.iter_mut().find_map(|i| match i {
                Item::Trigger(b) if b.name.text == t.name.text => Some(b),
                _ => None,
            }) {
                Some(base) => override_trigger(base, t),
                None => out.push(change.clone()),
            },
            Item::Stage(s) => match out.iter_mut().find_map(|i| match i {
                Item::Stage(b) if b.name.text == s.name.text => Some(b),
                _ => None,
            }) {
                Some(base) => base.touchpoints.extend(s.touchpoints.iter().cloned()),
                None => {
                    // A new stage goes after the last one.
                    let at = out
                        .iter()
                        .rposition(|i| matches!(i, Item::Stage(_)))
                        .map_or(out.len(), |p| p + 1);
                    out.insert(at, Item::Stage(s.clone()));
                }
            },
            Item::TouchpointOverride(t) => match find_touchpoint(&mut out, &t.name.text) {
                Some(base) => override_touchpoint(base, t),
                None => {
                    let known = touchpoint_names(&out);
                    let known: Vec<&str> = known.iter().map(String::as_str).collect();
                    let suggest = budget.spend(known.len());
                    findings.push(unknown_name::changes_unknown(
                        sname, &t.name, &known, suggest,
                    ));
                }
            },
            Item::Remove(kind, name, _) => {
                let found = match kind {
                    RemoveKind::Touchpoint => {
                        let mut found = false;
                        for i in out.iter_mut() {
                            if let Item::Stage(s) = i {
                                let before = s.touchpoints.len();
                                s.touchpoints.retain(|t| t.name.text != name.text);
                                found |= s.touchpoints.len() != before;
                            }
                        }
                        if found {
                            removed.touchpoints.insert(name.text.clone(), sname.clone());
                        }
                        found
                    }
                    RemoveKind::Trigger => {
                        let before = out.len();
                        out.retain(|i| !matches!(i, Item::Trigger(t) if t.name.text == name.text));
                        if out.len() != before {
                            removed.triggers.insert(name.text.clone(), sname.clone());
                        }
                        out.len() != before
                    }
                };
                if !found {
                    let what = if *kind == RemoveKind::Touchpoint {
                        "touchpoint"
                    } else {
                        "trigger"
                    };
                    let known: Vec<String> = if *kind == RemoveKind::Touchpoint {
                        touchpoint_names(&out)
                    } else {
                        out.iter()
                            .filter_map(|i| {
                                if let Item::Trigger(t) = i {
                                    Some(t.name.text.clone())
                                } else {
                                    None
                                }
                            })
                            .collect()
                    };
                    let known: Vec<&str> = known.iter().map(String::as_str).collect();
                    let suggest = budget.spend(known.len());
                    findings.push(unknown_name::removes_unknown(
                        sname, what, name, &known, suggest,
                    ));
                }
            }
            // The grammar allows nothing else inside a scenario.
            _ => {}
        }
    }
    (out, removed, findings)
}

fn find_touchpoint<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Touchpoint> {
    items.iter_mut().find_map(|i| match i {
        Item::Stage(s) => s.touchpoints.iter_mut().find(|t| t.name.text == name),
        _ => None,
    })
}

fn touchpoint_names(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| {
            if let Item::Stage(s) = i {
                Some(s.touchpoints.iter().map(|t| t.name.text.clone()))
            } else {
                None
            }
        })
        .flatten()
        .collect()
}

/// Replaces the attributes the override states (LANGUAGE-2.md §1): an unqualified line
/// replaces every line of its attribute, per-segment ones included; a `for` line replaces that
/// attribute for the segments it names only; stated transitions replace all of the
/// baseline's. A `friction` line without a label keeps the label of the line it replaces.
/// An `option` restated by name is overridden by the same rule; a new one is added
/// (LANGUAGE-2.md, "Settled"); `use` lines are kept for the resolver.
pub(super) fn override_touchpoint(base: &mut Touchpoint, o: &Touchpoint) {
    if o.label.is_some() {
        base.label = o.label.clone();
    }
    if o.channel.is_some() {
        base.channel = o.channel.clone();
    }
    let mut rest = Vec::new();
    for a in &o.attrs {
        let TouchpointAttr::Option(opt) = a else {
            rest.push(a.clone());
            continue;
        };
        let restated = base.attrs.iter_mut().find_map(|b| match b {
            TouchpointAttr::Option(b) if b.name.text == opt.name.text => Some(b),
            _ => None,
        });
        match restated {
            Some(b) => {
                if opt.label.is_some() {
                    b.label = opt.label.clone();
                }
                override_attrs(&mut b.attrs, &opt.attrs);
            }
            None => base.attrs.push(a.clone()),
        }
    }
    // Options stay as declared (above); every other line by the override rule.
    let (options, mut own): (Vec<TouchpointAttr>, Vec<TouchpointAttr>) =
        std::mem::take(&mut base.attrs)
            .into_iter()
            .partition(|a| matches!(a, TouchpointAttr::Option(_)));
    override_attrs(&mut own, &rest);
    own.extend(options);
    base.attrs = own;
}

/// The override rule of [`override_touchpoint`] over one list of lines.
pub(super) fn override_attrs(base: &mut Vec<TouchpointAttr>, o: &[TouchpointAttr]) {
    let everyone: HashSet<&str> = o
        .iter()
        .filter(|a| a.unqualified().1.is_empty())
        .map(TouchpointAttr::keyword)
        .collect();
    let mut named: HashMap<&str, HashSet<String>> = HashMap::new();
    for a in o {
        let (_, segments) = a.unqualified();
        named
            .entry(a.keyword())
            .or_default()
            .extend(segments.iter().map(|n| n.text.clone()));
    }
    let friction_label = base.iter().find_map(|a| match a {
        TouchpointAttr::Friction(_, label, _) => label.clone(),
        _ => None,
    });
    base.retain_mut(|a| {
        let keyword = a.keyword();
        if everyone.contains(keyword) {
            return false;
        }
        match (a, named.get(keyword)) {
            (TouchpointAttr::For(_, segments, _), Some(names)) => {
                segments.retain(|n| !names.contains(&n.text));
                !segments.is_empty()
            }
            _ => true,
        }
    });
    base.extend(o.iter().map(|a| match a {
        TouchpointAttr::Friction(p, None, s) => {
            TouchpointAttr::Friction(*p, friction_label.clone(), *s)
        }
        a => a.clone(),
    }));
}

/// A scenario's `lifecycle` block over the baseline's, by the override rule of LANGUAGE-2.md
/// §1: an unqualified line replaces every line of its keyword, per-segment ones included; a
/// `for` line replaces that keyword for the segments it names only.
fn override_lifecycle(base: &mut Lifecycle, o: &Lifecycle) {
    let everyone: HashSet<&str> = o
        .attrs
        .iter()
        .filter(|a| a.segments().is_empty())
        .map(LifecycleAttr::keyword)
        .collect();
    let mut named: HashMap<&str, HashSet<String>> = HashMap::new();
    for a in &o.attrs {
        named
            .entry(a.keyword())
            .or_default()
            .extend(a.segments().iter().map(|n| n.text.clone()));
    }
    base.attrs.retain_mut(|a| {
        let keyword = a.keyword();
        if everyone.contains(keyword) {
            return false;
        }
        match (a, named.get(keyword)) {
            (LifecycleAttr::Repeat(c) | LifecycleAttr::Winback(c), Some(names))
                if !c.segments.is_empty() =>
            {
                c.segments.retain(|n| !names.contains(&n.text));
                !c.segments.is_empty()
            }
            _ => true,
        }
    });
    base.attrs.extend(o.attrs.iter().cloned());
}

fn override_trigger(base: &mut Trigger, o: &Trigger) {
    if o.label.is_some() {
        base.label = o.label.clone();
    }
    let stated: Vec<&str> = o.attrs.iter().map(TriggerAttr::keyword).collect();
    base.attrs.retain(|a| !stated.contains(&a.keyword()));
    base.attrs.extend(o.attrs.iter().cloned());
}
