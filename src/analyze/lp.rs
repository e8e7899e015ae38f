//! The occupation-measure linear programme of the segments' full-state processes
//! ([`super::mdp::Mdp`]), solved by Clarabel's interior point: `optimize`'s bound with
//! constraints (LANGUAGE-2.md §4, docs/decisions.md "The certificate").
//!
//! Variables: `x[a] ≥ 0`, the expected visits of each action `a` of each segment's process,
//! per customer of that segment. For every state `y` of segment `s`, flow conservation:
//! `Σ_{a ∈ A(y)} x[a] − Σ_{a'} P(y | a') x[a'] = init_s(y)`. The objective is
//! `max Σ_s objective[s] · Σ_a r₀(a) x[a]`; each constraint `k` reads
//! `dir_k · Σ_s weight_k[s] · Σ_a r_{k+1}(a) x[a] ≤ dir_k · target_k`. Its optimum is the
//! optimum over policies that depend on the customer's whole state and may mix options.
//!
//! What is returned is the solver's output; the caller turns it into a *valid* bound by
//! weak duality (any prices `λ ≥ 0` give a priced optimum at least the constrained one), so
//! that the solver's accuracy only decides how tight the bound is, never whether it holds.

use super::mdp::Mdp;
use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettings, DefaultSolver, IPSolver, NonnegativeConeT, SolverStatus, SupportedConeT,
    ZeroConeT,
};

/// One constraint of the programme.
pub struct Row {
    /// Per segment, the weight of its metric (its share for a constraint on all customers;
    /// 1 for the segment a constraint names, 0 for the others).
    pub weight: Vec<f64>,
    /// `+1` for `<=`, `−1` for `>=`.
    pub dir: f64,
    /// The bound of the metric (in the metric's units, before `dir`).
    pub target: f64,
}

/// What the solver found.
pub enum Outcome {
    /// An optimum (to the solver's tolerances).
    Solved {
        /// Each constraint's price `λ_k ≥ 0` (the dual of its row).
        prices: Vec<f64>,
        /// The programme's value (for the maximised objective), primal side.
        primal: f64,
        /// The same, dual side.
        dual: f64,
        /// Per segment, the occupation `x` of its actions.
        visits: Vec<Vec<f64>>,
    },
    /// No occupation measure meets the constraints: the constraint rows' part of Clarabel's
    /// certificate (weights `≥ 0` under which the constraints, added up, cannot hold).
    Infeasible {
        /// Per constraint, its weight.
        ray: Vec<f64>,
    },
    /// Anything else (iteration limit, numerical trouble, unbounded).
    Failed,
}

/// Solves the programme of `mdps` (one per segment): metric 0 of each process is the
/// objective, metric `k + 1` constraint `k`'s.
pub fn occupation(mdps: &[Mdp], objective: &[f64], rows: &[Row]) -> Outcome {
    let nc = rows.len();
    // Equality rows: each segment's states, one after the other.
    let mut state_off = Vec::with_capacity(mdps.len());
    let mut neq = 0;
    for m in mdps {
        state_off.push(neq);
        neq += m.len();
    }
    let mut var_off = Vec::with_capacity(mdps.len());
    let mut nvar = 0;
    for m in mdps {
        var_off.push(nvar);
        nvar += m.choice.len();
    }
    let nrow = neq + nc + nvar;
    let mut colptr = Vec::with_capacity(nvar + 1);
    let mut rowval: Vec<usize> = Vec::new();
    let mut nzval: Vec<f64> = Vec::new();
    let mut q = vec![0.0; nvar];
    let mut b = vec![0.0; nrow];
    let mut entries: Vec<(usize, f64)> = Vec::new();
    colptr.push(0);
    for (s, m) in mdps.iter().enumerate() {
        for &(x, p) in &m.init {
            b[state_off[s] + x as usize] += p;
        }
        for x in 0..m.len() {
            for a in m.act_start[x]..m.act_start[x + 1] {
                let col = var_off[s] + a;
                q[col] = -objective[s] * m.reward[a * m.metrics];
                entries.clear();
                entries.push((state_off[s] + x, 1.0));
                for e in m.edge_start[a]..m.edge_start[a + 1] {
                    entries.push((state_off[s] + m.edge_to[e] as usize, -m.edge_p[e]));
                }
                for (k, r) in rows.iter().enumerate() {
                    let v = r.dir * r.weight[s] * m.reward[a * m.metrics + k + 1];
                    entries.push((neq + k, v));
                }
                // x ≥ 0 as −x + s = 0, s ≥ 0.
                entries.push((neq + nc + col, -1.0));
                entries.sort_by_key(|e| e.0);
                let mut last = usize::MAX;
                for &(r, v) in &entries {
                    if r == last {
                        *nzval.last_mut().expect("an entry") += v;
                    } else {
                        rowval.push(r);
                        nzval.push(v);
                        last = r;
                    }
                }
                colptr.push(rowval.len());
            }
        }
    }
    for (k, r) in rows.iter().enumerate() {
        b[neq + k] = r.dir * r.target;
    }
    let a = CscMatrix::new(nrow, nvar, colptr, rowval, nzval);
    let p = CscMatrix::zeros((nvar, nvar));
    let cones: [SupportedConeT<f64>; 2] = [ZeroConeT(neq), NonnegativeConeT(nc + nvar)];
    let settings = DefaultSettings {
        verbose: false,
        // Tighter than Clarabel's 1e-8: the prices' accuracy is the bound's tightness.
        tol_gap_abs: 1e-10,
        tol_gap_rel: 1e-10,
        tol_feas: 1e-10,
        max_iter: 400,
        ..DefaultSettings::default()
    };
    let Ok(mut solver) = DefaultSolver::new(&p, &q, &a, &b, &cones, settings) else {
        return Outcome::Failed;
    };
    solver.solve();
    let sol = &solver.solution;
    match sol.status {
        SolverStatus::Solved | SolverStatus::AlmostSolved => Outcome::Solved {
            prices: sol.z[neq..neq + nc].iter().map(|&z| z.max(0.0)).collect(),
            primal: -sol.obj_val,
            dual: -sol.obj_val_dual,
            visits: mdps
                .iter()
                .enumerate()
                .map(|(s, m)| sol.x[var_off[s]..var_off[s] + m.choice.len()].to_vec())
                .collect(),
        },
        SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => {
            Outcome::Infeasible {
                ray: sol.z[neq..neq + nc].iter().map(|&z| z.max(0.0)).collect(),
            }
        }
        _ => Outcome::Failed,
    }
}

/// A deterministic policy read off an occupation: per touchpoint with options, the choice
/// with the most expected visits over all of its states (`choice[t]`; 0 elsewhere).
pub fn rounded(m: &Mdp, visits: &[f64], touchpoints: usize, choices: &[usize]) -> Vec<usize> {
    let mut mass: Vec<Vec<f64>> = choices.iter().map(|&n| vec![0.0; n]).collect();
    for x in 0..m.len() {
        let t = m.tp[x] as usize;
        if choices[t] == 0 {
            continue;
        }
        for a in m.act_start[x]..m.act_start[x + 1] {
            mass[t][m.choice[a] as usize] += visits[a].max(0.0);
        }
    }
    (0..touchpoints)
        .map(|t| {
            (0..choices[t]).fold(0, |best, c| {
                if mass[t][c] > mass[t][best] * (1.0 + 1e-9) {
                    c
                } else {
                    best
                }
            })
        })
        .collect()
}
