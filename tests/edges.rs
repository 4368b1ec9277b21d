//! Edge semantics: every primitive at the edges of its domain, as decided and documented in the
//! table of `grad-runtime/src/rules.rs` (the `grad::rules` module).
//!
//! For every primitive there is a `#[differentiable]` function in `f64` and in `f32` that calls
//! it, and a table of edge points. At each point:
//!
//! - the `_grad` value is the plain function's, bit for bit (both NaN where the value is NaN:
//!   Rust does not fix the sign and payload of a NaN that an operation produces);
//! - the value, where the row gives one, and every gradient component are the documented ones,
//!   bit for bit (or NaN);
//! - for `f64`, `_graph` (the tape engine) gives the same value and the same gradient;
//! - each function is called once with constant arguments (which the optimizer may fold) and
//!   once through `black_box` (computed at run time).
//!
//! The expected values are derived by hand from the mathematics and from IEEE 754 (the comment
//! on each row says how), never by running the rule. A gradient is a sum started at `+0`, so a
//! partial of `-0` shows as `+0`.
//!
//! Since these assertions are exact, running this file in the release profile as well
//! (`cargo test --release --test edges`, in `.ci/run`) checks that debug and release builds
//! give the same gradients.
//!
//! Finally every primitive is swept at random ordinary points (a fixed seed, so both profiles
//! see the same points): the `f32` gradient is the `f64` one within `f32` precision, and the
//! `f64` gradient is the tape engine's bit for bit.

use grad::prelude::*;
use grad::tape::Value;
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::fmt::Debug;
use std::hint::black_box;

// ===== helpers ================================================================================

/// `f32` or `f64`, for exact comparisons.
trait Num: Copy + Debug + PartialEq {
    fn bits(self) -> u64;
    fn nan(self) -> bool;
}

impl Num for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
    fn nan(self) -> bool {
        self.is_nan()
    }
}

impl Num for f32 {
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
    fn nan(self) -> bool {
        self.is_nan()
    }
}

/// `got` is `want` exactly: the same bits (so `+0` is not `-0`), or both NaN.
fn same<T: Num>(got: T, want: T) -> bool {
    if want.nan() {
        got.nan()
    } else {
        got.bits() == want.bits()
    }
}

fn all_same<T: Num>(got: &[T], want: &[T]) -> bool {
    got.len() == want.len() && got.iter().zip(want).all(|(&g, &w)| same(g, w))
}

/// A `_grad` result `(value, d_0, d_1, ...)` as a value and a vector.
trait Parts<T> {
    fn parts(self) -> (T, Vec<T>);
}

impl<T> Parts<T> for (T, T) {
    fn parts(self) -> (T, Vec<T>) {
        (self.0, vec![self.1])
    }
}

impl<T> Parts<T> for (T, T, T) {
    fn parts(self) -> (T, Vec<T>) {
        (self.0, vec![self.1, self.2])
    }
}

impl<T> Parts<T> for (T, T, T, T) {
    fn parts(self) -> (T, Vec<T>) {
        (self.0, vec![self.1, self.2, self.3])
    }
}

/// The value of a `_graph` root and the gradient of its parameter leaves (found by label).
fn tape_parts(root: &Value, names: &[&str]) -> (f64, Vec<f64>) {
    let order = root.topological_order();
    let grads = names
        .iter()
        .map(|name| {
            order
                .iter()
                .find(|v| v.op().is_empty() && v.label() == *name)
                .unwrap_or_else(|| panic!("no leaf labelled {name}"))
                .grad()
        })
        .collect();
    (root.data(), grads)
}

/// One edge point: where, and what the documentation says.
struct Row<'a, T> {
    what: &'a str,
    value: Option<T>,
    grad: &'a [T],
}

/// What the functions returned at one edge point.
struct Got<T> {
    /// The plain function with constant arguments, and through `black_box`.
    plain: [T; 2],
    /// `_grad` with constant arguments, and through `black_box`.
    compiled: [(T, Vec<T>); 2],
    /// `_graph` (`f64` only).
    tape: Option<(T, Vec<T>)>,
}

#[track_caller]
fn check_row<T: Num>(row: Row<T>, got: Got<T>) {
    let what = row.what;
    for (i, how) in ["constant arguments", "black_box arguments"]
        .iter()
        .enumerate()
    {
        let (v, d) = &got.compiled[i];
        let plain = got.plain[i];
        assert!(
            same(*v, plain),
            "{what} ({how}): _grad value {v:?} is not the plain function's {plain:?}"
        );
        if let Some(want) = row.value {
            assert!(
                same(*v, want),
                "{what} ({how}): value {v:?}, documented {want:?}"
            );
        }
        assert!(
            all_same(d, row.grad),
            "{what} ({how}): gradient {d:?}, documented {:?}",
            row.grad
        );
    }
    if let Some((tv, td)) = &got.tape {
        let v = got.compiled[1].0;
        assert!(same(*tv, v), "{what}: _graph value {tv:?}, _grad {v:?}");
        assert!(
            all_same(td, row.grad),
            "{what}: _graph gradient {td:?}, documented {:?}",
            row.grad
        );
    }
}

/// Constants the edge tables use, for the float type `$t` (`T` is that type).
macro_rules! edge_consts {
    ($t:ident) => {
        #[allow(unused_imports)]
        use std::$t::consts::*;
        #[allow(dead_code)]
        type T = $t;
        #[allow(dead_code)]
        const INF: $t = $t::INFINITY;
        #[allow(dead_code)]
        const NAN: $t = $t::NAN;
        #[allow(dead_code)]
        const MAX: $t = $t::MAX;
        #[allow(dead_code)]
        const MIN_POSITIVE: $t = $t::MIN_POSITIVE;
    };
}

/// `2^600` in `f64`, `2^100` in `f32`: a power of two whose square overflows.
trait Huge {
    fn huge() -> Self;
}

