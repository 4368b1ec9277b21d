//! `cargo bench --bench compare`: every variant of every workload in one run, one Markdown
//! table: the plain function, the compiled gradient, the hand-written gradient, the tape engine
//! and forward mode (`num-dual`), the last two where they apply. For the programs written with
//! helpers (the LSTM over `&mut` slices, the RK4 projectile with array-returning steps, the
//! moons MLP as structs with methods), the compiled gradient is that of the natural form, and
//! the table also times the compiled gradient of the same computation inlined by hand into one
//! function (column `compiled/inlined`: the cost of passing through the helpers).
//!
//! The timer is deliberately simple. Each variant runs in batches sized to take about
//! [`BATCH`]; a round runs one batch of each of a workload's variants, starting from a
//! different variant each round, so slow drifts of the machine (frequency, other processes)
//! hit all of them alike. A workload gets [`ROUNDS_TIME`] of rounds; the table shows the median
//! time per call over the rounds, and each ratio is the median of the per-round ratios (paired
//! samples, so noise common to a round cancels).
//!
//! Variants slower than a batch (the tape engine and forward mode on the large workloads, up to
//! half a minute a call) stop once they have had their share of the workload's time and
//! [`MIN_SAMPLES`] samples (one, for a call of [`VERY_SLOW`] or more); their ratios are
//! ratios of medians when they have fewer than [`MIN_PAIRED`] samples. The default run takes
//! about four minutes.
//!
//! Without `--bench` (as under `cargo test --benches`) it only checks the gradients.
//! `COMPARE_SECS=<s>` changes the time per workload; `COMPARE_DEBUG=1` prints the batch sizes;
//! `COMPARE_ONLY=lstm,rk4` measures only the workloads whose name contains one of the
//! comma-separated words (case-insensitive; every gradient is still checked first).
//!
//! A second table (issue 14) times the derivatives beyond the gradient against a baseline each
//! (`benches/workloads/second_order.rs`): `_jvp` over the plain function (target ≤ 2), `_hvp`
//! over `_grad` (target ≤ 3), `_hessian` over `num_dual::hessian` and `_jacobian` over
//! `num_dual::jacobian`. Its rows are named after the derivative (`COMPARE_ONLY=jvp,hvp,
//! hessian,jacobian` selects them all, and none of the first table's).
//!
//! Its figures on the 2-core development machine (2026-12-07, after products by literals on
//! duals, recycled dual inputs and out-of-line twins; 8 s a row):
//!
//! | derivative | workload | time | baseline | derivative/baseline | target |
//! |---|---|---:|---|---:|---:|
//! | `_jvp` | seed | 31.2 ns | primal (25.6 ns) | 1.22 | ≤ 2, met |
//! | `_jvp` | Rosenbrock, n = 1,000 | 2.48 µs | primal (820 ns) | 3.02 | ≤ 2, missed |
//! | `_jvp` | Rosenbrock, n = 1,000 | 2.48 µs | num-dual `Dual64` pass (2.17 µs) | 1.15 | — |
//! | `_jvp` | Rosenbrock, n = 1,000 | 2.48 µs | hand-written tangent (1.69 µs) | 1.46 | — |
//! | `_hvp` | seed | 35.8 ns | `_grad` (32.7 ns) | 1.10 | ≤ 3, met |
//! | `_hvp` | Rosenbrock, n = 1,000 | 7.03 µs | `_grad` (1.70 µs) | 4.15 | ≤ 3, missed |
//! | `_hvp` | MLP 2-16-16-1, one sample | 1.10 µs | `_grad` (246 ns) | 4.49 | ≤ 3, missed |
//! | `_hvp` | GMM d = 2, K = 5, n = 1,000 | 255 µs | `_grad` (199 µs) | 1.29 | ≤ 3, met |
//! | `_hessian` | seed | 147 ns | `num_dual::hessian` (76.0 ns) | 1.93 | — |
//! | `_hessian` | Rosenbrock, n = 100 | 85.0 µs | `num_dual::hessian` (5.40 ms) | 0.016 | — |
//! | `_jacobian` | spherical (3 × 3) | 84.4 ns | `num_dual::jacobian` (37.4 ns) | 2.25 | — |
//! | `_jacobian` | Bratu residual (100 × 100) | 130 µs | `num_dual::jacobian` (34.0 µs) | 3.82 | — |
//!
//! Where a target is missed, the cost is the dual arithmetic, not the generated code: the
//! hand-written tangent of Rosenbrock (plain floats) itself takes 2.06x the primal (the primal's
//! loop is bound by the latency of its one running sum; a tangent adds about ten operations an
//! iteration). `_hvp` runs `_grad` on duals, so every multiplication of the reverse sweep is a
//! dual product, and its wrapper builds the dual inputs and two output vectors (on the MLP that
//! work alone is 1.6x `_grad`). Where the work is in `exp`/`ln`/`sin` (the seed, the GMM) the
//! ratios are well inside the targets. `_jacobian` runs one whole pullback (forward and
//! reverse) per output, so the Bratu residual's 100 `exp` are recomputed 100 times;
//! `num_dual::jacobian` makes one pass.

