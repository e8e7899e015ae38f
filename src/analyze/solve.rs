//! The linear algebra: `(I − Q)` of one chain as a block triangular matrix.
//!
//! The strongly connected components of the state graph (petgraph's iterative
//! `kosaraju_scc`) in topological order make `I − Q` block triangular, so every solve is a
//! sweep over the blocks: forward (`(I − Q)ᵀ x = b`, expected visits) in topological order,
//! backward (`(I − Q) x = b`, hitting probabilities) in reverse. Each diagonal block is
//! factorised once: a scalar for a single state (most of a journey: stages run forward),
//! faer's dense partial-pivoting LU up to [`DENSE_MAX`] states, faer's sparse LU above. See
//! `docs/simulation.md`, "Exact analysis", for why.

use super::AnalyzeError;
use super::chain::{Chain, Pred};
use faer::linalg::solvers::{PartialPivLu, Solve};
use faer::sparse::linalg::solvers::Lu;
use faer::sparse::{SparseColMat, Triplet};
use faer::{ColMut, Mat};
use petgraph::Graph;
use petgraph::algo::kosaraju_scc;

/// Blocks up to this many states use a dense LU.
pub const DENSE_MAX: usize = 96;

/// Relative residual above which a solve is rejected (`‖r‖∞ / (2‖x‖∞ + ‖b‖∞)`).
pub const TOLERANCE: f64 = 1e-9;

/// A factorised diagonal block `I − Q_BB`. Most blocks are one state: the LUs are boxed so
/// that each of those takes 16 bytes, not the size of a sparse LU (a journey of 100,000
/// touchpoints has hundreds of thousands of blocks).
pub(super) enum Factor {
    /// One state: `1 − q(x, x)`.
    Scalar(f64),
    /// Dense LU.
    Dense(Box<PartialPivLu<f64>>),
    /// Sparse LU.
    Sparse(Box<Lu<usize, f64>>),
}

/// `I − Q` of a chain, split into factorised blocks.
pub(super) struct Solver<'c> {
    /// The chain.
    pub chain: &'c Chain,
    /// Its predecessor lists.
    pub pred: Pred,
    /// States, block by block, blocks in topological order.
    order: Vec<u32>,
    /// Block `b` is `order[start[b]..start[b + 1]]`.
    start: Vec<usize>,
    /// The block of each state.
    pub block_of: Vec<u32>,
    /// Position of each state within its block.
    local: Vec<u32>,
    /// One factor per block.
    factors: Vec<Factor>,
}

/// Says which states are made absorbing (their row of `Q` dropped) in a solve.
pub(super) type Cut<'a> = Option<&'a [bool]>;

impl<'c> Solver<'c> {
    /// Splits the chain into blocks and factorises each.
    pub fn new(chain: &'c Chain, pred: Pred) -> Result<Self, AnalyzeError> {
        let n = chain.len();
        let mut g: Graph<(), (), petgraph::Directed, u32> =
            Graph::with_capacity(n, chain.edge_to.len());
        for _ in 0..n {
            g.add_node(());
        }
        for x in 0..n {
            for (y, _) in chain.edges(x) {
                g.add_edge((x as u32).into(), (y as u32).into(), ());
            }
        }
        // kosaraju_scc lists components sinks first.
        let sccs = kosaraju_scc(&g);
        drop(g);
        let mut order = Vec::with_capacity(n);
        let mut start = Vec::with_capacity(sccs.len() + 1);
        let mut block_of = vec![0u32; n];
        let mut local = vec![0u32; n];
        for (b, scc) in sccs.iter().rev().enumerate() {
            start.push(order.len());
            for (i, s) in scc.iter().enumerate() {
                let x = s.index();
                order.push(x as u32);
                block_of[x] = b as u32;
                local[x] = i as u32;
            }
        }
        start.push(order.len());
        let mut s = Solver {
            chain,
            pred,
            order,
            start,
            block_of,
            local,
            factors: Vec::new(),
        };
        // The sweeps rely on every edge pointing to the same or a later block.
        for x in 0..n {
            if chain.edges(x).any(|(y, _)| s.block_of[y] < s.block_of[x]) {
                return Err(AnalyzeError::Internal(
                    "state blocks are not in topological order",
                ));
            }
        }
        let factors = (0..s.blocks())
            .map(|b| s.factor(b, None))
            .collect::<Result<Vec<_>, _>>()?;
        s.factors = factors;
        Ok(s)
    }