impl Huge for f64 {
    fn huge() -> f64 {
        f64::from_bits((1023 + 600) << 52)
    }
}

impl Huge for f32 {
    fn huge() -> f32 {
        f32::from_bits((127 + 100) << 23)
    }
}

/// The sweep's tolerance: `f32` gradients within 8 `f32` epsilons (relative) of the `f64`
/// ones. The domains of the sweeps keep every rule's formula well conditioned (e.g. `tanh` on
/// `[-1, 1]`: near ±1, `1 - tanh²` cancels), so only a few roundings of `f32` separate the two:
/// the largest difference seen over 20,000 points per primitive was 3.4 epsilons (`atanh`).
const F32_TOL: f64 = 8.0 * f32::EPSILON as f64;

/// One point of a sweep: arguments (as `f64`), and what the `f32` and `f64` functions returned.
struct SweepPoint {
    at: Vec<f64>,
    plain32: f32,
    compiled32: (f32, Vec<f32>),
    plain64: f64,
    compiled64: (f64, Vec<f64>),
    tape64: (f64, Vec<f64>),
}

fn sweep_check(p: SweepPoint) -> Result<(), TestCaseError> {
    let at = &p.at;
    let (v32, d32) = &p.compiled32;
    let (v64, d64) = &p.compiled64;
    prop_assert!(
        same(*v32, p.plain32),
        "f32 value {v32:?} vs plain {:?} at {at:?}",
        p.plain32
    );
    prop_assert!(
        same(*v64, p.plain64),
        "f64 value {v64:?} vs plain {:?} at {at:?}",
        p.plain64
    );
    prop_assert!(
        same(p.tape64.0, *v64) && all_same(&p.tape64.1, d64),
        "f64 _grad {:?} vs _graph {:?} at {at:?}",
        p.compiled64,
        p.tape64
    );
    let close = |a: f32, b: f64| (f64::from(a) - b).abs() <= F32_TOL * b.abs();
    prop_assert!(
        close(*v32, *v64),
        "f32 value {v32:e} vs f64 {v64:e} at {at:?}"
    );
    for (i, (&g32, &g64)) in d32.iter().zip(d64).enumerate() {
        prop_assert!(
            close(g32, g64),
            "d[{i}]: f32 {g32:e} vs f64 {g64:e} (relative {:e}) at {at:?}",
            (f64::from(g32) - g64).abs() / g64.abs()
        );
    }
    Ok(())
}

/// Checks [`sweep_check`] at 256 random points of `strategy`, from a fixed seed.
fn sweep<S: Strategy>(strategy: S, point: impl Fn(S::Value) -> SweepPoint) {
    let config = ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    if let Err(e) = runner.run(&strategy, |v| sweep_check(point(v))) {
        panic!("{e}");
    }
}

/// One primitive: `$name(params) { body }`, the domain of its sweep, and its table of edge
/// points (`at [args] value v, grad [d...];`, where `value` may be left out).
macro_rules! prim {
    (
        $name:ident ( $($p:ident),+ ) { $($body:tt)* }
        sweep ( $($lo:literal .. $hi:literal),+ )
        $( at [$($x:expr),+] $(value $v:expr,)? grad [$($d:expr),+]; )+
    ) => {
        mod $name {
            use super::*;

            const NAMES: &[&str] = &[$(stringify!($p)),+];

            pub(crate) mod m64 {
                use super::*;
                #[differentiable]
                pub fn f($($p: f64),+) -> f64 {
                    $($body)*
                }
            }

            pub(crate) mod m32 {
                use super::*;
                #[differentiable]
                pub fn f($($p: f32),+) -> f32 {
                    $($body)*
                }
            }

            #[test]
            fn edges_f64() {
                edge_consts!(f64);
                $(
                    check_row(
                        Row {
                            what: concat!(stringify!($name), " f64 at ", stringify!([$($x),+])),
                            value: None $(.or(Some($v)))?,
                            grad: &[$($d),+],
                        },
                        Got {
                            plain: [m64::f($($x),+), m64::f($(black_box($x)),+)],
                            compiled: [
                                m64::f_grad($($x),+).parts(),
                                m64::f_grad($(black_box($x)),+).parts(),
                            ],
                            tape: Some(tape_parts(&m64::f_graph($(black_box($x)),+), NAMES)),
                        },
                    );
                )+
            }

            #[test]
            fn edges_f32() {
                edge_consts!(f32);
                $(
                    check_row(
                        Row {
                            what: concat!(stringify!($name), " f32 at ", stringify!([$($x),+])),
                            value: None $(.or(Some($v)))?,
                            grad: &[$($d),+],
                        },
                        Got {
                            plain: [m32::f($($x),+), m32::f($(black_box($x)),+)],
                            compiled: [
                                m32::f_grad($($x),+).parts(),
                                m32::f_grad($(black_box($x)),+).parts(),
                            ],
                            tape: None,
                        },
                    );
                )+
            }

            #[test]
            #[allow(unused_parens)]
            fn f32_matches_f64() {
                sweep(($($lo..$hi),+), |($($p),+)| {
                    $(let $p = $p as f32;)+
                    SweepPoint {
                        at: vec![$(f64::from($p)),+],
                        plain32: m32::f($($p),+),
                        compiled32: m32::f_grad($($p),+).parts(),
                        plain64: m64::f($(f64::from($p)),+),
                        compiled64: m64::f_grad($(f64::from($p)),+).parts(),
                        tape64: tape_parts(&m64::f_graph($(f64::from($p)),+), NAMES),
                    }
                });
            }
        }
    };
}

// ===== arithmetic =============================================================================

prim! {
    add(a, b) { a + b }
    sweep(-10.0..10.0, -10.0..10.0)
    // The partials are the constants (1, 1), whatever the operands.
    at [INF, 1.0] value INF, grad [1.0, 1.0];
    at [INF, -INF] value NAN, grad [1.0, 1.0]; // inf - inf = NaN (IEEE)
    at [MAX, MAX] value INF, grad [1.0, 1.0]; // overflow
    at [NAN, 1.0] value NAN, grad [1.0, 1.0];
}

