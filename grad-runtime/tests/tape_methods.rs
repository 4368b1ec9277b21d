//! Every operator and method of `Value`: the value equals the plain `f64` computation exactly,
//! and the gradient from `backward` matches central finite differences of the plain function.

use grad_runtime::check::check_gradient;
use grad_runtime::tape::Value;

type Tape = fn(&[Value]) -> Value;
type Plain = fn(&[f64]) -> f64;

/// Checks `tape` against `plain` at every point, and that the result node is named `op`.
fn check(op: &str, tape: Tape, plain: Plain, points: &[&[f64]]) {
    for point in points {
        let inputs: Vec<Value> = point.iter().map(|&x| Value::new(x)).collect();
        let y = tape(&inputs);
        assert_eq!(y.op(), op);
        assert_eq!(y.data(), plain(point), "{op} at {point:?}");
        y.backward();
        let grad: Vec<f64> = inputs.iter().map(Value::grad).collect();
        if let Err(e) = check_gradient(plain, point, &grad, 1e-6) {
            panic!("{op} at {point:?}: {e}");
        }
    }
}

/// One-argument methods, each with points well inside its domain and away from kinks.
macro_rules! check_unary {
    ($points:expr; $($name:ident),* $(,)?) => {
        $(
            check(
                stringify!($name),
                |v| v[0].$name(),
                |x| x[0].$name(),
                $points,
            );
        )*
    };
}

#[test]
fn operators() {
    let points: &[&[f64]] = &[&[1.5, -0.75], &[-3.0, 2.0], &[0.2, 7.0]];
    check("+", |v| &v[0] + &v[1], |x| x[0] + x[1], points);
    check("-", |v| &v[0] - &v[1], |x| x[0] - x[1], points);
    check("*", |v| &v[0] * &v[1], |x| x[0] * x[1], points);
    check("/", |v| &v[0] / &v[1], |x| x[0] / x[1], points);
    check("neg", |v| -&v[0], |x| -x[0], &[&[1.5], &[-2.0]]);
    check("*", |v| &v[0] * 3.0, |x| x[0] * 3.0, &[&[1.5]]);
    check("/", |v| 3.0 / &v[0], |x| 3.0 / x[0], &[&[1.5]]);
}

#[test]
fn trigonometric_and_hyperbolic() {
    check_unary!(&[&[-1.2], &[0.3], &[2.0]]; sin, cos, tan);
    check_unary!(&[&[-0.7], &[0.1], &[0.5]]; asin, acos, atanh);
    check_unary!(&[&[-1.5], &[0.2], &[2.5]]; atan, sinh, cosh, tanh, asinh);
    check_unary!(&[&[1.5], &[3.0]]; acosh);
}

#[test]
fn exponentials_logarithms_and_roots() {
    check_unary!(&[&[-1.5], &[0.2], &[2.5]]; exp, exp2, exp_m1, cbrt);
    check_unary!(&[&[0.3], &[1.7], &[12.0]]; ln, log2, log10, sqrt, recip);
    check_unary!(&[&[-0.5], &[0.4], &[3.0]]; ln_1p);
    check("cbrt", |v| v[0].cbrt(), |x| x[0].cbrt(), &[&[-8.0]]);
    check("recip", |v| v[0].recip(), |x| x[0].recip(), &[&[-0.4]]);
    check(
        "log",
        |v| v[0].log(&v[1]),
        |x| x[0].log(x[1]),
        &[&[0.5, 2.0], &[3.0, 10.0], &[7.0, 0.5]],
    );
}

#[test]
fn powers() {
    let points: &[&[f64]] = &[&[-1.3], &[0.7], &[2.0]];
    check("powi", |v| v[0].powi(-2), |x| x[0].powi(-2), points);
    check("powi", |v| v[0].powi(0), |x| x[0].powi(0), points);
    check("powi", |v| v[0].powi(1), |x| x[0].powi(1), points);
    check("powi", |v| v[0].powi(3), |x| x[0].powi(3), points);
    check(
        "powf",
        |v| v[0].powf(&v[1]),
        |x| x[0].powf(x[1]),
        &[&[0.5, 2.5], &[2.0, -1.3], &[3.0, 0.0]],
    );
}

