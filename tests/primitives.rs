//! Every primitive the macro differentiates, each in its own `#[differentiable]` function, at
//! several points inside its domain: the gradient against central differences and against the
//! tape engine (the same method on `grad::tape::Value`), and the value bit for bit against the
//! plain function. Then `f32` versions of a handful, and the edge choices documented in
//! `grad-runtime/src/rules.rs`.

use grad::check::check_gradient;
use grad::prelude::*;
use grad::tape::Value;

mod common;
use common::{assert_close, tape};

const FD_TOL: f64 = 1e-6;
const TAPE_TOL: f64 = 1e-12;

/// Checks one point: value bit for bit against the plain function and against the tape; the
/// gradient against central differences and against the tape.
#[track_caller]
fn check_point(
    what: &str,
    x: &[f64],
    value: f64,
    grad: &[f64],
    plain: impl Fn(&[f64]) -> f64,
    on_tape: impl Fn(&[Value]) -> Value,
) {
    let what = format!("{what} at {x:?}");
    assert_eq!(
        value.to_bits(),
        plain(x).to_bits(),
        "{what}: value {value:e} differs from the plain function's {:e}",
        plain(x)
    );
    if let Err(e) = check_gradient(&plain, x, grad, FD_TOL) {
        panic!("{what}: {e} (gradient {grad:?})");
    }
    let (tv, tg) = tape(x, &on_tape);
    assert_eq!(value.to_bits(), tv.to_bits(), "{what}: value vs tape");
    for (i, (&g, &t)) in grad.iter().zip(&tg).enumerate() {
        assert_close(&format!("{what}: d[{i}] vs tape"), g, t, TAPE_TOL);
    }
}

#[track_caller]
fn check1(
    what: &str,
    grad: impl Fn(f64) -> (f64, f64),
    plain: impl Fn(f64) -> f64,
    on_tape: impl Fn(&Value) -> Value,
    points: &[f64],
) {
    for &x in points {
        let (v, d) = grad(x);
        check_point(what, &[x], v, &[d], |p| plain(p[0]), |t| on_tape(&t[0]));
    }
}

#[track_caller]
fn check2(
    what: &str,
    grad: impl Fn(f64, f64) -> (f64, f64, f64),
    plain: impl Fn(f64, f64) -> f64,
    on_tape: impl Fn(&Value, &Value) -> Value,
    points: &[(f64, f64)],
) {
    for &(a, b) in points {
        let (v, da, db) = grad(a, b);
        check_point(
            what,
            &[a, b],
            v,
            &[da, db],
            |p| plain(p[0], p[1]),
            |t| on_tape(&t[0], &t[1]),
        );
    }
}

#[track_caller]
fn check3(
    what: &str,
    grad: impl Fn(f64, f64, f64) -> (f64, f64, f64, f64),
    plain: impl Fn(f64, f64, f64) -> f64,
    on_tape: impl Fn(&Value, &Value, &Value) -> Value,
    points: &[(f64, f64, f64)],
) {
    for &(a, b, c) in points {
        let (v, da, db, dc) = grad(a, b, c);
        check_point(
            what,
            &[a, b, c],
            v,
            &[da, db, dc],
            |p| plain(p[0], p[1], p[2]),
            |t| on_tape(&t[0], &t[1], &t[2]),
        );
    }
}

// ===== one-argument methods =================================================================