prim! {
    sub(a, b) { a - b }
    sweep(-10.0..10.0, -10.0..10.0)
    // The partials are the constants (1, -1), whatever the operands.
    at [INF, INF] value NAN, grad [1.0, -1.0];
    at [-MAX, MAX] value -INF, grad [1.0, -1.0]; // overflow
    at [0.0, 0.0] value 0.0, grad [1.0, -1.0];
}

prim! {
    mul(a, b) { a * b }
    sweep(-10.0..10.0, -10.0..10.0)
    // The partials are (b, a) as they are, whatever the value.
    at [INF, 0.0] value NAN, grad [0.0, INF]; // inf * 0 = NaN (IEEE)
    at [MAX, 2.0] value INF, grad [2.0, MAX]; // overflow
    at [-0.0, 3.0] value -0.0, grad [3.0, 0.0]; // the partial -0 sums to +0
    at [NAN, 2.0] value NAN, grad [2.0, NAN];
}

prim! {
    div(a, b) { a / b }
    sweep(-10.0..10.0, 0.1..10.0)
    // Partials (1/b, -a/b²), with IEEE's signed infinities at b = ±0.
    at [1.0, 0.0] value INF, grad [INF, -INF]; // 1/+0 = +inf; -1/b² → -inf
    at [1.0, -0.0] value -INF, grad [-INF, -INF]; // 1/-0 = -inf; -1/b² → -inf from both sides
    at [-1.0, 0.0] value -INF, grad [INF, INF]; // -a/b² = 1/b² → +inf
    at [0.0, 0.0] value NAN, grad [INF, NAN]; // 0/0 = NaN (IEEE); 1/+0 = +inf
    at [1.0, INF] value 0.0, grad [0.0, 0.0]; // 1/inf = 0; -a/b² = -0, summed to +0
    at [INF, 2.0] value INF, grad [0.5, -INF]; // -inf/4
    at [MAX, 0.5] value INF, grad [2.0, -INF]; // overflow: -MAX/0.25 overflows too
}

prim! {
    neg(x) { -x }
    sweep(-10.0..10.0)
    // The partial is the constant -1.
    at [0.0] value -0.0, grad [-1.0];
    at [INF] value -INF, grad [-1.0];
    at [NAN] value NAN, grad [-1.0];
}

// ===== trigonometric ==========================================================================

prim! {
    sin(x) { x.sin() }
    sweep(-10.0..10.0)
    // sin' = cos: NaN where cos is (at infinities, IEEE).
    at [0.0] value 0.0, grad [1.0];
    at [-0.0] value -0.0, grad [1.0];
    at [INF] value NAN, grad [NAN];
    at [NAN] value NAN, grad [NAN];
}

prim! {
    cos(x) { x.cos() }
    sweep(-10.0..10.0)
    // cos' = -sin.
    at [0.0] value 1.0, grad [0.0]; // -sin 0 = -0, summed to +0
    at [-INF] value NAN, grad [NAN];
}

prim! {
    tan(x) { x.tan() }
    sweep(-1.4..1.4)
    // tan' = 1 + tan².
    at [0.0] value 0.0, grad [1.0];
    at [-0.0] value -0.0, grad [1.0];
    at [INF] value NAN, grad [NAN];
}

prim! {
    asin(x) { x.asin() }
    sweep(-0.9..0.9)
    // asin' = 1/sqrt(1 - x²): +inf at ±1 (the limit from inside), NaN outside [-1, 1].
    at [1.0] value FRAC_PI_2, grad [INF];
    at [-1.0] value -FRAC_PI_2, grad [INF];
    at [2.0] value NAN, grad [NAN];
    at [-0.0] value -0.0, grad [1.0];
}

prim! {
    acos(x) { x.acos() }
    sweep(-0.9..0.9)
    // acos' = -1/sqrt(1 - x²): -inf at ±1, NaN outside [-1, 1].
    at [1.0] value 0.0, grad [-INF];
    at [-1.0] value PI, grad [-INF];
    at [-2.0] value NAN, grad [NAN];
    at [0.0] value FRAC_PI_2, grad [-1.0];
}

prim! {
    atan(x) { x.atan() }
    sweep(-10.0..10.0)
    // atan' = 1/(1 + x²): 0 at ±inf (the limit).
    at [INF] value FRAC_PI_2, grad [0.0];
    at [-INF] value -FRAC_PI_2, grad [0.0];
    at [0.0] value 0.0, grad [1.0];
    at [NAN] value NAN, grad [NAN];
}

prim! {
    atan2(y, x) { y.atan2(x) }
    sweep(-10.0..10.0, -10.0..10.0)
    // Partials (x/r², -y/r²); (0, 0) at the origin, where atan2 jumps.
    at [0.0, 0.0] value 0.0, grad [0.0, 0.0];
    at [0.0, -0.0] value PI, grad [0.0, 0.0]; // atan2(+0, -0) = +pi (IEEE)
    at [-0.0, -0.0] value -PI, grad [0.0, 0.0];
    // On the branch cut (y = ±0, x < 0) the value follows the sign of y; the partials are the
    // formula's, the same from both sides: (x/x², -0) = (-1, 0).
    at [0.0, -1.0] value PI, grad [-1.0, 0.0];
    at [-0.0, -1.0] value -PI, grad [-1.0, 0.0];
    at [-0.0, 1.0] value -0.0, grad [1.0, 0.0];
    // An infinite argument: the formula gives inf/inf = NaN.
    at [1.0, INF] value 0.0, grad [NAN, 0.0];
    at [INF, INF] value FRAC_PI_4, grad [NAN, NAN];
    at [NAN, 1.0] value NAN, grad [NAN, NAN];
}

