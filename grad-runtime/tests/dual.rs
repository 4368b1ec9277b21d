//! `Dual` numbers: every `Float` method's value is the plain float's bit for bit and its tangent
//! is the rule's partial and agrees with central differences; the operators, `Sum`/`Product`,
//! generic functions (directional derivatives), Hessian-vector products through a gradient,
//! the recycled buffers, `Differentiable`.

use grad_runtime::stack::{Scratch, Tape};
use grad_runtime::{rules, Differentiable, Dual, Float, Real};

type D = Dual<f64>;

/// Central difference of `g` at `t = 0`, with a step scaled to `scale`.
fn central(g: impl Fn(f64) -> f64, scale: f64) -> f64 {
    let h = 1e-6 * scale.abs().max(1.0);
    (g(h) - g(-h)) / (2.0 * h)
}

/// `got` agrees with the finite difference `want` to a relative tolerance.
#[track_caller]
fn assert_fd(what: &str, got: f64, want: f64) {
    let tol = 1e-6 * want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tol,
        "{what}: tangent {got:e}, central difference {want:e}"
    );
}

/// The same bits (NaN-aware through `to_bits`).
#[track_caller]
fn assert_bits(what: &str, got: f64, want: f64) {
    assert_eq!(got.to_bits(), want.to_bits(), "{what}: {got:e} vs {want:e}");
}

/// One-argument methods: the dual method, the plain method, the rule, points inside the
/// domain (away from kinks).
type Unary = (
    &'static str,
    fn(D) -> D,
    fn(f64) -> f64,
    fn(f64) -> (f64, f64),
    &'static [f64],
);

const UNARY: &[Unary] = &[
    ("sin", D::sin, f64::sin, rules::sin, &[-2.0, 0.0, 0.7, 3.0]),
    ("cos", D::cos, f64::cos, rules::cos, &[-2.0, 0.0, 0.7, 3.0]),
    ("tan", D::tan, f64::tan, rules::tan, &[-1.0, 0.0, 0.7]),
    ("asin", D::asin, f64::asin, rules::asin, &[-0.9, 0.0, 0.5]),
    ("acos", D::acos, f64::acos, rules::acos, &[-0.9, 0.0, 0.5]),
    ("atan", D::atan, f64::atan, rules::atan, &[-3.0, 0.0, 0.5]),
    ("sinh", D::sinh, f64::sinh, rules::sinh, &[-2.0, 0.0, 1.5]),
    ("cosh", D::cosh, f64::cosh, rules::cosh, &[-2.0, 0.0, 1.5]),
    ("tanh", D::tanh, f64::tanh, rules::tanh, &[-2.0, 0.0, 1.5]),
    (
        "asinh",
        D::asinh,
        f64::asinh,
        rules::asinh,
        &[-2.0, 0.0, 1.5],
    ),
    ("acosh", D::acosh, f64::acosh, rules::acosh, &[1.5, 3.0]),
    (
        "atanh",
        D::atanh,
        f64::atanh,
        rules::atanh,
        &[-0.5, 0.0, 0.9],
    ),
    ("exp", D::exp, f64::exp, rules::exp, &[-2.0, 0.0, 1.5]),
    ("exp2", D::exp2, f64::exp2, rules::exp2, &[-2.0, 0.0, 1.5]),
    (
        "exp_m1",
        D::exp_m1,
        f64::exp_m1,
        rules::exp_m1,
        &[-2.0, 0.0, 1.5],
    ),
    ("ln", D::ln, f64::ln, rules::ln, &[0.1, 1.0, 7.0]),
    ("log2", D::log2, f64::log2, rules::log2, &[0.1, 1.0, 7.0]),
    (
        "log10",
        D::log10,
        f64::log10,
        rules::log10,
        &[0.1, 1.0, 7.0],
    ),
    (
        "ln_1p",
        D::ln_1p,
        f64::ln_1p,
        rules::ln_1p,
        &[-0.5, 0.0, 7.0],
    ),
    ("sqrt", D::sqrt, f64::sqrt, rules::sqrt, &[0.1, 2.0, 9.0]),
    ("cbrt", D::cbrt, f64::cbrt, rules::cbrt, &[-8.0, 0.1, 2.0]),
    (
        "recip",
        D::recip,
        f64::recip,
        rules::recip,
        &[-3.0, 0.1, 2.0],
    ),
    ("abs", D::abs, f64::abs, rules::abs, &[-3.0, 0.1, 2.0]),
    (
        "signum",
        D::signum,
        f64::signum,
        rules::signum,
        &[-3.0, 0.1],
    ),
    (
        "floor",
        D::floor,
        f64::floor,
        rules::floor,
        &[-2.5, 0.3, 1.7],
    ),
    ("ceil", D::ceil, f64::ceil, rules::ceil, &[-2.5, 0.3, 1.7]),
    (
        "round",
        D::round,
        f64::round,
        rules::round,
        &[-2.3, 0.3, 1.7],
    ),
    (
        "trunc",
        D::trunc,
        f64::trunc,
        rules::trunc,
        &[-2.5, 0.3, 1.7],
    ),
    ("relu", D::relu, f64::relu, rules::relu, &[-2.0, 0.5, 3.0]),
    (
        "sigmoid",
        D::sigmoid,
        f64::sigmoid,
        rules::sigmoid,
        &[-2.0, 0.0, 3.0],
    ),
    ("neg", |x| -x, |x| -x, rules::neg, &[-2.0, 0.0, 3.0]),
    (
        "powi(3)",
        |x| x.powi(3),
        |x| x.powi(3),
        |x| rules::powi(x, 3),
        &[-2.0, 0.5, 3.0],
    ),
    (
        "powi(-2)",
        |x| x.powi(-2),
        |x| x.powi(-2),
        |x| rules::powi(x, -2),
        &[-2.0, 0.5],
    ),
    (
        "powi(0)",
        |x| x.powi(0),
        |x| x.powi(0),
        |x| rules::powi(x, 0),
        &[-2.0, 0.0, 0.5],
    ),
];