mod workloads;

use std::hint::black_box;
use std::rc::Rc;
use std::time::{Duration, Instant};
use workloads::*;

/// The target duration of one batch.
const BATCH: Duration = Duration::from_millis(1);
/// The default time spent in rounds per workload.
const ROUNDS_TIME: Duration = Duration::from_secs(8);
/// Warm-up per variant before calibrating.
const WARM_UP: Duration = Duration::from_millis(150);
/// The fewest rounds per workload.
const MIN_ROUNDS: usize = 20;
/// The fewest samples per variant, except for one whose first call takes [`VERY_SLOW`] or
/// more, which may stop after one.
const MIN_SAMPLES: usize = 3;
/// See [`MIN_SAMPLES`].
const VERY_SLOW: Duration = Duration::from_secs(1);
/// The fewest rounds holding both variants for a ratio to be the median of their per-round
/// ratios (see [`measure`]).
const MIN_PAIRED: usize = 10;

/// Runs a batch of `n` calls.
type Batch = Box<dyn Fn(u64)>;

/// A batch runner for `f`, which black-boxes its own inputs; the result is black-boxed too.
fn batch<R>(f: impl Fn() -> R + 'static) -> Batch {
    Box::new(move |n| {
        for _ in 0..n {
            black_box(f());
        }
    })
}

/// The variants of a workload, in table order: primal, compiled, hand-written, tape, forward
/// mode and the compiled gradient of the computation inlined by hand into one function; all but
/// the first two are missing where they do not apply, with the reason.
struct Workload {
    name: String,
    variants: [Option<Batch>; VARIANTS],
    /// Why a variant is missing: `(variant, reason)`.
    missing: Vec<(usize, String)>,
}

const PRIMAL: usize = 0;
const COMPILED: usize = 1;
const HAND: usize = 2;
const TAPE: usize = 3;
const FORWARD: usize = 4;
const INLINED: usize = 5;
const VARIANTS: usize = 6;
const VARIANT_NAMES: [&str; VARIANTS] = [
    "primal",
    "compiled",
    "hand-written",
    "tape",
    "forward mode",
    "compiled, inlined by hand",
];

impl Workload {
    fn new(name: impl Into<String>, [p, c, h]: [Batch; 3]) -> Workload {
        Workload {
            name: name.into(),
            variants: [Some(p), Some(c), Some(h), None, None, None],
            missing: Vec::new(),
        }
    }

    /// A program written with helpers: the primal, the compiled gradient of the natural form
    /// and the compiled gradient of the same computation inlined by hand into one function.
    fn with_helpers(name: impl Into<String>, [p, c, i]: [Batch; 3]) -> Workload {
        Workload {
            name: name.into(),
            variants: [Some(p), Some(c), None, None, None, Some(i)],
            missing: Vec::new(),
        }
    }

    /// A row of the second table: a derivative (in the compiled column) against its baseline
    /// (in the primal column).
    fn pair(name: impl Into<String>, baseline: Batch, derivative: Batch) -> Workload {
        Workload {
            name: name.into(),
            variants: [Some(baseline), Some(derivative), None, None, None, None],
            missing: Vec::new(),
        }
    }

    fn hand(mut self, b: Batch) -> Workload {
        self.variants[HAND] = Some(b);
        self
    }

    fn tape(mut self, b: Batch) -> Workload {
        self.variants[TAPE] = Some(b);
        self
    }

    fn forward(mut self, b: Batch) -> Workload {
        self.variants[FORWARD] = Some(b);
        self
    }

    fn without(mut self, variant: usize, reason: impl Into<String>) -> Workload {
        self.missing.push((variant, reason.into()));
        self
    }
}