prim! {
    hypot(x, y) { x.hypot(y) }
    sweep(-10.0..10.0, -10.0..10.0)
    // Partials (x/h, y/h); (0, 0) at the origin, where hypot has a cone's kink.
    at [0.0, 0.0] value 0.0, grad [0.0, 0.0];
    at [-0.0, 0.0] value 0.0, grad [0.0, 0.0];
    at [0.0, 5.0] value 5.0, grad [0.0, 1.0];
    at [-3.0, 4.0] value 5.0, grad [-3.0 / 5.0, 4.0 / 5.0];
    // An infinite argument: hypot is +inf (IEEE, even with a NaN), and x/h is inf/inf = NaN.
    at [INF, 1.0] value INF, grad [NAN, 0.0];
    at [INF, NAN] value INF, grad [NAN, NAN];
    // Overflow: h = +inf, so x/h = 0.
    at [MAX, MAX] value INF, grad [0.0, 0.0];
}

// ===== hyperbolic =============================================================================

prim! {
    sinh(x) { x.sinh() }
    sweep(-5.0..5.0)
    // sinh' = cosh: +inf where cosh overflows.
    at [1000.0] value INF, grad [INF];
    at [-1000.0] value -INF, grad [INF];
    at [-0.0] value -0.0, grad [1.0];
    at [INF] value INF, grad [INF];
}

prim! {
    cosh(x) { x.cosh() }
    sweep(-5.0..5.0)
    // cosh' = sinh: ±inf where sinh overflows.
    at [1000.0] value INF, grad [INF];
    at [-1000.0] value INF, grad [-INF];
    at [0.0] value 1.0, grad [0.0];
    at [-0.0] value 1.0, grad [0.0]; // sinh(-0) = -0, summed to +0
}

prim! {
    tanh(x) { x.tanh() }
    sweep(-1.0..1.0)
    // tanh' = 1 - tanh²: 0 at ±inf, and 0 once tanh rounds to ±1 (x = 20: the true slope,
    // 4 e^-40 ≈ 2e-17, is below half an ulp of 1, so tanh(20) = 1 in both types).
    at [INF] value 1.0, grad [0.0];
    at [-INF] value -1.0, grad [0.0];
    at [20.0] value 1.0, grad [0.0];
    at [0.0] value 0.0, grad [1.0];
}

prim! {
    asinh(x) { x.asinh() }
    sweep(-10.0..10.0)
    // asinh' = 1/sqrt(x² + 1) = 1/hypot(x, 1): 0 at ±inf, and no overflow of x² at huge x.
    at [0.0] value 0.0, grad [1.0];
    at [INF] value INF, grad [0.0];
    at [-INF] value -INF, grad [0.0];
    // x = 2^k with x² overflowing: hypot(x, 1) rounds to x, so the slope is 2^-k exactly.
    at [T::huge()] grad [1.0 / T::huge()];
}

prim! {
    acosh(x) { x.acosh() }
    sweep(1.01..10.0)
    // acosh' = 1/(sqrt(x - 1) sqrt(x + 1)): +inf at 1, NaN below 1.
    at [1.0] value 0.0, grad [INF];
    at [0.5] value NAN, grad [NAN];
    at [-2.0] value NAN, grad [NAN];
    at [INF] value INF, grad [0.0];
    // x = 2^k: x ± 1 round to x, so the slope is 1/(2^(k/2))² = 2^-k exactly.
    at [T::huge()] grad [1.0 / T::huge()];
}

prim! {
    atanh(x) { x.atanh() }
    sweep(-0.9..0.9)
    // atanh' = 1/(1 - x²): +inf at ±1 (from inside), NaN outside [-1, 1] (where the value is).
    at [1.0] value INF, grad [INF];
    at [-1.0] value -INF, grad [INF];
    at [2.0] value NAN, grad [NAN];
    at [-2.0] value NAN, grad [NAN];
    at [0.0] value 0.0, grad [1.0];
}

// ===== exponentials and logarithms ===========================================================

prim! {
    exp(x) { x.exp() }
    sweep(-10.0..10.0)
    // exp' = exp: overflow gives value and slope +inf; underflow gives 0 and 0.
    at [1000.0] value INF, grad [INF];
    at [INF] value INF, grad [INF];
    at [-1000.0] value 0.0, grad [0.0];
    at [-INF] value 0.0, grad [0.0];
    at [0.0] value 1.0, grad [1.0];
    at [NAN] value NAN, grad [NAN];
}

prim! {
    exp2(x) { x.exp2() }
    sweep(-10.0..10.0)
    // exp2' = 2^x ln 2: overflow gives +inf; 2^1 ln 2 is exact (a doubling).
    at [2000.0] value INF, grad [INF];
    at [-INF] value 0.0, grad [0.0];
    at [0.0] value 1.0, grad [LN_2];
    at [1.0] value 2.0, grad [2.0 * LN_2];
}

prim! {
    exp_m1(x) { x.exp_m1() }
    sweep(-10.0..10.0)
    // exp_m1' = exp.
    at [1000.0] value INF, grad [INF];
    at [-INF] value -1.0, grad [0.0];
    at [-0.0] value -0.0, grad [1.0];
}

prim! {
    ln(x) { x.ln() }
    sweep(0.01..100.0)
    // ln' = 1/x. ln(±0) = -inf (IEEE) and the slope is the limit from above, +inf, at both
    // zeros (-0 is the same point). Below 0 the value is NaN and so is the slope.
    at [0.0] value -INF, grad [INF];
    at [-0.0] value -INF, grad [INF];
    at [-1.0] value NAN, grad [NAN];
    at [-INF] value NAN, grad [NAN];
    at [INF] value INF, grad [0.0];
    at [1.0] value 0.0, grad [1.0];
    at [NAN] value NAN, grad [NAN];
}