#[differentiable]
fn m_sin(x: f64) -> f64 {
    x.sin()
}
#[differentiable]
fn m_cos(x: f64) -> f64 {
    x.cos()
}
#[differentiable]
fn m_tan(x: f64) -> f64 {
    x.tan()
}
#[differentiable]
fn m_asin(x: f64) -> f64 {
    x.asin()
}
#[differentiable]
fn m_acos(x: f64) -> f64 {
    x.acos()
}
#[differentiable]
fn m_atan(x: f64) -> f64 {
    x.atan()
}
#[differentiable]
fn m_sinh(x: f64) -> f64 {
    x.sinh()
}
#[differentiable]
fn m_cosh(x: f64) -> f64 {
    x.cosh()
}
#[differentiable]
fn m_tanh(x: f64) -> f64 {
    x.tanh()
}
#[differentiable]
fn m_asinh(x: f64) -> f64 {
    x.asinh()
}
#[differentiable]
fn m_acosh(x: f64) -> f64 {
    x.acosh()
}
#[differentiable]
fn m_atanh(x: f64) -> f64 {
    x.atanh()
}
#[differentiable]
fn m_exp(x: f64) -> f64 {
    x.exp()
}
#[differentiable]
fn m_exp2(x: f64) -> f64 {
    x.exp2()
}
#[differentiable]
fn m_exp_m1(x: f64) -> f64 {
    x.exp_m1()
}
#[differentiable]
fn m_ln(x: f64) -> f64 {
    x.ln()
}
#[differentiable]
fn m_log2(x: f64) -> f64 {
    x.log2()
}
#[differentiable]
fn m_log10(x: f64) -> f64 {
    x.log10()
}
#[differentiable]
fn m_ln_1p(x: f64) -> f64 {
    x.ln_1p()
}
#[differentiable]
fn m_sqrt(x: f64) -> f64 {
    x.sqrt()
}
#[differentiable]
fn m_cbrt(x: f64) -> f64 {
    x.cbrt()
}
#[differentiable]
fn m_recip(x: f64) -> f64 {
    x.recip()
}
#[differentiable]
fn m_abs(x: f64) -> f64 {
    x.abs()
}
#[differentiable]
fn m_signum(x: f64) -> f64 {
    x.signum()
}
#[differentiable]
fn m_floor(x: f64) -> f64 {
    x.floor()
}
#[differentiable]
fn m_ceil(x: f64) -> f64 {
    x.ceil()
}
#[differentiable]
fn m_round(x: f64) -> f64 {
    x.round()
}
#[differentiable]
fn m_trunc(x: f64) -> f64 {
    x.trunc()
}
#[differentiable(hessian)]
fn m_to_degrees(x: f64) -> f64 {
    x.to_degrees()
}
#[differentiable(hessian)]
fn m_to_radians(x: f64) -> f64 {
    x.to_radians()
}
#[differentiable]
fn m_relu(x: f64) -> f64 {
    x.relu()
}
#[differentiable]
fn m_sigmoid(x: f64) -> f64 {
    x.sigmoid()
}
#[differentiable]
fn m_neg(x: f64) -> f64 {
    -x
}

/// Each one-argument primitive: name, compiled gradient, plain function, tape method, points.
#[test]
fn unary_methods() {
    let trig = [-2.5, -0.3, 0.0, 0.7, 3.0];
    let inv_trig = [-0.9, -0.5, 0.0, 0.3, 0.8];
    let hyp = [-3.0, -0.5, 0.0, 0.8, 2.5];
    let expo = [-3.0, -0.5, 0.0, 1.0, 4.0];
    let logs = [0.1, 0.5, 1.0, 2.0, 50.0];
    let steps = [-2.7, -0.3, 0.4, 1.2, 3.7];
    let kink = [-2.0, -0.1, 0.1, 3.0];
    check1("sin", m_sin_grad, m_sin, Value::sin, &trig);
    check1("cos", m_cos_grad, m_cos, Value::cos, &trig);
    check1(
        "tan",
        m_tan_grad,
        m_tan,
        Value::tan,
        &[-1.2, -0.3, 0.0, 0.5, 1.3],
    );
    check1("asin", m_asin_grad, m_asin, Value::asin, &inv_trig);
    check1("acos", m_acos_grad, m_acos, Value::acos, &inv_trig);
    check1(
        "atan",
        m_atan_grad,
        m_atan,
        Value::atan,
        &[-4.0, -1.0, 0.0, 0.5, 10.0],
    );
    check1("sinh", m_sinh_grad, m_sinh, Value::sinh, &hyp);
    check1("cosh", m_cosh_grad, m_cosh, Value::cosh, &hyp);
    check1("tanh", m_tanh_grad, m_tanh, Value::tanh, &hyp);
    check1(
        "asinh",
        m_asinh_grad,
        m_asinh,
        Value::asinh,
        &[-5.0, -0.5, 0.0, 1.0, 20.0],
    );
    check1(
        "acosh",
        m_acosh_grad,
        m_acosh,
        Value::acosh,
        &[1.1, 1.5, 3.0, 10.0],
    );
    check1(
        "atanh",
        m_atanh_grad,
        m_atanh,
        Value::atanh,
        &[-0.8, -0.2, 0.0, 0.5, 0.9],
    );
    check1("exp", m_exp_grad, m_exp, Value::exp, &expo);
    check1("exp2", m_exp2_grad, m_exp2, Value::exp2, &expo);
    check1("exp_m1", m_exp_m1_grad, m_exp_m1, Value::exp_m1, &expo);
    check1("ln", m_ln_grad, m_ln, Value::ln, &logs);
    check1("log2", m_log2_grad, m_log2, Value::log2, &logs);
    check1("log10", m_log10_grad, m_log10, Value::log10, &logs);
    check1(
        "ln_1p",
        m_ln_1p_grad,
        m_ln_1p,
        Value::ln_1p,
        &[-0.5, -0.1, 0.0, 1.0, 10.0],
    );
    check1(
        "sqrt",
        m_sqrt_grad,
        m_sqrt,
        Value::sqrt,
        &[0.05, 0.5, 1.0, 4.0, 100.0],
    );
    check1(
        "cbrt",
        m_cbrt_grad,
        m_cbrt,
        Value::cbrt,
        &[-8.0, -0.5, 0.3, 1.0, 27.0],
    );
    check1(
        "recip",
        m_recip_grad,
        m_recip,
        Value::recip,
        &[-4.0, -0.5, 0.25, 1.0, 3.0],
    );
    check1("abs", m_abs_grad, m_abs, Value::abs, &kink);
    check1("signum", m_signum_grad, m_signum, Value::signum, &steps);
    check1("floor", m_floor_grad, m_floor, Value::floor, &steps);
    check1("ceil", m_ceil_grad, m_ceil, Value::ceil, &steps);
    check1("round", m_round_grad, m_round, Value::round, &steps);
    check1("trunc", m_trunc_grad, m_trunc, Value::trunc, &steps);
    check1(
        "to_degrees",
        m_to_degrees_grad,
        m_to_degrees,
        Value::to_degrees,
        &trig,
    );
    check1(
        "to_radians",
        m_to_radians_grad,
        m_to_radians,
        Value::to_radians,
        &[-270.0, -1.0, 0.0, 45.0, 720.0],
    );
    check1("relu", m_relu_grad, m_relu, Value::relu, &kink);
    check1("sigmoid", m_sigmoid_grad, m_sigmoid, Value::sigmoid, &expo);
    check1("neg", m_neg_grad, m_neg, |x| -x, &[-2.0, 0.0, 3.5]);
}