/// `n` with thousands separators.
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn workloads() -> Vec<Workload> {
    let bb = black_box::<f64>;
    let mut out = Vec::new();

    let (x1, x2, x3) = SEED_X;
    out.push(
        Workload::new(
            "seed: ln(x1 x2) + sin(x1 x3) + x2 x3",
            [
                batch(move || seed(bb(x1), bb(x2), bb(x3))),
                batch(move || seed_grad(bb(x1), bb(x2), bb(x3))),
                batch(move || seed_hand(bb(x1), bb(x2), bb(x3))),
            ],
        )
        .tape(batch(move || seed_tape(bb(x1), bb(x2), bb(x3))))
        .forward(batch(move || seed_forward(bb(x1), bb(x2), bb(x3)))),
    );

    let (n1, n2, w1, w2, b) = NEURON_X;
    out.push(
        Workload::new(
            "neuron: tanh(x1 w1 + x2 w2 + b)",
            [
                batch(move || neuron(bb(n1), bb(n2), bb(w1), bb(w2), bb(b))),
                batch(move || neuron_grad(bb(n1), bb(n2), bb(w1), bb(w2), bb(b))),
                batch(move || neuron_hand(bb(n1), bb(n2), bb(w1), bb(w2), bb(b))),
            ],
        )
        .tape(batch(move || {
            neuron_tape(bb(n1), bb(n2), bb(w1), bb(w2), bb(b))
        }))
        .forward(batch(move || {
            neuron_forward(bb(n1), bb(n2), bb(w1), bb(w2), bb(b))
        })),
    );

    let (a, b) = MORE_OPS_X;
    out.push(
        Workload::new(
            "micrograd's test_more_ops",
            [
                batch(move || more_ops(bb(a), bb(b))),
                batch(move || more_ops_grad(bb(a), bb(b))),
                batch(move || more_ops_hand(bb(a), bb(b))),
            ],
        )
        .tape(batch(move || more_ops_tape(bb(a), bb(b))))
        .forward(batch(move || more_ops_forward(bb(a), bb(b)))),
    );

    for n in ROSEN_SIZES {
        let x = Rc::new(rosen_x(n));
        let x1 = Rc::clone(&x);
        let x2 = Rc::clone(&x);
        let mut w = Workload::new(
            format!("Rosenbrock, n = {}", thousands(n)),
            [
                batch(move || rosen(black_box(&x1))),
                batch(move || rosen_grad(black_box(&x2))),
                batch({
                    let x = Rc::clone(&x);
                    move || rosen_hand(black_box(&x))
                }),
            ],
        );
        if rosen_has_tape(n) {
            let x = Rc::clone(&x);
            w = w.tape(batch(move || rosen_tape(black_box(&x))));
        }
        w = if rosen_has_forward(n) {
            w.forward(batch(move || rosen_forward_any(black_box(&x))))
        } else {
            w.without(
                FORWARD,
                format!(
                    "one pass per variable: {} passes over {} terms",
                    thousands(n),
                    thousands(n - 1)
                ),
            )
        };
        out.push(w);
    }

    let (p, x, y) = mlp_data();
    let p = Rc::new(p);
    let (p1, p2, p3, p4) = (p.clone(), p.clone(), p.clone(), p.clone());
    out.push(
        Workload::new(
            "MLP 2-16-16-1 (337 parameters), one sample",
            [
                batch(move || mlp(black_box(&p), black_box(&x), bb(y))),
                batch(move || mlp_grad(black_box(&p1), black_box(&x), bb(y))),
                batch(move || mlp_hand(black_box(&p2), black_box(&x), bb(y))),
            ],
        )
        .tape(batch(move || {
            mlp_tape(black_box(&p3), black_box(&x), bb(y))
        }))
        .forward(batch(move || {
            mlp_forward(black_box(&p4), black_box(&x), bb(y))
        })),
    );

    let (p, moons) = moons_setup();
    let network = moons_network(&p);
    let data = Rc::new((p, moons));
    let d = [(); 4].map(|_| Rc::clone(&data));
    let [d0, d1, d2, d3] = d;
    out.push(
        Workload::new(
            format!("MLP 2-16-16-1, moons batch of {MOONS_N}"),
            [
                batch(move || {
                    let (p, m) = black_box(&*d0);
                    moons_loss(p, &m.xs, &m.ys)
                }),
                batch(move || {
                    let (p, m) = black_box(&*d1);
                    moons_loss_grad(p, &m.xs, &m.ys)
                }),
                batch(move || {
                    let (p, m) = black_box(&*d2);
                    moons_hand(p, &m.xs, &m.ys)
                }),
            ],
        )
        .tape(batch(move || {
            let (_, m) = black_box(&*d3);
            moons_tape(&network, &m.xs, &m.ys)
        }))
        .forward(batch(move || {
            let (p, m) = black_box(&*data);
            moons_forward(p, &m.xs, &m.ys)
        })),
    );

    out.push(moons_struct_workload());
    out.extend(GMM_SIZES.map(gmm_workload));
    out.push(lstm_workload());
    out.push(rk4_workload());
    out.push(logreg_workload());
    out
}

/// A row of the second table: the derivative against its baseline.
struct Pair {
    /// `_jvp`, `_hvp`, `_hessian` or `_jacobian`.
    derivative: &'static str,
    /// What the baseline is.
    baseline: &'static str,
    /// The target for derivative/baseline, if the issue sets one.
    target: Option<f64>,
    /// The baseline in the primal slot, the derivative in the compiled slot; its name is
    /// `<derivative>: <workload>` (what `COMPARE_ONLY` matches).
    workload: Workload,
}