prim! {
    log2(x) { x.log2() }
    sweep(0.01..100.0)
    // log2' = 1/(x ln 2): as ln.
    at [0.0] value -INF, grad [INF];
    at [-0.0] value -INF, grad [INF];
    at [-1.0] value NAN, grad [NAN];
    at [INF] value INF, grad [0.0];
    at [1.0] value 0.0, grad [1.0 / LN_2];
}

prim! {
    log10(x) { x.log10() }
    sweep(0.01..100.0)
    // log10' = 1/(x ln 10): as ln.
    at [0.0] value -INF, grad [INF];
    at [-0.0] value -INF, grad [INF];
    at [-1.0] value NAN, grad [NAN];
    at [INF] value INF, grad [0.0];
    at [1.0] value 0.0, grad [1.0 / LN_10];
}

prim! {
    log(x, base) { x.log(base) }
    sweep(0.01..100.0, 1.5..10.0)
    // Partials (1/(x ln b), -ln x/(b ln² b)). In x as ln: +inf/ln b at ±0, NaN below 0.
    at [0.0, 10.0] value -INF, grad [INF, INF]; // -ln 0 = +inf in the second
    at [-0.0, 10.0] value -INF, grad [INF, INF];
    at [0.0, 0.5] value INF, grad [-INF, INF]; // ln 0.5 < 0 turns the signs
    at [-1.0, 10.0] value NAN, grad [NAN, NAN];
    at [INF, 10.0] value INF, grad [0.0, -INF];
    // A base that is no base: negative (NaN), or 1 (ln 1 = 0: infinities from the formula).
    at [8.0, -2.0] value NAN, grad [NAN, NAN];
    at [8.0, 1.0] value INF, grad [INF, -INF];
}

prim! {
    ln_1p(x) { x.ln_1p() }
    sweep(-0.9..10.0)
    // ln_1p' = 1/(1 + x): +inf at -1 (1 + -1 = +0), NaN below -1.
    at [-1.0] value -INF, grad [INF];
    at [-2.0] value NAN, grad [NAN];
    at [INF] value INF, grad [0.0];
    at [-0.0] value -0.0, grad [1.0];
}

// ===== powers and roots =======================================================================

prim! {
    sqrt(x) { x.sqrt() }
    sweep(0.01..100.0)
    // sqrt' = 1/(2 sqrt x): +inf at both zeros (sqrt(-0) = -0 in IEEE, but -0 is the same
    // point as +0), NaN below 0, 0 at +inf.
    at [0.0] value 0.0, grad [INF];
    at [-0.0] value -0.0, grad [INF];
    at [-1.0] value NAN, grad [NAN];
    at [INF] value INF, grad [0.0];
    at [4.0] value 2.0, grad [0.25];
}

prim! {
    cbrt(x) { x.cbrt() }
    sweep(-100.0..100.0)
    // cbrt' = 1/(3 cbrt² x): +inf at both zeros, 0 at ±inf; defined below 0.
    at [0.0] value 0.0, grad [INF];
    at [-0.0] value -0.0, grad [INF];
    at [-8.0] value -2.0, grad [1.0 / 12.0];
    at [INF] value INF, grad [0.0];
    at [-INF] value -INF, grad [0.0];
}

prim! {
    recip(x) { x.recip() }
    sweep(0.1..10.0)
    // recip' = -1/x²: -inf at both zeros (from both sides).
    at [0.0] value INF, grad [-INF];
    at [-0.0] value -INF, grad [-INF];
    at [INF] value 0.0, grad [0.0]; // -0, summed to +0
    at [2.0] value 0.5, grad [-0.25];
}

prim! {
    powf(x, y) { x.powf(y) }
    sweep(0.1..4.0, -3.0..3.0)
    // Partials (y x^(y-1), x^y ln x).
    // Base 0, y >= 0: 0^y is constant in y, so the second is 0 (not 0 · -inf = NaN).
    at [0.0, 2.0] value 0.0, grad [0.0, 0.0]; // 2 · 0^1
    at [0.0, 1.0] value 0.0, grad [1.0, 0.0]; // 1 · 0^0
    at [0.0, 0.5] value 0.0, grad [INF, 0.0]; // 0.5 · 0^-0.5
    at [0.0, 0.0] value 1.0, grad [0.0, 0.0]; // y = 0: x^0 = 1 is constant in x
    // Base 0, y < 0: the value is +inf, and both partials are the formula's -inf.
    at [0.0, -1.0] value INF, grad [-INF, -INF]; // -1 · 0^-2; inf · ln 0
    // The signs of IEEE's pow(-0, odd negative integer) = -inf carry through the formula.
    at [-0.0, -1.0] value -INF, grad [-INF, INF];
    at [0.0, NAN] value NAN, grad [NAN, NAN];
    // y = 0: the first is 0, even where x^0 = 1 by IEEE convention (x = NaN).
    at [3.0, 0.0] value 1.0, grad [0.0, T::ln(3.0)];
    at [NAN, 0.0] value 1.0, grad [0.0, NAN];
    // 1^y = 1 for every y, even NaN (IEEE); its slope in x is y.
    at [1.0, NAN] value 1.0, grad [NAN, 0.0];
    // A negative base: NaN for a fractional exponent; for an integer one the value is real,
    // but x^y has no real values at nearby y, so the second partial is NaN (ln x).
    at [-8.0, 0.5] value NAN, grad [NAN, NAN];
    at [-2.0, 3.0] value -8.0, grad [12.0, NAN];
    // Overflow.
    at [10.0, 400.0] value INF, grad [INF, INF];
}

// ===== kinks and steps ========================================================================

prim! {
    abs(x) { x.abs() }
    sweep(-10.0..10.0)
    // abs' = sign x, and 0 at ±0 (the subgradient of least norm, as PyTorch and JAX).
    at [0.0] value 0.0, grad [0.0];
    at [-0.0] value 0.0, grad [0.0];
    at [MIN_POSITIVE] value MIN_POSITIVE, grad [1.0];
    at [-MIN_POSITIVE] value MIN_POSITIVE, grad [-1.0];
    at [-INF] value INF, grad [-1.0];
    at [NAN] value NAN, grad [NAN];
}