/// The piecewise-constant primitives have exactly zero derivative, not just a small one.
#[test]
fn piecewise_constant_methods_have_zero_derivative() {
    for x in [-2.7, -0.3, 0.4, 1.2, 3.7] {
        assert_eq!(m_signum_grad(x).1, 0.0);
        assert_eq!(m_floor_grad(x).1, 0.0);
        assert_eq!(m_ceil_grad(x).1, 0.0);
        assert_eq!(m_round_grad(x).1, 0.0);
        assert_eq!(m_trunc_grad(x).1, 0.0);
    }
}

// ----- the same primitives inside a little arithmetic (chain and product rule) --------------

/// `u = x s; u.m() * u + s`: the primitive's partial is multiplied into an adjoint that is not
/// `1`, and `u` is used twice, so its adjoint accumulates two contributions.
macro_rules! chained {
    ($($name:ident / $name_grad:ident: $m:ident;)*) => {
        $(
            #[differentiable]
            fn $name(x: f64, s: f64) -> f64 {
                let u = x * s;
                u.$m() * u + s
            }
        )*

        #[test]
        fn unary_methods_chained() {
            $(
                for &(x, s) in chained_points(stringify!($m)) {
                    check2(
                        concat!("chained ", stringify!($m)),
                        $name_grad,
                        $name,
                        |x, s| {
                            let u = x * s;
                            u.$m() * &u + s
                        },
                        &[(x, s)],
                    );
                }
            )*
        }
    };
}

/// Points `(x, s)` with `x s` inside the domain of the method named `m` and away from kinks.
fn chained_points(m: &str) -> &'static [(f64, f64)] {
    match m {
        "asin" | "acos" | "atanh" => &[(0.5, 0.8), (-0.6, 1.2), (0.25, -2.0)],
        "acosh" => &[(1.5, 1.1), (3.0, 0.9), (-2.0, -1.5)],
        "ln" | "log2" | "log10" | "sqrt" => &[(0.5, 0.8), (2.0, 1.5), (-3.0, -0.7)],
        "ln_1p" => &[(0.5, 0.8), (-0.3, 1.2), (2.0, 1.5)],
        "tan" => &[(0.5, 0.8), (-0.6, 1.2), (1.1, 1.1)],
        _ => &[(0.5, 0.8), (-0.6, 1.2), (2.1, 1.5), (-1.3, -0.7)],
    }
}

chained! {
    c_sin / c_sin_grad: sin;
    c_cos / c_cos_grad: cos;
    c_tan / c_tan_grad: tan;
    c_asin / c_asin_grad: asin;
    c_acos / c_acos_grad: acos;
    c_atan / c_atan_grad: atan;
    c_sinh / c_sinh_grad: sinh;
    c_cosh / c_cosh_grad: cosh;
    c_tanh / c_tanh_grad: tanh;
    c_asinh / c_asinh_grad: asinh;
    c_acosh / c_acosh_grad: acosh;
    c_atanh / c_atanh_grad: atanh;
    c_exp / c_exp_grad: exp;
    c_exp2 / c_exp2_grad: exp2;
    c_exp_m1 / c_exp_m1_grad: exp_m1;
    c_ln / c_ln_grad: ln;
    c_log2 / c_log2_grad: log2;
    c_log10 / c_log10_grad: log10;
    c_ln_1p / c_ln_1p_grad: ln_1p;
    c_sqrt / c_sqrt_grad: sqrt;
    c_cbrt / c_cbrt_grad: cbrt;
    c_recip / c_recip_grad: recip;
    c_abs / c_abs_grad: abs;
    c_signum / c_signum_grad: signum;
    c_floor / c_floor_grad: floor;
    c_ceil / c_ceil_grad: ceil;
    c_round / c_round_grad: round;
    c_trunc / c_trunc_grad: trunc;
    c_relu / c_relu_grad: relu;
    c_sigmoid / c_sigmoid_grad: sigmoid;
}