#[test]
fn unary_methods_value_bits_rule_and_central_differences() {
    for &(name, dual, plain, rule, points) in UNARY {
        for &x in points {
            for tangent in [1.0, -0.375] {
                let r = dual(Dual::new(x, tangent));
                let what = format!("{name}({x}) along {tangent}");
                assert_bits(&what, r.v, plain(x));
                let (value, partial) = rule(x);
                assert_bits(&what, r.v, value);
                assert_bits(&what, r.d, partial * tangent);
                assert_fd(&what, r.d, central(|t| plain(x + t * tangent), x));
            }
        }
    }
}

/// The same bits, or both NaN (a NaN's payload is the platform's).
#[track_caller]
fn assert_same(what: &str, got: f64, want: f64) {
    if !(got.is_nan() && want.is_nan()) {
        assert_bits(what, got, want);
    }
}

#[test]
fn unary_methods_at_edges_have_the_plain_value_and_the_rule_partial() {
    let edges = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e300,
        -800.0,
    ];
    for &(name, dual, plain, rule, _) in UNARY {
        for x in edges {
            let r = dual(Dual::new(x, 1.0));
            let what = format!("{name}({x:e})");
            assert_same(&what, r.v, plain(x));
            assert_same(&what, r.d, rule(x).1);
        }
    }
}