prim! {
    relu(x) { x.relu() }
    sweep(-10.0..10.0)
    // relu' = 1 for x > 0, else 0: relu'(0) = 0 (as PyTorch and JAX). relu(NaN) = 0 (it is
    // `if x > 0 { x } else { 0 }`), a constant, so its slope is 0.
    at [0.0] value 0.0, grad [0.0];
    at [-0.0] value 0.0, grad [0.0];
    at [MIN_POSITIVE] value MIN_POSITIVE, grad [1.0];
    at [INF] value INF, grad [1.0];
    at [-INF] value 0.0, grad [0.0];
    at [NAN] value 0.0, grad [0.0];
}

prim! {
    sigmoid(x) { x.sigmoid() }
    sweep(-1.0..1.0)
    // sigmoid' = s(1 - s): 0 at ±inf and once s rounds to 1 (x = 40: e^-40 ≈ 4e-18 is below
    // half an ulp of 1) or underflows to 0 (x = -1000: e^1000 overflows, s = 1/inf = 0).
    at [0.0] value 0.5, grad [0.25];
    at [INF] value 1.0, grad [0.0];
    at [-INF] value 0.0, grad [0.0];
    at [40.0] value 1.0, grad [0.0];
    at [-1000.0] value 0.0, grad [0.0];
    at [NAN] value NAN, grad [NAN];
}

prim! {
    signum(x) { x.signum() }
    sweep(-10.0..10.0)
    // Piecewise constant: the partial is 0 everywhere, at the jump, at infinities and at NaN.
    at [0.0] value 1.0, grad [0.0]; // Rust: signum(+0) = 1
    at [-0.0] value -1.0, grad [0.0];
    at [-INF] value -1.0, grad [0.0];
    at [NAN] value NAN, grad [0.0];
}

prim! {
    floor(x) { x.floor() }
    sweep(-10.0..10.0)
    // Piecewise constant: 0 everywhere, at the steps too.
    at [2.0] value 2.0, grad [0.0];
    at [-0.5] value -1.0, grad [0.0];
    at [INF] value INF, grad [0.0];
    at [NAN] value NAN, grad [0.0];
}

prim! {
    ceil(x) { x.ceil() }
    sweep(-10.0..10.0)
    at [2.0] value 2.0, grad [0.0];
    at [-0.5] value -0.0, grad [0.0]; // IEEE keeps the sign
    at [NAN] value NAN, grad [0.0];
}

prim! {
    round(x) { x.round() }
    sweep(-10.0..10.0)
    at [2.5] value 3.0, grad [0.0]; // halves away from zero
    at [-2.5] value -3.0, grad [0.0];
    at [-0.25] value -0.0, grad [0.0];
    at [NAN] value NAN, grad [0.0];
}

prim! {
    trunc(x) { x.trunc() }
    sweep(-10.0..10.0)
    at [-1.5] value -1.0, grad [0.0];
    at [-0.5] value -0.0, grad [0.0];
    at [NAN] value NAN, grad [0.0];
}

// ===== several arguments ======================================================================

prim! {
    mul_add(a, b, c) { a.mul_add(b, c) }
    sweep(-10.0..10.0, -10.0..10.0, -10.0..10.0)
    // Partials (b, a, 1) as they are.
    at [INF, 0.0, 1.0] value NAN, grad [0.0, INF, 1.0];
    // One rounding: MAX · 2 - MAX = MAX exactly, though MAX · 2 alone overflows.
    at [MAX, 2.0, -MAX] value MAX, grad [2.0, MAX, 1.0];
    at [NAN, 1.0, 1.0] value NAN, grad [1.0, NAN, 1.0];
}

prim! {
    max(a, b) { a.max(b) }
    sweep(-10.0..10.0, -10.0..10.0)
    // The gradient goes to the argument returned; a tie goes to the first; NaN is never
    // returned unless both are NaN (then the first gets it).
    at [2.0, 2.0] value 2.0, grad [1.0, 0.0];
    at [1.0, 2.0] value 2.0, grad [0.0, 1.0];
    at [INF, INF] value INF, grad [1.0, 0.0];
    at [NAN, 1.0] value 1.0, grad [0.0, 1.0];
    at [1.0, NAN] value 1.0, grad [1.0, 0.0];
    at [NAN, NAN] value NAN, grad [1.0, 0.0];
}

prim! {
    min(a, b) { a.min(b) }
    sweep(-10.0..10.0, -10.0..10.0)
    at [2.0, 2.0] value 2.0, grad [1.0, 0.0];
    at [1.0, 2.0] value 1.0, grad [1.0, 0.0];
    at [-INF, -INF] value -INF, grad [1.0, 0.0];
    at [NAN, 1.0] value 1.0, grad [0.0, 1.0];
    at [1.0, NAN] value 1.0, grad [1.0, 0.0];
    at [NAN, NAN] value NAN, grad [1.0, 0.0];
}

prim! {
    clamp(x, lo, hi) { x.clamp(lo, hi) }
    sweep(-3.0..3.0, -2.0..-0.5, 0.5..2.0)
    // The gradient goes to the bound returned when x is outside, and to x from the bounds in
    // (the bounds included, and lo == hi); a NaN x is returned, with the gradient.
    at [-2.0, -1.0, 1.0] value -1.0, grad [0.0, 1.0, 0.0];
    at [2.0, -1.0, 1.0] value 1.0, grad [0.0, 0.0, 1.0];
    at [-1.0, -1.0, 1.0] value -1.0, grad [1.0, 0.0, 0.0];
    at [1.0, -1.0, 1.0] value 1.0, grad [1.0, 0.0, 0.0];
    at [0.5, 0.5, 0.5] value 0.5, grad [1.0, 0.0, 0.0];
    at [INF, -1.0, 1.0] value 1.0, grad [0.0, 0.0, 1.0];
    at [NAN, -1.0, 1.0] value NAN, grad [1.0, 0.0, 0.0];
}