// ===== arithmetic ============================================================================

#[differentiable]
fn op_add(a: f64, b: f64) -> f64 {
    a + b
}
#[differentiable]
fn op_sub(a: f64, b: f64) -> f64 {
    a - b
}
#[differentiable]
fn op_mul(a: f64, b: f64) -> f64 {
    a * b
}
#[differentiable]
fn op_div(a: f64, b: f64) -> f64 {
    a / b
}
#[differentiable]
fn op_neg_product(a: f64, b: f64) -> f64 {
    -(a * b) + -a
}
// The same operand on both sides is the point here.
#[allow(clippy::eq_op)]
#[differentiable]
fn op_same_operand(a: f64, b: f64) -> f64 {
    a * a - b / b + a / a + (a - a) * b
}

#[test]
fn binary_operators() {
    let pts = [(2.0, 3.0), (-1.5, 0.25), (0.0, -4.0), (7.0, -0.5)];
    check2("a + b", op_add_grad, op_add, |a, b| a + b, &pts);
    check2("a - b", op_sub_grad, op_sub, |a, b| a - b, &pts);
    check2("a * b", op_mul_grad, op_mul, |a, b| a * b, &pts);
    check2("a / b", op_div_grad, op_div, |a, b| a / b, &pts);
    check2(
        "-(a b) + -a",
        op_neg_product_grad,
        op_neg_product,
        |a, b| -(a * b) + -a,
        &pts,
    );
    check2(
        "a a - b/b + a/a + (a - a) b",
        op_same_operand_grad,
        op_same_operand,
        |a, b| a * a - b / b + a / a + (a - a) * b,
        &[(2.0, 3.0), (-1.5, 0.25), (7.0, -0.5)],
    );
}

#[differentiable]
fn lit_add(x: f64) -> f64 {
    0.5 + x + 2.0
}
#[differentiable]
fn lit_sub(x: f64) -> f64 {
    2.5 - x - 1.0
}
#[differentiable]
fn lit_mul(x: f64) -> f64 {
    1.5 * x * 3.0
}
#[differentiable]
fn lit_div(x: f64) -> f64 {
    3.0 / x / 2.0
}
#[differentiable]
fn lit_neg(x: f64) -> f64 {
    -2.0 * -x - -1.0
}

#[test]
fn float_literals_on_either_side() {
    let pts = [-3.0, -0.5, 0.75, 4.0];
    check1(
        "0.5 + x + 2",
        lit_add_grad,
        lit_add,
        |x| 0.5 + x + 2.0,
        &pts,
    );
    check1(
        "2.5 - x - 1",
        lit_sub_grad,
        lit_sub,
        |x| 2.5 - x - 1.0,
        &pts,
    );
    check1("1.5 x 3", lit_mul_grad, lit_mul, |x| 1.5 * x * 3.0, &pts);
    check1("3 / x / 2", lit_div_grad, lit_div, |x| 3.0 / x / 2.0, &pts);
    check1(
        "-2 * -x - -1",
        lit_neg_grad,
        lit_neg,
        |x| -2.0 * -x - -1.0,
        &pts,
    );
    for x in pts {
        assert_eq!(lit_add_grad(x).1, 1.0);
        assert_eq!(lit_sub_grad(x).1, -1.0);
        assert_eq!(lit_mul_grad(x).1, 4.5);
        assert_eq!(lit_neg_grad(x).1, 2.0);
    }
}

// ===== powi ==================================================================================

#[differentiable]
fn m_powi(x: f64, n: i32) -> f64 {
    x.powi(n)
}
#[differentiable]
fn m_powi_3(x: f64) -> f64 {
    x.powi(3)
}
#[differentiable]
fn m_powi_0(x: f64) -> f64 {
    x.powi(0)
}
#[differentiable]
fn m_powi_neg2(x: f64) -> f64 {
    x.powi(-2)
}