#[test]
fn unary_methods_in_f32_have_the_plain_values() {
    type E = Dual<f32>;
    type UnaryF32 = (&'static str, fn(E) -> E, fn(f32) -> f32);
    let cases: &[UnaryF32] = &[
        ("sin", E::sin, f32::sin),
        ("exp", E::exp, f32::exp),
        ("ln", E::ln, f32::ln),
        ("sqrt", E::sqrt, f32::sqrt),
        ("tanh", E::tanh, f32::tanh),
        ("sigmoid", E::sigmoid, f32::sigmoid),
        ("cbrt", E::cbrt, f32::cbrt),
        ("powi", |x| x.powi(5), |x| x.powi(5)),
    ];
    for &(name, dual, plain) in cases {
        for x in [0.3_f32, 1.7, 4.0] {
            let r = dual(Dual::new(x, 1.0));
            assert_eq!(r.v.to_bits(), plain(x).to_bits(), "{name}({x})");
            let want = central(|t| f64::from(plain((f64::from(x) + t) as f32)), 1e3);
            assert!(
                (f64::from(r.d) - want).abs() < 2e-2 * want.abs().max(1.0),
                "{name}({x}): {} vs {want}",
                r.d
            );
        }
    }
}

/// Two-argument methods and operators, with the rule's `(value, ∂a, ∂b)`.
type Binary = (
    &'static str,
    fn(D, D) -> D,
    fn(f64, f64) -> f64,
    fn(f64, f64) -> (f64, f64, f64),
    &'static [(f64, f64)],
);

const BINARY: &[Binary] = &[
    (
        "+",
        |a, b| a + b,
        |a, b| a + b,
        rules::add,
        &[(1.5, -2.25), (0.1, 0.2)],
    ),
    (
        "-",
        |a, b| a - b,
        |a, b| a - b,
        rules::sub,
        &[(1.5, -2.25), (0.1, 0.2)],
    ),
    (
        "*",
        |a, b| a * b,
        |a, b| a * b,
        rules::mul,
        &[(1.5, -2.25), (0.1, 0.2)],
    ),
    (
        "/",
        |a, b| a / b,
        |a, b| a / b,
        rules::div,
        &[(1.5, -2.25), (0.1, 0.2)],
    ),
    (
        "powf",
        D::powf,
        f64::powf,
        rules::powf,
        &[(1.5, -2.25), (0.3, 2.5), (2.0, 0.5)],
    ),
    (
        "log",
        D::log,
        f64::log,
        rules::log,
        &[(1.5, 3.0), (0.3, 10.0), (8.0, 2.0)],
    ),
    (
        "hypot",
        D::hypot,
        f64::hypot,
        rules::hypot,
        &[(1.5, -2.25), (3.0, 4.0)],
    ),
    (
        "atan2",
        D::atan2,
        f64::atan2,
        rules::atan2,
        &[(1.5, -2.25), (-1.0, 0.5), (0.3, 4.0)],
    ),
    (
        "max",
        D::max,
        f64::max,
        rules::max,
        &[(1.5, -2.25), (-1.0, 0.5)],
    ),
    (
        "min",
        D::min,
        f64::min,
        rules::min,
        &[(1.5, -2.25), (-1.0, 0.5)],
    ),
];

#[test]
fn binary_methods_and_operators_value_bits_rule_and_central_differences() {
    for &(name, dual, plain, rule, points) in BINARY {
        for &(a, b) in points {
            for (da, db) in [(1.0, 0.0), (0.0, 1.0), (0.3, -0.7)] {
                let r = dual(Dual::new(a, da), Dual::new(b, db));
                let what = format!("{name}({a}, {b}) along ({da}, {db})");
                let (value, pa, pb) = rule(a, b);
                assert_bits(&what, r.v, plain(a, b));
                assert_bits(&what, r.v, value);
                let want = central(|t| plain(a + t * da, b + t * db), a.abs().max(b.abs()));
                assert_fd(&what, r.d, want);
                assert!((r.d - (pa * da + pb * db)).abs() <= 1e-15 * r.d.abs().max(1.0));
            }
        }
    }
}

#[test]
fn ternary_methods_and_powi_value_bits_and_central_differences() {
    let (a, b, c) = (
        Dual::new(1.5, 0.3),
        Dual::new(-2.25, -0.7),
        Dual::new(0.5, 1.1),
    );
    let r = a.mul_add(b, c);
    let (value, pa, pb, pc) = rules::mul_add(1.5, -2.25, 0.5);
    assert_bits("mul_add", r.v, 1.5_f64.mul_add(-2.25, 0.5));
    assert_bits("mul_add", r.v, value);
    assert_eq!(r.d, pa * 0.3 + pb * -0.7 + pc * 1.1);
    let fd = central(
        |t| (1.5 + 0.3 * t).mul_add(-2.25 - 0.7 * t, 0.5 + 1.1 * t),
        2.0,
    );
    assert_fd("mul_add", r.d, fd);

    // clamp: the tangent of whichever argument the rule picks.
    let (lo, hi) = (Dual::new(-1.0, 5.0), Dual::new(1.0, 7.0));
    for (x, want) in [(0.5, 3.0), (-2.0, 5.0), (2.0, 7.0), (1.0, 3.0), (-1.0, 3.0)] {
        let r = Dual::new(x, 3.0).clamp(lo, hi);
        assert_bits("clamp", r.v, x.clamp(-1.0, 1.0));
        assert_eq!(r.d, want, "clamp({x}) picks the tangent the rule picks");
    }
}

#[test]
fn kinks_follow_the_rules() {
    // abs'(0) = 0; ties of max/min go to self; relu'(0) = 0.
    assert_eq!(Dual::new(0.0, 1.0).abs().d, 0.0);
    assert_eq!(Dual::new(2.0, 1.0).max(Dual::new(2.0, 5.0)).d, 1.0);
    assert_eq!(Dual::new(2.0, 1.0).min(Dual::new(2.0, 5.0)).d, 1.0);
    assert_eq!(Dual::new(0.0, 1.0).relu().d, 0.0);
    // A NaN argument: max returns the other, and so does the tangent.
    let r = Dual::new(f64::NAN, 1.0).max(Dual::new(3.0, 4.0));
    assert_eq!((r.v, r.d), (3.0, 4.0));
}

#[test]
fn strong_zeros_keep_constants_constant() {
    // sqrt'(0) = inf meets a zero tangent: the constant stays a constant (not inf · 0 = NaN).
    let r = Dual::constant(0.0_f64).sqrt();
    assert_eq!((r.v, r.d), (0.0, 0.0));
    // The argument max does not use cannot leak its NaN tangent.
    let r = Dual::new(3.0, 2.0).max(Dual::new(1.0, f64::NAN));
    assert_eq!((r.v, r.d), (3.0, 2.0));
    // A step has slope 0 even for an infinite tangent.
    assert_eq!(Dual::new(1.5, f64::INFINITY).floor().d, 0.0);
    // A partial of NaN with a nonzero tangent is still NaN: only zeros are strong.
    assert!(Dual::new(-1.0, 1.0).sqrt().d.is_nan());
}

#[test]
fn products_by_constants_match_full_products() {
    // `mul_const` (what generated code uses for a literal factor) against the full product
    // by a constant dual: the same value bits, the same tangent up to the sign of a zero,
    // and the same strong zeros where the constant is zero or not finite.
    let xs = [
        Dual::new(1.5, -0.25),
        Dual::new(-2.0, 0.0),
        Dual::new(0.0, f64::INFINITY),
        Dual::new(f64::INFINITY, 1.0),
        Dual::new(3.0, f64::NAN),
        Dual::new(-0.0, -0.0),
    ];
    let cs = [2.0, -0.5, 0.0, -0.0, f64::INFINITY, 1e-300];
    for x in xs {
        for c in cs {
            let (k, full) = (Dual::constant(c), x * Dual::constant(c));
            let scaled = Float::mul_const(x, k);
            assert_eq!(scaled.v.to_bits(), full.v.to_bits(), "{x:?} * {c}");
            let same = scaled.d == full.d || (scaled.d.is_nan() && full.d.is_nan());
            assert!(same, "{x:?} * {c}: {} against {}", scaled.d, full.d);
        }
    }
    // Zero times an infinite or NaN tangent contributes nothing.
    assert_eq!(
        Float::mul_const(Dual::new(2.0, f64::INFINITY), Dual::constant(0.0)).d,
        0.0
    );
    assert_eq!(
        Float::mul_const(Dual::new(2.0, f64::NAN), Dual::constant(-0.0)).d,
        0.0
    );
}

/// An operator and its compound assignment.
type BinaryOp = fn(D, D) -> D;
type AssignOp = fn(&mut D, D);
/// A plain two-argument function.
type PlainBinary = fn(f64, f64) -> f64;

#[test]
fn remainder_and_compound_assignments() {
    let (a, b) = (Dual::new(7.5, 0.3), Dual::new(2.0, -0.7));
    let r = a % b;
    assert_bits("%", r.v, 7.5 % 2.0);
    assert_fd(
        "%",
        r.d,
        central(|t| (7.5 + 0.3 * t) % (2.0 - 0.7 * t), 1.0),
    );
    assert_eq!(r.d, 0.3 - 3.0 * -0.7);

    let ops: [(BinaryOp, AssignOp); 5] = [
        (|a, b| a + b, |a, b| *a += b),
        (|a, b| a - b, |a, b| *a -= b),
        (|a, b| a * b, |a, b| *a *= b),
        (|a, b| a / b, |a, b| *a /= b),
        (|a, b| a % b, |a, b| *a %= b),
    ];
    for (op, assign) in ops {
        let mut x = a;
        assign(&mut x, b);
        let want = op(a, b);
        assert_eq!(
            (x.v.to_bits(), x.d.to_bits()),
            (want.v.to_bits(), want.d.to_bits())
        );
    }
}

#[test]
fn sum_and_product_match_the_plain_floats() {
    let xs = [
        Dual::new(0.1, 1.0),
        Dual::new(0.2, -2.0),
        Dual::new(-0.3, 0.5),
    ];
    let vs = xs.map(|x| x.v);
    let s: D = xs.iter().sum();
    let s_owned: D = xs.into_iter().sum();
    assert_bits("sum", s.v, vs.iter().sum());
    assert_bits("sum", s_owned.v, s.v);
    assert_eq!(s.d, 1.0 - 2.0 + 0.5);
    let p: D = xs.iter().product();
    let p_owned: D = xs.into_iter().product();
    assert_bits("product", p.v, vs.iter().product());
    assert_bits("product", p_owned.v, p.v);
    let g = |t: f64| (0.1 + t) * (0.2 - 2.0 * t) * (-0.3 + 0.5 * t);
    assert_fd("product", p.d, central(g, 1.0));

    // Empty and all-negative-zero sums are -0.0 as for f64; the empty product is 1.
    let empty: D = [].iter().sum();
    assert_bits("empty sum", empty.v, [0.0_f64; 0].iter().sum());
    let neg: D = [Dual::new(-0.0, -0.0)].iter().sum();
    assert_bits("sum of -0", neg.v, [-0.0_f64].iter().sum());
    assert_bits("sum of -0", neg.d, -0.0);
    let one: D = [].iter().product();
    assert_eq!((one.v, one.d), (1.0, 0.0));
}

#[test]
fn constants_conversions_comparisons_and_display() {
    for x in [
        Dual::new(1.5, -0.0),
        Dual::new(-0.0, 0.0),
        Dual::new(-0.0, -0.0),
    ] {
        let y = D::NEG_ZERO + x;
        assert_eq!(
            (y.v.to_bits(), y.d.to_bits()),
            (x.v.to_bits(), x.d.to_bits())
        );
    }
    for (c, v) in [
        (D::ZERO, 0.0),
        (D::ONE, 1.0),
        (D::LN_2, core::f64::consts::LN_2),
        (D::LN_10, core::f64::consts::LN_10),
        (D::INFINITY, f64::INFINITY),
        (D::from_f64(0.25), 0.25),
        (D::from_i32(-7), -7.0),
    ] {
        assert_eq!((c.v, c.d), (v, 0.0));
    }
    assert!(D::NAN.is_nan() && D::NAN.d == 0.0);
    assert_eq!(Dual::<f32>::from_f64(0.1).v, 0.1_f32);
    assert_eq!(Dual::new(0.1_f32, 3.0).to_f64(), f64::from(0.1_f32));
    assert_eq!(D::from(2.5), Dual::constant(2.5));
    assert_eq!(D::default().v.to_bits(), 0);

    // Values only: the tangents do not take part.
    assert_eq!(Dual::new(1.0, 2.0), Dual::new(1.0, 3.0));
    assert!(Dual::new(1.0, 9.0) < Dual::new(2.0, -9.0));
    assert!(Dual::new(f64::NAN, 0.0) != Dual::new(f64::NAN, 0.0));

    assert_eq!(Dual::new(1.5, -2.0).to_string(), "1.5 + -2ε");
    assert_eq!(format!("{:.2}", Dual::new(1.0, 0.5)), "1.00 + 0.50ε");
    assert_eq!(
        format!("{:?}", Dual::new(1.0, 0.5)),
        "Dual { v: 1.0, d: 0.5 }"
    );
}

fn f1<T: Real>(x: T, y: T) -> T {
    (x * y).exp() + x.powi(3).max(y) - (x / y).sigmoid()
}

fn f2<T: Real>(x: T, y: T) -> T {
    let mut s = T::ZERO;
    for k in 1..4 {
        s += (x * T::from_i32(k)).sin() * y.powi(k);
    }
    s.hypot(y) + (x - y).relu() + x.atan2(y).tanh()
}

fn f3<T: Real>(x: T, y: T) -> T {
    let v = [x, y, x * y];
    let s: T = v.iter().sum();
    let p: T = v.iter().product();
    (s * s + T::ONE).ln() * p.abs().sqrt() + x.clamp(T::from_f64(0.1), T::ONE).powf(y)
}

#[test]
fn generic_functions_give_directional_derivatives() {
    let fs: [(&str, BinaryOp, PlainBinary); 3] = [("f1", f1, f1), ("f2", f2, f2), ("f3", f3, f3)];
    for (name, dual, plain) in fs {
        for (x, y) in [(0.5, 2.0), (1.2, 0.7), (0.3, 1.9), (-0.4, 1.3)] {
            for (dx, dy) in [(1.0, 0.0), (0.0, 1.0), (0.6, -0.8)] {
                let r = dual(Dual::new(x, dx), Dual::new(y, dy));
                let what = format!("{name}({x}, {y}) along ({dx}, {dy})");
                assert_bits(&what, r.v, plain(x, y));
                assert_fd(&what, r.d, central(|t| plain(x + t * dx, y + t * dy), 1.0));
            }
        }
    }
}

/// A hand-written gradient of `f(x, y) = x² y + exp(x y) + sin y`.
fn grad_f<T: Real>(x: T, y: T) -> [T; 2] {
    let e = (x * y).exp();
    [T::from_f64(2.0) * x * y + y * e, x * x + x * e + y.cos()]
}

#[test]
fn a_gradient_at_duals_gives_hessian_vector_products() {
    let (x, y) = (0.7, -0.4);
    for (vx, vy) in [(1.0, 0.0), (0.0, 1.0), (0.3, 0.9)] {
        let g = grad_f(Dual::new(x, vx), Dual::new(y, vy));
        let plain = grad_f(x, y);
        for i in 0..2 {
            assert_bits("gradient", g[i].v, plain[i]);
            let fd = central(|t| grad_f(x + t * vx, y + t * vy)[i], 1.0);
            assert_fd(&format!("(H v)[{i}] along ({vx}, {vy})"), g[i].d, fd);
        }
    }
}

#[test]
fn nested_duals_give_second_derivatives() {
    // x ↦ x³ sin x at x = 0.8: the inner tangent is f', the outer one f' too, and the
    // tangent of the tangent is f''.
    type DD = Dual<Dual<f64>>;
    let x0 = 0.8_f64;
    let x = DD::new(Dual::new(x0, 1.0), Dual::new(1.0, 0.0));
    let r = x.powi(3) * x.sin();
    assert_bits("value", r.v.v, x0.powi(3) * x0.sin());
    let f1 = 3.0 * x0 * x0 * x0.sin() + x0.powi(3) * x0.cos();
    let f2 = 6.0 * x0 * x0.sin() + 6.0 * x0 * x0 * x0.cos() - x0.powi(3) * x0.sin();
    assert!((r.v.d - f1).abs() < 1e-14 && (r.d.v - f1).abs() < 1e-14);
    assert!((r.d.d - f2).abs() < 1e-13, "{} vs {f2}", r.d.d);
    let s: DD = [x, x].iter().sum();
    assert_eq!(s.d.v, 2.0);
    assert_eq!(x.sigmoid().v.v, x0.sigmoid());
}

#[test]
fn tapes_and_scratch_buffers_of_duals_are_recycled() {
    let mut t = Tape::<D>::take();
    for i in 0..100 {
        t.push(Dual::new(f64::from(i), -f64::from(i)));
    }
    let top = t.pop();
    assert_eq!((top.v, top.d), (99.0, -99.0));
    drop(t);

    let mut s = Scratch::<D>::zeroed(10);
    assert!(s.iter().all(|x| x.v == 0.0 && x.d == 0.0) && s.len() == 10);
    s.as_mut_slice()[3] = Dual::new(1.0, 2.0);
    let ptr = s.as_ptr();
    drop(s);
    let s = Scratch::<D>::zeroed(5);
    assert_eq!(s.as_ptr(), ptr, "the buffer is recycled");
    assert!(s.iter().all(|x| x.v == 0.0 && x.d == 0.0) && s.len() == 5);
    drop(s);

    // f32 duals and nested duals have pools of their own.
    let s = Scratch::<Dual<f32>>::zeroed(4);
    let ptr32 = s.as_ptr();
    drop(s);
    assert_eq!(Scratch::<Dual<f32>>::zeroed(2).as_ptr(), ptr32);
    let s = Scratch::<Dual<D>>::zeroed(4);
    assert!(s.iter().all(|x| x.v.v == 0.0 && x.d.d == 0.0));
    let ptr_nested = s.as_ptr();
    drop(s);
    assert_eq!(Scratch::<Dual<D>>::zeroed(3).as_ptr(), ptr_nested);
    let mut t = Tape::<Dual<D>>::take();
    t.push(Dual::constant(Dual::new(1.0, 2.0)));
    assert_eq!(t.pop().v.d, 2.0);
}

#[test]
fn duals_are_differentiable_floats() {
    let mut x = Dual::new(1.5, 0.5);
    let z = x.zero_like();
    assert_eq!((z.v, z.d), (0.0, 0.0));
    x.accumulate(&Dual::new(1.0, 2.0));
    assert_eq!((x.v, x.d), (2.5, 2.5));
    x.axpy(-2.0, &Dual::new(0.25, 0.5));
    assert_eq!((x.v, x.d), (2.0, 1.5));
    let mut flat = Vec::new();
    x.flatten(&mut flat);
    assert_eq!((flat, x.param_count()), (vec![2.0], 1));
    let mut values: &[f64] = &[7.0, 8.0];
    x.unflatten(&mut values);
    assert_eq!((x.v, x.d, values), (7.0, 1.5, &[8.0][..]));

    let mut y = Dual::new(1.0_f32, 1.0);
    y.axpy(0.1, &Dual::new(3.0, 3.0));
    assert_eq!(y.v, 1.0_f32 + 0.1_f32 * 3.0_f32);
    let params = vec![Dual::new(1.0, 2.0); 3];
    assert_eq!(params.param_count(), 3);
}