// ===== powi: an integer exponent ==============================================================

mod powi {
    use super::*;

    const NAMES: &[&str] = &["x"];

    #[differentiable]
    fn p64(x: f64, n: i32) -> f64 {
        x.powi(n)
    }

    #[differentiable]
    fn p32(x: f32, n: i32) -> f32 {
        x.powi(n)
    }

    /// `(x, n, value, d/dx)` rows for `powi`. Every value is a power of two, zero or infinite,
    /// so exact however `powi` is evaluated: in release builds rustc may fold `powi` with
    /// constant arguments to a result 1 ulp away from the run-time one, which cannot happen
    /// here.
    macro_rules! powi_rows {
        ($t:ident, $p:ident, $p_grad:ident, $tape:expr, $big_n:expr) => {{
            edge_consts!($t);
            let rows: &[(T, i32, T, T)] = &[
                // n = 0: x^0 = 1 is constant, so the partial is 0 everywhere, even at 0, inf
                // and NaN (0^0 = inf^0 = NaN^0 = 1).
                (0.0, 0, 1.0, 0.0),
                (INF, 0, 1.0, 0.0),
                (NAN, 0, 1.0, 0.0),
                // n x^(n-1) at 0: 1 · 0^0 = 1, 2 · 0 = 0.
                (0.0, 1, 0.0, 1.0),
                (0.0, 2, 0.0, 0.0),
                // Negative n at ±0: an infinite value, and n x^(n-1) with IEEE's signed zeros
                // picking the side (-1/x² → -inf from both sides; -2/x³ → ∓inf).
                (0.0, -1, INF, -INF),
                (-0.0, -1, -INF, -INF),
                (0.0, -2, INF, -INF),
                (-0.0, -2, INF, INF),
                // inf^-1 = 0; -1 · inf^-2 = -0, summed to +0.
                (INF, -1, 0.0, 0.0),
                // Overflow: 2^n and n 2^(n-1) are both infinite.
                (2.0, $big_n, INF, INF),
                // Ordinary: 2³ = 8, 3 · 2² = 12; (-2)³ = -8, 3 · (-2)² = 12.
                (2.0, 3, 8.0, 12.0),
                (-2.0, 3, -8.0, 12.0),
            ];
            for &(x, n, value, d) in rows {
                let what = format!("powi {} at ({x:?}, {n})", stringify!($t));
                let tape: Option<fn(T, i32) -> (T, Vec<T>)> = $tape;
                check_row(
                    Row {
                        what: &what,
                        value: Some(value),
                        grad: &[d],
                    },
                    Got {
                        plain: [$p(x, n), $p(black_box(x), black_box(n))],
                        compiled: [
                            $p_grad(x, n).parts(),
                            $p_grad(black_box(x), black_box(n)).parts(),
                        ],
                        tape: tape.map(|t| t(black_box(x), black_box(n))),
                    },
                );
            }
        }};
    }

    #[test]
    fn edges_f64() {
        // 2^1024 overflows f64.
        powi_rows!(
            f64,
            p64,
            p64_grad,
            Some(|x, n| tape_parts(&p64_graph(x, n), NAMES)),
            1024
        );
    }

    #[test]
    fn edges_f32() {
        // 2^128 overflows f32.
        powi_rows!(f32, p32, p32_grad, None, 128);
    }

    #[test]
    fn f32_matches_f64() {
        sweep((0.1..4.0, -4..=4), |(x, n): (f64, i32)| {
            let x = x as f32;
            SweepPoint {
                at: vec![f64::from(x), f64::from(n)],
                plain32: p32(x, n),
                compiled32: p32_grad(x, n).parts(),
                plain64: p64(f64::from(x), n),
                compiled64: p64_grad(f64::from(x), n).parts(),
                tape64: tape_parts(&p64_graph(f64::from(x), n), NAMES),
            }
        });
    }
}

// ===== edges that need more than a table row ==================================================

/// Negation and `abs` only touch the sign bit, and Rust guarantees that they keep a NaN's
/// payload: the compiled value has exactly the plain function's bits.
#[test]
fn nan_bits_of_neg_and_abs() {
    let nan = f64::from_bits(0x7ff8_0000_0000_0001); // a quiet NaN with payload 1
    let neg_nan = f64::from_bits(0xfff8_0000_0000_0001); // the same with the sign set
    assert_eq!(neg::m64::f(black_box(nan)).to_bits(), neg_nan.to_bits());
    assert_eq!(
        neg::m64::f_grad(black_box(nan)).0.to_bits(),
        neg_nan.to_bits()
    );
    assert_eq!(
        abs::m64::f_grad(black_box(neg_nan)).0.to_bits(),
        nan.to_bits()
    );
    let nan32 = f32::from_bits(0x7fc0_0001);
    let neg_nan32 = f32::from_bits(0xffc0_0001);
    assert_eq!(
        neg::m32::f_grad(black_box(nan32)).0.to_bits(),
        neg_nan32.to_bits()
    );
    assert_eq!(
        abs::m32::f_grad(black_box(neg_nan32)).0.to_bits(),
        nan32.to_bits()
    );
    // Their partials: -1, and NaN for abs (the sign of NaN is unknown).
    assert_eq!(neg::m64::f_grad(black_box(nan)).1, -1.0);
    assert!(abs::m64::f_grad(black_box(neg_nan)).1.is_nan());
}