    /// Number of blocks.
    pub fn blocks(&self) -> usize {
        self.start.len() - 1
    }

    /// The states of block `b`.
    pub fn block(&self, b: usize) -> &[u32] {
        &self.order[self.start[b]..self.start[b + 1]]
    }

    /// Factorises `I − Q_BB` of block `b`, with the rows of `cut` states dropped from `Q`.
    pub fn factor(&self, b: usize, cut: Cut) -> Result<Factor, AnalyzeError> {
        let states = self.block(b);
        let k = states.len();
        let is_cut = |x: usize| cut.is_some_and(|c| c[x]);
        if k == 1 {
            let x = states[0] as usize;
            let q: f64 = if is_cut(x) {
                0.0
            } else {
                self.chain
                    .edges(x)
                    .filter(|&(y, _)| y == x)
                    .map(|(_, p)| p)
                    .sum()
            };
            let d = 1.0 - q;
            return if d > 0.0 {
                Ok(Factor::Scalar(d))
            } else {
                Err(AnalyzeError::Singular {
                    segment: String::new(),
                })
            };
        }
        let entries = states.iter().flat_map(|&x| {
            let x = x as usize;
            let row = self.local[x] as usize;
            let off = self
                .chain
                .edges(x)
                .filter(move |&(y, _)| !is_cut(x) && self.block_of[y] == b as u32)
                .map(move |(y, p)| (row, self.local[y] as usize, -p));
            std::iter::once((row, row, 1.0)).chain(off)
        });
        if k <= DENSE_MAX {
            let mut a = Mat::<f64>::zeros(k, k);
            for (r, c, v) in entries {
                a[(r, c)] += v;
            }
            return Ok(Factor::Dense(Box::new(a.partial_piv_lu())));
        }
        let triplets: Vec<Triplet<usize, usize, f64>> =
            entries.map(|(r, c, v)| Triplet::new(r, c, v)).collect();
        let a = SparseColMat::<usize, f64>::try_new_from_triplets(k, k, &triplets)
            .map_err(|_| AnalyzeError::Internal("sparse block assembly failed"))?;
        a.sp_lu()
            .map(|lu| Factor::Sparse(Box::new(lu)))
            .map_err(|_| AnalyzeError::Singular {
                segment: String::new(),
            })
    }

    /// Solves `(I − Q)ᵀ x = b` in place (`x` holds `b` on entry) over all blocks; `cut`
    /// states pass nothing on, and blocks listed in `refactored` use that factor instead.
    pub fn forward(&self, x: &mut [f64], cut: Cut, refactored: &[(usize, Factor)]) {
        let mut buf = Vec::new();
        for b in 0..self.blocks() {
            let states = self.block(b);
            buf.clear();
            for &y in states {
                let y = y as usize;
                let inflow: f64 = self
                    .pred
                    .of(y)
                    .filter(|&(p, _)| self.block_of[p] as usize != b && !cut.is_some_and(|c| c[p]))
                    .map(|(p, q)| q * x[p])
                    .sum();
                buf.push(x[y] + inflow);
            }
            let f = refactored
                .iter()
                .find(|(rb, _)| *rb == b)
                .map_or(&self.factors[b], |(_, f)| f);
            apply(f, &mut buf, true);
            for (&y, &v) in states.iter().zip(&buf) {
                x[y as usize] = flush(v);
            }
        }
    }

    /// Solves `(I − Q) x = b` in place over the given blocks only (in topological order;
    /// swept in reverse). Entries of `x` outside these blocks are read as they are, so the
    /// caller keeps them at zero to confine the customers to the blocks.
    pub fn backward(&self, x: &mut [f64], blocks: &[u32], buf: &mut Vec<f64>) {
        for &b in blocks.iter().rev() {
            let b = b as usize;
            let states = self.block(b);
            buf.clear();
            for &s in states {
                let s = s as usize;
                let out: f64 = self
                    .chain
                    .edges(s)
                    .filter(|&(y, _)| self.block_of[y] as usize != b)
                    .map(|(y, q)| q * x[y])
                    .sum();
                buf.push(x[s] + out);
            }
            apply(&self.factors[b], buf, false);
            for (&s, &v) in states.iter().zip(buf.iter()) {
                x[s as usize] = flush(v);
            }
        }
    }