#[test]
fn powi_with_many_exponents() {
    let pts = [-1.7, -0.5, 0.6, 1.3, 2.0];
    for n in [-3, -2, -1, 0, 1, 2, 3, 7] {
        check1(
            &format!("powi({n})"),
            |x| m_powi_grad(x, n),
            |x| m_powi(x, n),
            |x| x.powi(n),
            &pts,
        );
    }
    check1(
        "powi(3) literal",
        m_powi_3_grad,
        m_powi_3,
        |x| x.powi(3),
        &pts,
    );
    check1(
        "powi(0) literal",
        m_powi_0_grad,
        m_powi_0,
        |x| x.powi(0),
        &pts,
    );
    check1(
        "powi(-2) literal",
        m_powi_neg2_grad,
        m_powi_neg2,
        |x| x.powi(-2),
        &pts,
    );
    for x in pts {
        assert_eq!(m_powi_grad(x, 0), (1.0, 0.0));
        assert_eq!(m_powi_grad(x, 1), (x, 1.0));
        assert_eq!(m_powi_grad(x, 2).1, 2.0 * x);
    }
}

// ===== two-argument methods =================================================================

#[differentiable]
fn m_log(x: f64, base: f64) -> f64 {
    x.log(base)
}
#[differentiable]
fn m_log_3(x: f64) -> f64 {
    x.log(3.0)
}
#[differentiable]
fn m_powf(x: f64, y: f64) -> f64 {
    x.powf(y)
}
#[differentiable]
fn m_powf_2_5(x: f64) -> f64 {
    x.powf(2.5)
}
#[differentiable]
fn m_two_pow(x: f64) -> f64 {
    2.0_f64.powf(x)
}
#[differentiable]
fn m_hypot(x: f64, y: f64) -> f64 {
    x.hypot(y)
}
#[differentiable]
fn m_atan2(y: f64, x: f64) -> f64 {
    y.atan2(x)
}
#[differentiable]
fn m_max(a: f64, b: f64) -> f64 {
    a.max(b)
}
#[differentiable]
fn m_min(a: f64, b: f64) -> f64 {
    a.min(b)
}

#[test]
fn two_argument_methods() {
    check2(
        "log",
        m_log_grad,
        m_log,
        |x, b| x.log(b),
        &[(0.5, 2.0), (3.0, 10.0), (7.0, 0.5), (2.0, 3.5), (0.2, 1.5)],
    );
    check1(
        "log(3)",
        m_log_3_grad,
        m_log_3,
        |x| x.log(3.0),
        &[0.2, 1.0, 9.0],
    );
    check2(
        "powf",
        m_powf_grad,
        m_powf,
        |x, y| x.powf(y),
        &[(0.5, 2.3), (2.0, -1.5), (3.0, 0.5), (1.5, 3.0), (0.8, 0.0)],
    );
    check1(
        "powf(2.5)",
        m_powf_2_5_grad,
        m_powf_2_5,
        |x| x.powf(2.5),
        &[0.3, 1.0, 4.0],
    );
    check1(
        "2.powf(x)",
        m_two_pow_grad,
        m_two_pow,
        |x| Value::new(2.0).powf(x),
        &[-1.5, 0.0, 3.25],
    );
    check2(
        "hypot",
        m_hypot_grad,
        m_hypot,
        |x, y| x.hypot(y),
        &[(3.0, 4.0), (-1.0, 2.0), (0.5, -0.2), (0.0, 2.0)],
    );
    check2(
        "atan2",
        m_atan2_grad,
        m_atan2,
        |y, x| y.atan2(x),
        &[
            (1.0, 1.0),
            (-1.0, 0.5),
            (2.0, -3.0),
            (-0.5, -0.5),
            (0.0, 1.0),
        ],
    );
    let pairs = [(1.0, 2.0), (3.0, -1.0), (-2.0, -2.5), (0.5, 0.7)];
    check2("max", m_max_grad, m_max, |a, b| a.max(b), &pairs);
    check2("min", m_min_grad, m_min, |a, b| a.min(b), &pairs);
}

// ===== three-argument methods ===============================================================

#[differentiable]
fn m_mul_add(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}
#[differentiable]
fn m_clamp(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi)
}
#[differentiable]
fn m_clamp_literal(x: f64) -> f64 {
    x.clamp(-1.0, 1.0)
}

#[test]
fn three_argument_methods() {
    check3(
        "mul_add",
        m_mul_add_grad,
        m_mul_add,
        |a, b, c| a.mul_add(b, c),
        &[(2.0, 3.0, 4.0), (-1.5, 0.5, 2.0), (0.1, -7.0, 0.3)],
    );
    // Below, inside and above the interval: the gradient goes to lo, x and hi in turn.
    let pts = [
        (-2.0, -1.0, 1.0),
        (0.3, -1.0, 1.0),
        (5.0, -1.0, 1.0),
        (0.5, 0.2, 0.9),
    ];
    check3(
        "clamp",
        m_clamp_grad,
        m_clamp,
        |x, lo, hi| x.clamp(lo, hi),
        &pts,
    );
    assert_eq!(m_clamp_grad(-2.0, -1.0, 1.0), (-1.0, 0.0, 1.0, 0.0));
    assert_eq!(m_clamp_grad(0.3, -1.0, 1.0), (0.3, 1.0, 0.0, 0.0));
    assert_eq!(m_clamp_grad(5.0, -1.0, 1.0), (1.0, 0.0, 0.0, 1.0));
    check1(
        "clamp(-1, 1)",
        m_clamp_literal_grad,
        m_clamp_literal,
        |x| x.clamp(-1.0, 1.0),
        &[-3.0, -0.5, 0.5, 2.0],
    );
}