#[test]
fn piecewise() {
    // Points away from 0, integers and halves, where these are locally smooth.
    check_unary!(&[&[-1.3], &[0.4], &[2.7]]; abs, signum, floor, ceil, round, trunc);
    check(
        "relu",
        |v| v[0].relu(),
        |x| x[0].max(0.0),
        &[&[-1.3], &[0.4]],
    );
    let points: &[&[f64]] = &[&[1.0, 2.0], &[3.0, -1.0]];
    check("max", |v| v[0].max(&v[1]), |x| x[0].max(x[1]), points);
    check("min", |v| v[0].min(&v[1]), |x| x[0].min(x[1]), points);
    check(
        "clamp",
        |v| v[0].clamp(&v[1], &v[2]),
        |x| x[0].clamp(x[1], x[2]),
        &[&[-2.0, -1.0, 1.0], &[0.3, -1.0, 1.0], &[4.0, -1.0, 1.0]],
    );
}

#[test]
fn two_and_three_argument_functions() {
    let points: &[&[f64]] = &[&[3.0, 4.0], &[-1.0, 2.0], &[0.5, -0.2]];
    check("hypot", |v| v[0].hypot(&v[1]), |x| x[0].hypot(x[1]), points);
    check(
        "atan2",
        |v| v[0].atan2(&v[1]),
        |x| x[0].atan2(x[1]),
        &[&[1.0, 2.0], &[-1.0, -0.5], &[0.3, -2.0]],
    );
    check(
        "mul_add",
        |v| v[0].mul_add(&v[1], &v[2]),
        |x| x[0].mul_add(x[1], x[2]),
        &[&[1.5, -2.0, 0.3], &[-0.4, 3.0, 7.0]],
    );
}

#[test]
fn sigmoid() {
    check(
        "sigmoid",
        |v| v[0].sigmoid(),
        |x| 1.0 / (1.0 + (-x[0]).exp()),
        &[&[-2.0], &[0.0], &[1.5]],
    );
}

/// A composite of many methods, checked as a whole.
#[test]
fn composite() {
    check(
        "-",
        |v| {
            let (x, y) = (&v[0], &v[1]);
            (x * y).sin() * x.exp() / (y.powi(2) + 1.0) + x.hypot(y).ln() - y.tanh().powf(x)
        },
        |v| {
            let (x, y) = (v[0], v[1]);
            (x * y).sin() * x.exp() / (y.powi(2) + 1.0) + x.hypot(y).ln() - y.tanh().powf(x)
        },
        &[&[0.7, 1.3], &[-0.4, 2.2]],
    );
}

/// Binary methods accept an `f64`, a `Value` or a `&Value`; a constant gets no gradient flow
/// back into any input.
#[test]
fn argument_forms() {
    let x = Value::new(3.0);
    let e = Value::new(2.0);
    let by_f64 = x.powf(2.0);
    let by_ref = x.powf(&e);
    let by_value = x.powf(e.clone());
    assert_eq!(by_f64.data(), 9.0);
    assert_eq!(by_ref.data(), 9.0);
    assert_eq!(by_value.data(), 9.0);
    by_f64.backward();
    assert_eq!((x.grad(), e.grad()), (6.0, 0.0));
    by_ref.backward();
    let ln3_times_9 = 9.0 * 3f64.ln();
    assert_eq!(x.grad(), 12.0);
    assert!((e.grad() - ln3_times_9).abs() < 1e-12);
    by_value.backward();
    assert!((e.grad() - 2.0 * ln3_times_9).abs() < 1e-12);
}