impl Pair {
    fn new(
        derivative: &'static str,
        workload: impl std::fmt::Display,
        (baseline_name, baseline): (&'static str, Batch),
        target: Option<f64>,
        b: Batch,
    ) -> Pair {
        Pair {
            derivative,
            baseline: baseline_name,
            target,
            workload: Workload::pair(format!("{derivative}: {workload}"), baseline, b),
        }
    }
}

/// The rows of the second table (`benches/workloads/second_order.rs`).
fn second_order_pairs() -> Vec<Pair> {
    use workloads::second_order::*;
    let bb = black_box::<f64>;
    let mut out = Vec::new();
    let (x1, x2, x3) = SEED_X;
    let (t1, t2, t3) = SEED_T;
    let seed_name = "seed: ln(x1 x2) + sin(x1 x3) + x2 x3";
    let rosen_name = format!("Rosenbrock, n = {}", thousands(JVP_ROSEN_N));

    // _jvp over the primal.
    out.push(Pair::new(
        "_jvp",
        seed_name,
        ("primal", batch(move || seed(bb(x1), bb(x2), bb(x3)))),
        Some(2.0),
        batch(move || seed_jvp(bb(x1), bb(x2), bb(x3), bb(t1), bb(t2), bb(t3))),
    ));
    let x = Rc::new(rosen_x(JVP_ROSEN_N));
    let t = Rc::new(direction(JVP_ROSEN_N));
    {
        let (x0, x1, t1) = (Rc::clone(&x), Rc::clone(&x), Rc::clone(&t));
        out.push(Pair::new(
            "_jvp",
            &rosen_name,
            ("primal", batch(move || rosen(black_box(&x0)))),
            Some(2.0),
            batch(move || rosen_jvp(black_box(&x1), black_box(&t1))),
        ));
        let (x0, x1, t0, t1) = (Rc::clone(&x), Rc::clone(&x), Rc::clone(&t), Rc::clone(&t));
        out.push(Pair::new(
            "_jvp",
            &rosen_name,
            (
                "num-dual `Dual64` pass",
                batch(move || rosen_jvp_num_dual(black_box(&x0), black_box(&t0))),
            ),
            None,
            batch(move || rosen_jvp(black_box(&x1), black_box(&t1))),
        ));
        let (x0, x1, t0, t1) = (Rc::clone(&x), Rc::clone(&x), Rc::clone(&t), Rc::clone(&t));
        out.push(Pair::new(
            "_jvp",
            &rosen_name,
            (
                "hand-written tangent",
                batch(move || rosen_jvp_hand(black_box(&x0), black_box(&t0))),
            ),
            None,
            batch(move || rosen_jvp(black_box(&x1), black_box(&t1))),
        ));
    }

    // _hvp over _grad.
    out.push(Pair::new(
        "_hvp",
        seed_name,
        ("_grad", batch(move || seed_grad(bb(x1), bb(x2), bb(x3)))),
        Some(3.0),
        batch(move || seed_hvp(bb(x1), bb(x2), bb(x3), bb(t1), bb(t2), bb(t3))),
    ));
    {
        let (x0, x1) = (Rc::clone(&x), Rc::clone(&x));
        out.push(Pair::new(
            "_hvp",
            &rosen_name,
            ("_grad", batch(move || rosen_grad(black_box(&x0)))),
            Some(3.0),
            batch(move || rosen_hvp(black_box(&x1), black_box(&t))),
        ));
    }
    let (p, xm, y) = mlp_data();
    let p = Rc::new(p);
    let tm = Rc::new(direction(MLP_PARAMS));
    let p1 = Rc::clone(&p);
    out.push(Pair::new(
        "_hvp",
        "MLP 2-16-16-1 (337 parameters), one sample",
        (
            "_grad",
            batch(move || mlp_grad(black_box(&p), black_box(&xm), bb(y))),
        ),
        Some(3.0),
        batch(move || mlp_hvp(black_box(&p1), black_box(&xm), bb(y), black_box(&tm))),
    ));
    let (d, k) = HVP_GMM;
    let g = Rc::new(gmm_data(d, k));
    let tg = Rc::new(direction(g.params().len()));
    let g1 = Rc::clone(&g);
    out.push(Pair::new(
        "_hvp",
        format!("GMM d = {d}, K = {k}, n = {}", thousands(GMM_N)),
        ("_grad", batch(move || black_box(&*g).compiled())),
        Some(3.0),
        batch(move || gmm_hvp(black_box(&g1), black_box(&tg))),
    ));

    // _hessian over num_dual::hessian.
    out.push(Pair::new(
        "_hessian",
        seed_name,
        (
            "num_dual::hessian",
            batch(move || seed_hessian_num_dual(bb(x1), bb(x2), bb(x3))),
        ),
        None,
        batch(move || seed_hessian(bb(x1), bb(x2), bb(x3))),
    ));
    let xh = Rc::new(rosen_x(HESSIAN_ROSEN_N));
    let xh1 = Rc::clone(&xh);
    out.push(Pair::new(
        "_hessian",
        format!("Rosenbrock, n = {HESSIAN_ROSEN_N}"),
        (
            "num_dual::hessian",
            batch(move || rosen_hessian_num_dual(black_box(&xh))),
        ),
        None,
        batch(move || rosen_hessian(black_box(&xh1))),
    ));

    // _jacobian over num_dual::jacobian.
    let (r, th, ph) = SPHERICAL_X;
    out.push(Pair::new(
        "_jacobian",
        "spherical to Cartesian (3 × 3)",
        (
            "num_dual::jacobian",
            batch(move || spherical_jacobian_num_dual(bb(r), bb(th), bb(ph))),
        ),
        None,
        batch(move || spherical_jacobian(bb(r), bb(th), bb(ph))),
    ));
    let u = Rc::new(bratu_x());
    let u1 = Rc::clone(&u);
    out.push(Pair::new(
        "_jacobian",
        format!("Bratu residual ({BRATU_N} × {BRATU_N})"),
        (
            "num_dual::jacobian",
            batch(move || bratu_jacobian_num_dual(black_box(&u))),
        ),
        None,
        batch(move || bratu_jacobian(black_box(&u1), bb(BRATU_LAMBDA))),
    ));
    out
}

/// The moons batch again, written as structs and methods (`examples/mlp_struct.rs`: `Layer`
/// with a `forward` method, `Mlp::score` calling it, `Mlp::loss` calling `score`), against the
/// flat-slice loss of the row above as the inlined form.
fn moons_struct_workload() -> Workload {
    let (p, moons) = moons_setup();
    let mlp = moons_struct_setup();
    let data = Rc::new((p, mlp, moons));
    let [d0, d1, d2, d3] = [(); 4].map(|_| Rc::clone(&data));
    Workload::with_helpers(
        format!("MLP 2-16-16-1, moons batch of {MOONS_N}, as structs with methods"),
        [
            batch(move || {
                let (_, s, m) = black_box(&*d0);
                s.loss(&m.xs, &m.ys)
            }),
            batch(move || {
                let (_, s, m) = black_box(&*d1);
                s.loss_grad(&m.xs, &m.ys)
            }),
            batch(move || {
                let (p, _, m) = black_box(&*d2);
                moons_loss_grad(p, &m.xs, &m.ys)
            }),
        ],
    )
    .hand(batch(move || {
        let (p, _, m) = black_box(&*d3);
        moons_hand(p, &m.xs, &m.ys)
    }))
    .without(TAPE, "the same as the flat moons row")
    .without(FORWARD, "the same as the flat moons row")
}

/// ADBench's LSTM objective: the natural form (helpers over `&mut` slices) against the same
/// computation inlined by hand, and a hand-written gradient.
fn lstm_workload() -> Workload {
    use workloads::lstm::{LSTM_B, LSTM_C, LSTM_L};
    let g = Rc::new(lstm_data());
    let [g0, g1, g2] = [(); 3].map(|_| Rc::clone(&g));
    Workload::with_helpers(
        format!(
            "LSTM (ADBench), {LSTM_L} layers, b = {LSTM_B}, {} steps, through helpers",
            LSTM_C - 1
        ),
        [
            batch(move || black_box(&*g0).objective()),
            batch(move || black_box(&*g1).natural()),
            batch(move || black_box(&*g).inlined()),
        ],
    )
    .hand(batch(move || black_box(&*g2).hand()))
    .without(TAPE, "not written for this workload")
    .without(FORWARD, "not written for this workload")
}

/// Logistic regression over a data matrix through `dot` and `log1p_exp` helpers: the natural
/// form against the helpers inlined by hand, and a hand-written gradient.
fn logreg_workload() -> Workload {
    use workloads::logreg::*;
    let data = Rc::new(logreg_data(LOGREG_N, LOGREG_D));
    let [d0, d1, d2] = [(); 3].map(|_| Rc::clone(&data));
    let lam = LOGREG_LAMBDA;
    Workload::with_helpers(
        format!("logistic regression, n = 1,000, d = {LOGREG_D}, through helpers"),
        [
            batch(move || {
                let (w, b, x, y) = black_box(&*d0);
                logreg_loss(w, *b, x, y, lam)
            }),
            batch(move || {
                let (w, b, x, y) = black_box(&*d1);
                logreg_loss_grad(w, *b, x, y, lam)
            }),
            batch(move || {
                let (w, b, x, y) = black_box(&*d2);
                logreg_inlined_grad(w, *b, x, y, lam)
            }),
        ],
    )
    .hand(batch(move || {
        let (w, b, x, y) = black_box(&*data);
        logreg_hand(w, *b, x, y, lam)
    }))
    .without(TAPE, "not written for this workload")
    .without(FORWARD, "not written for this workload")
}

/// The RK4 projectile: the natural form (array-returning `rk4_step` and `deriv`) against the
/// same computation inlined by hand, and a hand-written gradient.
fn rk4_workload() -> Workload {
    use workloads::rk4::{rk4_distance, rk4_distance_grad, rk4_hand, rk4_inlined_grad};
    use workloads::rk4::{RK4_STEPS, RK4_X};
    let bb = black_box::<f64>;
    let (v0, a, k) = RK4_X;
    let n = RK4_STEPS;
    Workload::with_helpers(
        format!("RK4 projectile with drag, {n} steps, through helpers"),
        [
            batch(move || rk4_distance(bb(v0), bb(a), bb(k), black_box(n))),
            batch(move || rk4_distance_grad(bb(v0), bb(a), bb(k), black_box(n))),
            batch(move || rk4_inlined_grad(bb(v0), bb(a), bb(k), black_box(n))),
        ],
    )
    .hand(batch(move || rk4_hand(bb(v0), bb(a), bb(k), black_box(n))))
    .without(TAPE, "not written for this workload")
    .without(FORWARD, "not written for this workload")
}

/// ADBench's GMM with `d` dimensions and `k` components over [`GMM_N`] points.
fn gmm_workload((d, k): (usize, usize)) -> Workload {
    let g = Rc::new(gmm_data(d, k));
    let [g0, g1, g2, g3] = [(); 4].map(|_| Rc::clone(&g));
    let mut w = Workload::new(
        format!("GMM d = {d}, K = {k}, n = {}", thousands(GMM_N)),
        [
            batch(move || black_box(&*g0).objective()),
            batch(move || black_box(&*g1).compiled()),
            batch(move || black_box(&*g2).hand()),
        ],
    );
    if gmm_has_tape(d, k) {
        w = w.tape(batch(move || gmm_peers::gmm_tape(black_box(&*g3))));
    }
    if gmm_has_forward(d, k) {
        w.forward(batch(move || gmm_peers::gmm_forward(black_box(&*g))))
    } else {
        w.without(
            FORWARD,
            format!(
                "one pass per parameter: {} passes over the {} points",
                thousands(gmm_peers::gmm_params(d, k)),
                thousands(GMM_N)
            ),
        )
    }
}

/// Nanoseconds per call of one batch of `n` calls.
fn time(f: &Batch, n: u64) -> f64 {
    let t = Instant::now();
    f(n);
    t.elapsed().as_nanos() as f64 / n as f64
}

/// The number of calls that makes a batch of `f` last about [`BATCH`] (at least one), after a
/// warm-up of [`WARM_UP`] (at least one call), and the time of the first call. Every estimate
/// is the fastest of several tries, so that the thread being preempted during one (the machine
/// may be shared) does not shrink the batches to a few calls, timed mostly by the clock.
fn calibrate(f: &Batch) -> (u64, Duration) {
    let start = Instant::now();
    f(1);
    let first = start.elapsed();
    let mut fastest = first;
    while start.elapsed() < WARM_UP {
        let t = Instant::now();
        f(1);
        fastest = fastest.min(t.elapsed());
    }
    if fastest >= BATCH {
        return (1, first);
    }
    let mut n = 1u64;
    loop {
        let e = (0..3)
            .map(|_| {
                let t = Instant::now();
                f(n);
                t.elapsed()
            })
            .min()
            .expect("three tries");
        if e >= BATCH / 4 || n >= 1 << 30 {
            let per = e.as_nanos().max(1) as f64 / n as f64;
            return (((BATCH.as_nanos() as f64 / per) as u64).max(1), first);
        }
        n *= 2;
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Medians for one workload: ns/call of each variant, then the paired ratios (`None` for a
/// missing variant).
struct Row {
    ns: [Option<f64>; VARIANTS],
    compiled_over_hand: Option<f64>,
    compiled_over_primal: f64,
    hand_over_primal: Option<f64>,
    compiled_over_inlined: Option<f64>,
    tape_over_compiled: Option<f64>,
    forward_over_compiled: Option<f64>,
    /// The number of rounds, and of samples of the variant measured least.
    rounds: usize,
    fewest: usize,
}

fn measure(w: &Workload, budget: Duration) -> Row {
    let present: Vec<usize> = (0..VARIANTS).filter(|&v| w.variants[v].is_some()).collect();
    let run = |v: usize| w.variants[v].as_ref().expect("present");
    let mut sizes = [0u64; VARIANTS];
    let mut min_samples = [MIN_SAMPLES; VARIANTS];
    for &v in &present {
        let (size, first) = calibrate(run(v));
        if std::env::var_os("COMPARE_DEBUG").is_some() {
            eprintln!("  {}: {size} calls a batch", VARIANT_NAMES[v]);
        }
        sizes[v] = size;
        if first >= VERY_SLOW {
            min_samples[v] = 1;
        }
    }
    // A variant stops once it has had its share of the budget and its fewest samples, so a
    // slow one (the tape or forward mode on large inputs) neither takes the whole budget nor
    // stops the others; the rest go on until the budget is spent.
    let share = budget / present.len() as u32;
    let mut samples: Vec<Vec<Option<f64>>> = vec![Vec::new(); VARIANTS];
    let mut spent = [Duration::ZERO; VARIANTS];
    let start = Instant::now();
    let mut round = 0;
    while start.elapsed() < budget || round < MIN_ROUNDS {
        for k in 0..present.len() {
            let v = present[(round + k) % present.len()];
            let taken = samples[v].iter().flatten().count();
            if taken >= min_samples[v] && spent[v] >= share {
                samples[v].push(None);
                continue;
            }
            let t = Instant::now();
            let ns = time(run(v), sizes[v]);
            spent[v] += t.elapsed();
            samples[v].push(Some(ns));
        }
        round += 1;
    }
    let mut ns = [None; VARIANTS];
    let mut fewest = usize::MAX;
    for &v in &present {
        let mut s: Vec<f64> = samples[v].iter().flatten().copied().collect();
        fewest = fewest.min(s.len());
        ns[v] = Some(median(&mut s));
    }
    // The median of the per-round ratios; with fewer than MIN_PAIRED rounds holding both
    // variants (a slow one), the ratio of the medians instead, so that the other variant's
    // many samples steady the ratio rather than the few from the same rounds.
    let ratio = |a: usize, b: usize| {
        let mut r: Vec<f64> = samples[a]
            .iter()
            .zip(&samples[b])
            .filter_map(|(x, y)| Some((*x)? / (*y)?))
            .collect();
        if r.len() >= MIN_PAIRED {
            Some(median(&mut r))
        } else {
            Some(ns[a]? / ns[b]?)
        }
    };
    Row {
        ns,
        compiled_over_hand: ratio(COMPILED, HAND),
        compiled_over_primal: ratio(COMPILED, PRIMAL).expect("always measured"),
        hand_over_primal: ratio(HAND, PRIMAL),
        compiled_over_inlined: ratio(COMPILED, INLINED),
        tape_over_compiled: ratio(TAPE, COMPILED),
        forward_over_compiled: ratio(FORWARD, COMPILED),
        rounds: round,
        fewest,
    }
}

/// A duration per call with its unit.
fn fmt_time(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// A ratio: two decimals below 10, one below 1000, none above.
fn fmt_ratio(r: Option<f64>) -> String {
    match r {
        None => "n/a".to_string(),
        Some(r) if r < 10.0 => format!("{r:.2}"),
        Some(r) if r < 1000.0 => format!("{r:.1}"),
        Some(r) => format!("{r:.0}"),
    }
}

fn main() {
    workloads::check_all();
    if !std::env::args().any(|a| a == "--bench") {
        println!("compare: gradients checked (run `cargo bench --bench compare` to measure)");
        return;
    }
    let budget = std::env::var("COMPARE_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .map_or(ROUNDS_TIME, Duration::from_secs_f64);
    let start = Instant::now();
    let only: Vec<String> = std::env::var("COMPARE_ONLY")
        .map(|s| {
            s.split(',')
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let selected = |name: &str| {
        let name = name.to_lowercase();
        only.is_empty() || only.iter().any(|o| name.contains(o.as_str()))
    };
    let workloads: Vec<Workload> = workloads()
        .into_iter()
        .filter(|w| selected(&w.name))
        .collect();
    let pairs: Vec<Pair> = second_order_pairs()
        .into_iter()
        .filter(|p| selected(&p.workload.name))
        .collect();
    let mut rows = Vec::new();
    for w in &workloads {
        eprintln!("measuring {} ...", w.name);
        rows.push(measure(w, budget));
    }
    let mut pair_rows = Vec::new();
    for p in &pairs {
        eprintln!("measuring {} ...", p.workload.name);
        pair_rows.push(measure(&p.workload, budget));
    }
    if !workloads.is_empty() {
        print_main_table(&workloads, &rows, budget);
    }
    if !pairs.is_empty() {
        print_second_order_table(&pairs, &pair_rows, budget);
    }
    eprintln!("total {:.0} s", start.elapsed().as_secs_f64());
}

/// The second table: each derivative beyond the gradient against its baseline.
fn print_second_order_table(pairs: &[Pair], rows: &[Row], budget: Duration) {
    println!();
    println!("| derivative | workload | time | baseline | baseline time | derivative/baseline | target |");
    println!("|---|---|---:|---|---:|---:|---:|");
    for (p, r) in pairs.iter().zip(rows) {
        let workload = p
            .workload
            .name
            .split_once(": ")
            .map_or(p.workload.name.as_str(), |(_, w)| w);
        let ratio = r.compiled_over_primal;
        let target = match p.target {
            None => "—".to_string(),
            Some(t) if ratio <= t => format!("≤ {t} (met)"),
            Some(t) => format!("≤ {t} (missed)"),
        };
        println!(
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            p.derivative,
            workload,
            fmt_time(r.ns[COMPILED].expect("always measured")),
            p.baseline,
            fmt_time(r.ns[PRIMAL].expect("always measured")),
            fmt_ratio(Some(ratio)),
            target,
        );
    }
    println!();
    println!(
        "Timed as the first table (paired rounds, {:.0} s a row, medians; rounds per row: {}). \
         `_jvp`: one pass on `grad::Dual`. `_hvp`: forward over reverse (one reverse sweep on \
         `grad::Dual`, returning the value, the gradient and H v). `_hessian`: one `_hvp` \
         sweep per input; the second Rosenbrock `_jvp` row: `num-dual`'s forward mode, one \
         pass of `Dual64` (building its inputs as `_jvp` does). `num_dual::hessian`: one pass of \
         `Dual2SVec64<3>` for the seed and of \
         `Dual2DVec64` (heap-allocated partials, as a static `Dual2SVec64<100>` input would \
         take 8 MB of stack) for Rosenbrock. `_jacobian`: one reverse sweep per output; \
         `num_dual::jacobian`: one pass of `DualSVec64<N>` (N = 3 and 100).",
        budget.as_secs_f64(),
        rows.iter()
            .map(|r| r.rounds.to_string())
            .collect::<Vec<_>>()
            .join("/"),
    );
}

/// The first table, with its notes.
fn print_main_table(workloads: &[Workload], rows: &[Row], budget: Duration) {
    println!();
    println!(
        "| workload | primal | compiled grad | compiled/hand-written | compiled/inlined \
         | compiled/primal | hand-written/primal | tape/compiled | forward mode/compiled |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (w, r) in workloads.iter().zip(rows) {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            w.name,
            fmt_time(r.ns[PRIMAL].expect("always measured")),
            fmt_time(r.ns[COMPILED].expect("always measured")),
            fmt_ratio(r.compiled_over_hand),
            fmt_ratio(r.compiled_over_inlined),
            fmt_ratio(Some(r.compiled_over_primal)),
            fmt_ratio(r.hand_over_primal),
            fmt_ratio(r.tape_over_compiled),
            fmt_ratio(r.forward_over_compiled),
        );
    }
    println!();
    println!(
        "Times are medians per call over interleaved batches of about {} ms; ratios are medians \
         of per-round ratios (each round runs every variant of a workload once, starting from a \
         different one), or ratios of the medians for a variant with fewer than {MIN_PAIRED} \
         samples. Rounds per workload: {}. A slow variant stops after its share of the \
         {:.0} s budget and {MIN_SAMPLES} samples (one if a call takes {} s or more); fewest \
         samples per workload: {}.",
        BATCH.as_millis(),
        rows.iter()
            .map(|r| r.rounds.to_string())
            .collect::<Vec<_>>()
            .join("/"),
        budget.as_secs_f64(),
        VERY_SLOW.as_secs(),
        rows.iter()
            .map(|r| r.fewest.to_string())
            .collect::<Vec<_>>()
            .join("/"),
    );
    println!();
    println!(
        "Tape: `grad::tape::Value` (micrograd's engine), building the graph and running \
         `backward` on every call; the moons batch goes through `grad::nn::MLP`, micrograd's \
         `nn.py`. Forward mode: the `num-dual` crate, the function written once more generic \
         over its dual numbers: `num_dual::gradient` (one pass carrying all partials in a \
         static vector) for the seed, the neuron, test_more_ops and Rosenbrock n = 10; one \
         `Dual64` pass per input elsewhere."
    );
    println!();
    println!(
        "Compiled/inlined: for a program written with helpers (the LSTM's `lstm_model` over \
         `&mut` slices, RK4's array-returning `rk4_step`, the moons MLP as structs whose \
         methods call each other), the compiled gradient of the natural form over the compiled \
         gradient of the same computation inlined by hand into one function (for the structs, \
         the flat-slice `moons_loss` of the row above): what passing through the helpers' \
         pullbacks costs."
    );
    let missing: Vec<String> = workloads
        .iter()
        .flat_map(|w| {
            w.missing
                .iter()
                .map(move |(v, why)| format!("{}, {}: {why}.", w.name, VARIANT_NAMES[*v]))
        })
        .collect();
    if !missing.is_empty() {
        println!();
        println!("n/a:");
        for m in missing {
            println!("- {m}");
        }
    }
}