// ===== f32 ===================================================================================

#[differentiable]
fn f_sin(x: f32) -> f32 {
    x.sin()
}
#[differentiable]
fn f_exp(x: f32) -> f32 {
    x.exp()
}
#[differentiable]
fn f_ln(x: f32) -> f32 {
    x.ln()
}
#[differentiable]
fn f_sqrt(x: f32) -> f32 {
    x.sqrt()
}
#[differentiable]
fn f_tanh(x: f32) -> f32 {
    x.tanh()
}
#[differentiable]
fn f_sigmoid(x: f32) -> f32 {
    x.sigmoid()
}
#[differentiable]
fn f_powi(x: f32, n: i32) -> f32 {
    x.powi(n)
}
#[differentiable]
fn f_powf(x: f32, y: f32) -> f32 {
    x.powf(y)
}
#[differentiable]
fn f_atan2(y: f32, x: f32) -> f32 {
    y.atan2(x)
}
#[differentiable]
fn f_hypot(x: f32, y: f32) -> f32 {
    x.hypot(y)
}
#[differentiable]
fn f_div(a: f32, b: f32) -> f32 {
    a / b - 0.5 * b
}
#[differentiable]
fn f_clamp(x: f32, lo: f32, hi: f32) -> f32 {
    x.clamp(lo, hi)
}

/// `f32` within `f32` precision of the `f64` result.
#[track_caller]
fn assert_f32(what: &str, got: f32, want: f64) {
    assert_close(what, f64::from(got), want, 1e-5);
}

#[test]
fn f32_versions_match_f64() {
    for x in [0.3f32, 1.0, 2.5] {
        let xd = f64::from(x);
        let (v, d) = f_sin_grad(x);
        assert_eq!(v.to_bits(), f_sin(x).to_bits());
        assert_f32("f32 sin'", d, m_sin_grad(xd).1);
        let (v, d) = f_exp_grad(x);
        assert_eq!(v.to_bits(), f_exp(x).to_bits());
        assert_f32("f32 exp'", d, m_exp_grad(xd).1);
        let (v, d) = f_ln_grad(x);
        assert_eq!(v.to_bits(), f_ln(x).to_bits());
        assert_f32("f32 ln'", d, m_ln_grad(xd).1);
        let (v, d) = f_sqrt_grad(x);
        assert_eq!(v.to_bits(), f_sqrt(x).to_bits());
        assert_f32("f32 sqrt'", d, m_sqrt_grad(xd).1);
        let (v, d) = f_tanh_grad(x);
        assert_eq!(v.to_bits(), f_tanh(x).to_bits());
        assert_f32("f32 tanh'", d, m_tanh_grad(xd).1);
        let (v, d) = f_sigmoid_grad(x);
        assert_eq!(v.to_bits(), f_sigmoid(x).to_bits());
        assert_f32("f32 sigmoid'", d, m_sigmoid_grad(xd).1);
        for n in [-2, 0, 3] {
            let (v, d) = f_powi_grad(x, n);
            assert_eq!(v.to_bits(), f_powi(x, n).to_bits());
            assert_f32("f32 powi'", d, m_powi_grad(xd, n).1);
        }
        let y = 1.5f32;
        let yd = f64::from(y);
        let (v, dx, dy) = f_powf_grad(x, y);
        assert_eq!(v.to_bits(), f_powf(x, y).to_bits());
        let (_, ex, ey) = m_powf_grad(xd, yd);
        assert_f32("f32 powf dx", dx, ex);
        assert_f32("f32 powf dy", dy, ey);
        let (v, dy_, dx_) = f_atan2_grad(y, x);
        assert_eq!(v.to_bits(), f_atan2(y, x).to_bits());
        let (_, ey, ex) = m_atan2_grad(yd, xd);
        assert_f32("f32 atan2 dy", dy_, ey);
        assert_f32("f32 atan2 dx", dx_, ex);
        let (v, dx, dy) = f_hypot_grad(x, y);
        assert_eq!(v.to_bits(), f_hypot(x, y).to_bits());
        let (_, ex, ey) = m_hypot_grad(xd, yd);
        assert_f32("f32 hypot dx", dx, ex);
        assert_f32("f32 hypot dy", dy, ey);
        let (v, da, db) = f_div_grad(x, y);
        assert_eq!(v.to_bits(), f_div(x, y).to_bits());
        assert_f32("f32 div da", da, 1.0 / yd);
        assert_f32("f32 div db", db, -xd / (yd * yd) - 0.5);
        let (v, dx, dlo, dhi) = f_clamp_grad(x, 0.5, 2.0);
        assert_eq!(v.to_bits(), f_clamp(x, 0.5, 2.0).to_bits());
        let (_, ex, elo, ehi) = m_clamp_grad(xd, 0.5, 2.0);
        assert_eq!(
            (f64::from(dx), f64::from(dlo), f64::from(dhi)),
            (ex, elo, ehi)
        );
    }
}