    /// The relative residual of a forward solve: `‖(I − Q)ᵀ x − b‖∞ / (2‖x‖∞ + ‖b‖∞)`.
    pub fn forward_residual(&self, x: &[f64], b: &[f64], cut: Cut) -> f64 {
        let mut worst: f64 = 0.0;
        for y in 0..x.len() {
            let inflow: f64 = self
                .pred
                .of(y)
                .filter(|&(p, _)| !cut.is_some_and(|c| c[p]))
                .map(|(p, q)| q * x[p])
                .sum();
            worst = worse(worst, (x[y] - inflow - b[y]).abs());
        }
        relative(worst, inf_norm(x), inf_norm(b))
    }

    /// The relative residual of a backward solve over `blocks`, `b` being the unit vector
    /// of state `s`.
    pub fn backward_residual(&self, x: &[f64], blocks: &[u32], s: usize) -> f64 {
        let mut worst: f64 = 0.0;
        let mut x_norm: f64 = 0.0;
        for &b in blocks {
            for &y in self.block(b as usize) {
                let y = y as usize;
                let out: f64 = self.chain.edges(y).map(|(z, q)| q * x[z]).sum();
                let rhs = if y == s { 1.0 } else { 0.0 };
                worst = worse(worst, (x[y] - out - rhs).abs());
                x_norm = worse(x_norm, x[y].abs());
            }
        }
        relative(worst, x_norm, 1.0)
    }

    /// The relative residual of a backward solve over all blocks: `‖(I − Q) x − b‖∞ /
    /// (2‖x‖∞ + ‖b‖∞)`.
    pub fn backward_residual_all(&self, x: &[f64], b: &[f64]) -> f64 {
        let mut worst: f64 = 0.0;
        for (y, (&xy, &by)) in x.iter().zip(b).enumerate() {
            let out: f64 = self.chain.edges(y).map(|(z, q)| q * x[z]).sum();
            worst = worse(worst, (xy - out - by).abs());
        }
        relative(worst, inf_norm(x), inf_norm(b))
    }
}

/// Solves with one block's factor, in place (`transpose` for the forward sweep).
fn apply(f: &Factor, v: &mut [f64], transpose: bool) {
    match f {
        Factor::Scalar(d) => v[0] /= d,
        Factor::Dense(lu) => {
            let col = ColMut::from_slice_mut(v);
            if transpose {
                lu.solve_transpose_in_place(col);
            } else {
                lu.solve_in_place(col);
            }
        }
        Factor::Sparse(lu) => {
            let col = ColMut::from_slice_mut(v);
            if transpose {
                lu.solve_transpose_in_place(col);
            } else {
                lu.solve_in_place(col);
            }
        }
    }
}

/// Flushes subnormal numbers to zero: below 2.2e-308 a probability or an expectation means
/// nothing, and subnormal arithmetic is up to a hundred times slower on common CPUs (a
/// 10,000-step journey's late states underflow).
fn flush(v: f64) -> f64 {
    if v.abs() < f64::MIN_POSITIVE { 0.0 } else { v }
}

/// The larger of two magnitudes, infinite when either is NaN (`f64::max` would drop a NaN
/// and let a broken solve pass its check).
fn worse(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::INFINITY
    } else {
        a.max(b)
    }
}

fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| worse(m, x.abs()))
}

/// `residual / (2‖x‖ + ‖b‖)`; infinite for a non-finite solution.
fn relative(residual: f64, x_norm: f64, b_norm: f64) -> f64 {
    if !residual.is_finite() || !x_norm.is_finite() {
        return f64::INFINITY;
    }
    residual / (2.0 * x_norm + b_norm).max(f64::MIN_POSITIVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nan_never_passes_the_residual_check() {
        assert_eq!(worse(1.0, f64::NAN), f64::INFINITY);
        assert_eq!(inf_norm(&[0.5, f64::NAN, 2.0]), f64::INFINITY);
        assert_eq!(relative(1e-20, f64::INFINITY, 1.0), f64::INFINITY);
        assert!(relative(1e-20, 1.0, 1.0) <= TOLERANCE);
    }

    #[test]
    fn a_one_state_block_takes_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Factor>(), 16);
    }
}