/// `max(+0, -0)` and `min` of two zeros: Rust may return either zero (IEEE's maxNum does not
/// order them), so only `== 0` is asserted of the value; `+0 >= -0` is a tie, and the gradient
/// goes to the first argument, as in every tie.
#[test]
fn max_and_min_of_two_zeros() {
    for (a, b) in [(0.0, -0.0), (-0.0, 0.0)] {
        for (what, got, tape) in [
            (
                "max",
                max::m64::f_grad(black_box(a), black_box(b)).parts(),
                tape_parts(&max::m64::f_graph(black_box(a), black_box(b)), &["a", "b"]),
            ),
            (
                "min",
                min::m64::f_grad(black_box(a), black_box(b)).parts(),
                tape_parts(&min::m64::f_graph(black_box(a), black_box(b)), &["a", "b"]),
            ),
        ] {
            assert_eq!(got.0, 0.0, "{what}({a:?}, {b:?})");
            assert!(
                all_same(&got.1, &[1.0, 0.0]),
                "{what}({a:?}, {b:?}): {got:?}"
            );
            assert!(all_same(&tape.1, &[1.0, 0.0]), "{what}({a:?}, {b:?}) tape");
        }
        let (v, d) = max::m32::f_grad(black_box(a as f32), black_box(b as f32)).parts();
        assert_eq!((v, d), (0.0, vec![1.0, 0.0]));
    }
}

/// `atan2` near the origin: at `(y, x) = (t, t)` the partials are `x / (x² + y²) = 1/(2t)` and
/// `-1/(2t)`, huge but finite, even where `x² + y²` underflows to 0 (`t = 2^-600` in `f64`,
/// `2^-100` in `f32`); only the origin itself gets `(0, 0)`. Far out, at `t = 2^600`
/// (`2^100`), where `x² + y²` overflows, they are `±1/(2t)`, tiny but not 0.
#[test]
fn atan2_near_the_origin_and_far_out() {
    fn close(got: f64, want: f64, eps: f64) -> bool {
        (got - want).abs() <= 4.0 * eps * want.abs()
    }
    let h64 = f64::huge();
    for t in [1.0 / h64, h64] {
        let (v, dy, dx) = atan2::m64::f_grad(black_box(t), black_box(t));
        assert_eq!(
            v.to_bits(),
            atan2::m64::f(black_box(t), black_box(t)).to_bits()
        );
        // 1/(2t) is a power of two, exact; the rule rounds a few times on the way.
        let want = 0.5 / t;
        assert!(
            close(dy, want, f64::EPSILON),
            "atan2 f64 d/dy at t = {t:e}: {dy:e}"
        );
        assert!(
            close(dx, -want, f64::EPSILON),
            "atan2 f64 d/dx at t = {t:e}: {dx:e}"
        );
        let (_, tape) = tape_parts(
            &atan2::m64::f_graph(black_box(t), black_box(t)),
            &["y", "x"],
        );
        assert!(all_same(&tape, &[dy, dx]), "atan2 f64 tape at t = {t:e}");
    }
    let h32 = f32::huge();
    for t in [1.0 / h32, h32] {
        let (v, dy, dx) = atan2::m32::f_grad(black_box(t), black_box(t));
        assert_eq!(
            v.to_bits(),
            atan2::m32::f(black_box(t), black_box(t)).to_bits()
        );
        let want = f64::from(0.5 / t);
        let eps = f64::from(f32::EPSILON);
        assert!(
            close(f64::from(dy), want, eps),
            "atan2 f32 d/dy at t = {t:e}: {dy:e}"
        );
        assert!(
            close(f64::from(dx), -want, eps),
            "atan2 f32 d/dx at t = {t:e}: {dx:e}"
        );
    }
}

/// `clamp` with `lo > hi` or a NaN bound panics, in `_grad` as in the plain function.
#[test]
fn clamp_with_bad_bounds_panics_like_the_plain_function() {
    use std::panic::catch_unwind;
    for (lo, hi) in [(1.0, -1.0), (f64::NAN, 1.0), (-1.0, f64::NAN)] {
        let plain = catch_unwind(|| clamp::m64::f(black_box(0.0), black_box(lo), black_box(hi)));
        let grad =
            catch_unwind(|| clamp::m64::f_grad(black_box(0.0), black_box(lo), black_box(hi)));
        assert!(plain.is_err(), "plain clamp(0, {lo}, {hi}) returned");
        assert!(grad.is_err(), "clamp_grad(0, {lo}, {hi}) returned");
    }
}

// ===== a partial meets a zero adjoint =========================================================

#[differentiable]
fn sqrt_or_one(x: f64) -> f64 {
    x.sqrt().max(1.0)
}

#[differentiable]
fn guarded_sqrt(x: f64) -> f64 {
    x.max(1.0).sqrt()
}

#[differentiable]
fn branched_sqrt(x: f64) -> f64 {
    if x > 0.0 {
        x.sqrt()
    } else {
        1.0
    }
}

/// The caveat in the rules' documentation: gradients are sums of products, so an infinite
/// partial that meets a zero adjoint gives `0 · inf = NaN`. At `x = 0`, `max` returns the
/// constant 1 and sends `sqrt(x)` an adjoint of 0, but `sqrt'(0) = +inf`. Guarding the argument
/// instead, or branching, gives the gradient 0.
#[test]
fn an_infinite_partial_times_a_zero_adjoint_is_nan() {
    let (v, d) = sqrt_or_one_grad(black_box(0.0));
    assert_eq!((v, sqrt_or_one(black_box(0.0))), (1.0, 1.0));
    assert!(d.is_nan(), "{d}");
    let (_, tape) = tape_parts(&sqrt_or_one_graph(black_box(0.0)), &["x"]);
    assert!(tape[0].is_nan(), "{tape:?}");
    assert_eq!(guarded_sqrt(black_box(0.0)), 1.0);
    assert_eq!(guarded_sqrt_grad(black_box(0.0)), (1.0, 0.0));
    assert_eq!(branched_sqrt(black_box(0.0)), 1.0);
    assert_eq!(branched_sqrt_grad(black_box(0.0)), (1.0, 0.0));
}