// ===== documented edge choices (grad-runtime/src/rules.rs) =================================

/// Two results agree bit for bit (so `inf == inf` and a NaN matches a NaN of the same bits).
#[track_caller]
fn assert_same(what: &str, got: &[f64], want: &[f64]) {
    let g: Vec<u64> = got.iter().map(|x| x.to_bits()).collect();
    let w: Vec<u64> = want.iter().map(|x| x.to_bits()).collect();
    assert_eq!(g, w, "{what}: got {got:?}, want {want:?}");
}

/// The compiled gradient at an edge point equals the tape's (both use the same rule).
#[track_caller]
fn same_as_tape(what: &str, compiled: &[f64], xs: &[f64], f: impl Fn(&[Value]) -> Value) {
    let (v, g) = tape(xs, f);
    let mut t = vec![v];
    t.extend(g);
    assert_same(&format!("{what} vs tape"), compiled, &t);
}

#[test]
fn relu_at_zero_is_zero() {
    let (v, d) = m_relu_grad(0.0);
    assert_same("relu(0)", &[v, d], &[0.0, 0.0]);
    same_as_tape("relu(0)", &[v, d], &[0.0], |x| x[0].relu());
    let (v, d) = m_relu_grad(-0.0);
    assert_eq!((v, d), (0.0, 0.0));
    assert_eq!(v.to_bits(), m_relu(-0.0).to_bits());
    // Just above zero the slope is 1.
    assert_eq!(m_relu_grad(1e-300).1, 1.0);
}

#[test]
fn abs_at_zero_is_zero() {
    let (v, d) = m_abs_grad(0.0);
    assert_same("abs(0)", &[v, d], &[0.0, 0.0]);
    same_as_tape("abs(0)", &[v, d], &[0.0], |x| x[0].abs());
    let (v, d) = m_abs_grad(-0.0);
    assert_same("abs(-0)", &[v, d], &[0.0, 0.0]);
    assert_eq!(m_abs_grad(-1e-300).1, -1.0);
    assert_eq!(m_abs_grad(1e-300).1, 1.0);
}

#[test]
fn max_and_min_ties_go_to_the_first_argument() {
    assert_same("max(2, 2)", &tuple3(m_max_grad(2.0, 2.0)), &[2.0, 1.0, 0.0]);
    assert_same("min(2, 2)", &tuple3(m_min_grad(2.0, 2.0)), &[2.0, 1.0, 0.0]);
    same_as_tape("max tie", &tuple3(m_max_grad(2.0, 2.0)), &[2.0, 2.0], |x| {
        x[0].max(&x[1])
    });
    same_as_tape("min tie", &tuple3(m_min_grad(2.0, 2.0)), &[2.0, 2.0], |x| {
        x[0].min(&x[1])
    });
    // Away from a tie the gradient goes to the argument returned.
    assert_same("max(1, 2)", &tuple3(m_max_grad(1.0, 2.0)), &[2.0, 0.0, 1.0]);
    assert_same("min(1, 2)", &tuple3(m_min_grad(1.0, 2.0)), &[1.0, 1.0, 0.0]);
    // With a NaN the other argument is returned, and gets the gradient.
    assert_same(
        "max(NaN, 1)",
        &tuple3(m_max_grad(f64::NAN, 1.0)),
        &[1.0, 0.0, 1.0],
    );
    assert_same(
        "max(1, NaN)",
        &tuple3(m_max_grad(1.0, f64::NAN)),
        &[1.0, 1.0, 0.0],
    );
    assert_same(
        "min(NaN, 1)",
        &tuple3(m_min_grad(f64::NAN, 1.0)),
        &[1.0, 0.0, 1.0],
    );
    assert_same(
        "min(1, NaN)",
        &tuple3(m_min_grad(1.0, f64::NAN)),
        &[1.0, 1.0, 0.0],
    );
}

#[test]
fn sqrt_and_cbrt_at_zero_are_infinite() {
    let (v, d) = m_sqrt_grad(0.0);
    assert_same("sqrt(0)", &[v, d], &[0.0, f64::INFINITY]);
    same_as_tape("sqrt(0)", &[v, d], &[0.0], |x| x[0].sqrt());
    let (v, d) = m_cbrt_grad(0.0);
    assert_same("cbrt(0)", &[v, d], &[0.0, f64::INFINITY]);
    same_as_tape("cbrt(0)", &[v, d], &[0.0], |x| x[0].cbrt());
    let (v, d) = m_ln_grad(0.0);
    assert_same("ln(0)", &[v, d], &[f64::NEG_INFINITY, f64::INFINITY]);
}

fn tuple3(t: (f64, f64, f64)) -> [f64; 3] {
    [t.0, t.1, t.2]
}

#[test]
fn powf_with_base_zero() {
    // d/dy is 0 at x = 0 (not 0 * -inf = NaN); d/dx = y 0^(y-1).
    assert_same("0^2", &tuple3(m_powf_grad(0.0, 2.0)), &[0.0, 0.0, 0.0]);
    assert_same("0^1", &tuple3(m_powf_grad(0.0, 1.0)), &[0.0, 1.0, 0.0]);
    assert_same(
        "0^0.5",
        &tuple3(m_powf_grad(0.0, 0.5)),
        &[0.0, f64::INFINITY, 0.0],
    );
    // y = 0: x^0 = 1 has d/dx = 0 even at x = 0.
    assert_same("0^0", &tuple3(m_powf_grad(0.0, 0.0)), &[1.0, 0.0, 0.0]);
    assert_same(
        "3^0",
        &tuple3(m_powf_grad(3.0, 0.0)),
        &[1.0, 0.0, 3.0f64.ln()],
    );
    for (x, y) in [(0.0, 2.0), (0.0, 1.0), (0.0, 0.5), (0.0, 0.0)] {
        same_as_tape("powf edge", &tuple3(m_powf_grad(x, y)), &[x, y], |v| {
            v[0].powf(&v[1])
        });
    }
    // powi(0, 0) = 1 with zero derivative; powi(0, 1) has slope 1.
    assert_eq!(m_powi_grad(0.0, 0), (1.0, 0.0));
    assert_eq!(m_powi_grad(0.0, 1), (0.0, 1.0));
    assert_eq!(m_powi_grad(0.0, 2), (0.0, 0.0));
}

#[test]
fn hypot_and_atan2_at_the_origin() {
    assert_same(
        "hypot(0, 0)",
        &tuple3(m_hypot_grad(0.0, 0.0)),
        &[0.0, 0.0, 0.0],
    );
    same_as_tape(
        "hypot(0, 0)",
        &tuple3(m_hypot_grad(0.0, 0.0)),
        &[0.0, 0.0],
        |v| v[0].hypot(&v[1]),
    );
    let (v, dy, dx) = m_atan2_grad(0.0, 0.0);
    assert_eq!(v.to_bits(), 0.0f64.atan2(0.0).to_bits());
    assert_same("atan2 at origin", &[dy, dx], &[0.0, 0.0]);
}

#[test]
fn clamp_at_the_bounds_goes_to_x() {
    assert_eq!(m_clamp_grad(-1.0, -1.0, 1.0), (-1.0, 1.0, 0.0, 0.0));
    assert_eq!(m_clamp_grad(1.0, -1.0, 1.0), (1.0, 1.0, 0.0, 0.0));
    assert_eq!(m_clamp_grad(0.5, 0.5, 0.5), (0.5, 1.0, 0.0, 0.0));
}

#[test]
fn steps_at_integers_have_zero_derivative() {
    for x in [-2.0, 0.0, 3.0] {
        assert_eq!(m_floor_grad(x), (x, 0.0));
        assert_eq!(m_ceil_grad(x), (x, 0.0));
        assert_eq!(m_trunc_grad(x), (x, 0.0));
    }
    assert_eq!(m_round_grad(2.5), (3.0, 0.0));
    assert_eq!(m_signum_grad(0.0), (1.0, 0.0));
    assert_eq!(m_signum_grad(-0.0), (-1.0, 0.0));
}

/// `to_degrees` / `to_radians` multiply by std's constant: its exact value is the derivative,
/// and the second derivative is zero.
#[test]
fn angle_conversions_have_stds_constant_as_derivative() {
    for x in [-3.0, 0.0, 0.7, 90.0] {
        assert_eq!(m_to_degrees_grad(x).1, 1.0f64.to_degrees());
        assert_eq!(m_to_radians_grad(x).1, 1.0f64.to_radians());
        assert_eq!(m_to_degrees_grad(x).0.to_bits(), x.to_degrees().to_bits());
        let (_, g, h) = m_to_radians_hessian(x);
        assert_eq!(g, vec![1.0f64.to_radians()]);
        assert_eq!(h, vec![vec![0.0]]);
    }
}
