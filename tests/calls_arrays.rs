//! Programs built from helpers over slices and arrays (issue 12): slices and sub-slices passed
//! to differentiable functions, `&mut` helpers that update arrays in place, helpers that
//! return arrays, calls in loops, nested and recursive calls. Each gradient is checked against
//! central differences and against the same computation on the tape engine; each value bit for
//! bit against the plain function.

// The forms under test on purpose: index loops, `&y[..]`, `&Vec<f64>` parameters.
#![allow(
    clippy::needless_range_loop,
    clippy::redundant_slicing,
    clippy::ptr_arg,
    clippy::manual_memcpy,
    clippy::type_complexity,
    clippy::useless_vec
)]

mod common;

use common::{check_point, OnTape, FD_TOL};
use grad::check::check_gradient;
use grad::prelude::*;
use grad::tape::Value;

/// The value bit for bit, the gradient against the tape engine (when given) and central
/// differences.
#[track_caller]
fn check(
    what: &str,
    x: &[f64],
    result: (f64, Vec<f64>),
    plain: impl Fn(&[f64]) -> f64,
    on_tape: Option<&OnTape<'_>>,
) {
    check_point(what, x, result, plain, on_tape, true);
}

// ===== a dot helper, logistic regression ====================================================

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

fn dot_tape(a: &[Value], b: &[Value]) -> Value {
    let mut s = Value::new(0.0);
    for i in 0..a.len() {
        s += &a[i] * &b[i];
    }
    s
}

/// Mean log-loss over rows of `xs` (each `w.len()` long), through `dot` on sub-slices.
#[differentiable(wrt(w))]
fn log_loss(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let d = w.len();
    let mut total = 0.0;
    for i in 0..ys.len() {
        let z = dot(w, &xs[i * d..(i + 1) * d]);
        let p = z.sigmoid();
        total -= ys[i] * p.ln() + (1.0 - ys[i]) * (1.0 - p).ln();
    }
    total / ys.len() as f64
}

fn log_loss_tape(w: &[Value], xs: &[f64], ys: &[f64]) -> Value {
    let d = w.len();
    let mut total = Value::new(0.0);
    for i in 0..ys.len() {
        let x: Vec<Value> = xs[i * d..(i + 1) * d]
            .iter()
            .map(|&v| Value::new(v))
            .collect();
        let z = dot_tape(w, &x);
        let p = z.sigmoid();
        total -= ys[i] * p.ln() + (1.0 - ys[i]) * (1.0 - &p).ln();
    }
    total / ys.len() as f64
}

#[test]
fn logistic_regression_through_a_dot_helper() {
    let xs = [0.5, -1.0, 2.0, 1.5, 0.3, -0.7, -1.2, 0.8, 0.1];
    let ys = [1.0, 0.0, 1.0];
    for w in [
        vec![0.1, -0.2, 0.3],
        vec![-1.0, 0.5, 0.25],
        vec![0.0, 0.0, 0.0],
    ] {
        check(
            "log_loss",
            &w,
            log_loss_grad(&w, &xs, &ys),
            |w| log_loss(w, &xs, &ys),
            Some(&|w| log_loss_tape(w, &xs, &ys)),
        );
    }
    // No rows: the loss is NaN (0/0) in both.
    let (v, _) = log_loss_grad(&[0.1, 0.2], &[], &[]);
    assert!(v.is_nan() && log_loss(&[0.1, 0.2], &[], &[]).is_nan());
}

// ===== every sub-slice form, both arguments differentiated ===================================

#[differentiable]
fn slices(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let a = dot(&x[0..2], &y[1..3]);
    let b = dot(&x[n - 2..], &y[..2]);
    let c = dot(&x[1..=2], &x[2..=3]);
    let e = dot(x, x) + dot(&y[..], &y[..]);
    a * b + c.sin() + e.sqrt()
}

fn slices_plain(v: &[f64]) -> f64 {
    slices(&v[..4], &v[4..])
}

fn slices_tape(v: &[Value]) -> Value {
    let (x, y) = v.split_at(4);
    let n = x.len();
    let a = dot_tape(&x[0..2], &y[1..3]);
    let b = dot_tape(&x[n - 2..], &y[..2]);
    let c = dot_tape(&x[1..=2], &x[2..=3]);
    let e = dot_tape(x, x) + dot_tape(y, y);
    &a * &b + c.sin() + e.sqrt()
}

#[test]
fn sub_slices_route_gradients_to_exactly_the_elements_passed() {
    for v in [
        vec![0.3, -0.5, 1.2, 0.7, 2.0, -1.0, 0.4],
        vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    ] {
        let (val, dx, dy) = slices_grad(&v[..4], &v[4..]);
        let grad: Vec<f64> = dx.into_iter().chain(dy).collect();
        check("slices", &v, (val, grad), slices_plain, Some(&slices_tape));
    }
}

// ===== nested calls and recursion ==========================================================

#[differentiable]
fn norm2(x: &[f64]) -> f64 {
    dot(x, x)
}

#[differentiable]
fn cosine(a: &[f64], b: &[f64]) -> f64 {
    dot(a, b) / (norm2(a) * norm2(b)).sqrt()
}

/// Product of sines over halves, recursively.
#[differentiable]
fn tree(x: &[f64]) -> f64 {
    if x.len() == 1 {
        x[0].sin() + 1.5
    } else {
        let m = x.len() / 2;
        tree(&x[..m]) * tree(&x[m..])
    }
}

fn tree_tape(x: &[Value]) -> Value {
    if x.len() == 1 {
        x[0].sin() + 1.5
    } else {
        let m = x.len() / 2;
        tree_tape(&x[..m]) * tree_tape(&x[m..])
    }
}

#[test]
fn nested_and_recursive_calls() {
    let v = [0.3, -0.5, 1.2, 0.7, 2.0, -1.0];
    let (val, da, db) = cosine_grad(&v[..3], &v[3..]);
    let g: Vec<f64> = da.into_iter().chain(db).collect();
    let tape = |v: &[Value]| {
        let (a, b) = v.split_at(3);
        dot_tape(a, b) / (dot_tape(a, a) * dot_tape(b, b)).sqrt()
    };
    check(
        "cosine",
        &v,
        (val, g),
        |v| cosine(&v[..3], &v[3..]),
        Some(&tape),
    );
    for x in [
        vec![0.4],
        vec![0.4, -1.0],
        vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
    ] {
        check("tree", &x, tree_grad(&x), tree, Some(&tree_tape));
    }
}

// ===== `&mut` helpers: a recurrent cell updating its state in place ==========================

/// One step of a small gated cell: `w` holds 3 weights per unit, `h` and `c` the state.
#[differentiable]
fn cell(w: &[f64], h: &mut [f64], c: &mut [f64], x: f64) {
    let n = h.len();
    for j in 0..n {
        let pre = w[3 * j] * x + w[3 * j + 1] * h[j] + w[3 * j + 2];
        let gate = pre.sigmoid();
        c[j] = gate * c[j] + (1.0 - gate) * pre.tanh();
        h[j] = c[j].tanh() * gate;
    }
}

fn cell_tape(w: &[Value], h: &mut [Value], c: &mut [Value], x: f64) {
    for j in 0..h.len() {
        let pre = &w[3 * j] * x + &w[3 * j + 1] * &h[j] + &w[3 * j + 2];
        let gate = pre.sigmoid();
        c[j] = &gate * &c[j] + (1.0 - &gate) * pre.tanh();
        h[j] = c[j].tanh() * &gate;
    }
}

#[differentiable(wrt(w))]
fn sequence_loss(w: &[f64], xs: &[f64]) -> f64 {
    let mut h = [0.0; 2];
    let mut c = vec![0.0; 2];
    for t in 0..xs.len() {
        cell(w, &mut h, &mut c, xs[t]);
    }
    h[0] * h[0] + h[1] + c[0] * c[1]
}

fn sequence_loss_tape(w: &[Value], xs: &[f64]) -> Value {
    let mut h = vec![Value::new(0.0), Value::new(0.0)];
    let mut c = vec![Value::new(0.0), Value::new(0.0)];
    for &x in xs {
        cell_tape(w, &mut h, &mut c, x);
    }
    &h[0] * &h[0] + &h[1] + &c[0] * &c[1]
}

#[test]
fn in_place_updates_through_mut_helpers() {
    let xs = [0.5, -1.0, 0.25, 2.0];
    for w in [
        vec![0.1, -0.2, 0.3, 0.7, 0.5, -0.4],
        vec![-1.0, 0.5, 0.25, 0.3, -0.8, 0.9],
    ] {
        check(
            "sequence_loss",
            &w,
            sequence_loss_grad(&w, &xs),
            |w| sequence_loss(w, &xs),
            Some(&|w| sequence_loss_tape(w, &xs)),
        );
        // Zero steps: the state stays zero.
        assert_eq!(sequence_loss_grad(&w, &[]), (0.0, vec![0.0; 6]));
    }
}

#[test]
fn a_mut_helper_called_directly_through_its_pullback() {
    // The pullback of `cell`: for an adjoint of the final state, the gradient with respect to
    // the weights and to the state on entry.
    let w = [0.1, -0.2, 0.3, 0.7, 0.5, -0.4];
    let (h0, c0, x) = ([0.2, -0.3], [0.5, 0.1], 0.7);
    let (dh_out, dc_out) = ([1.0, -2.0], [0.5, 0.25]);
    let (mut h, mut c) = (h0, c0);
    let (mut dw, mut dh, mut dc, mut dx) = ([0.0; 6], dh_out, dc_out, 0.0);
    cell_pullback(&w, &mut h, &mut c, x, &mut dw, &mut dh, &mut dc, &mut dx);
    let (mut hp, mut cp) = (h0, c0);
    cell(&w, &mut hp, &mut cp, x);
    assert_eq!(
        (h, c),
        (hp, cp),
        "the pullback leaves the state as the function does"
    );
    // Against central differences of the scalar `dh_out·h + dc_out·c`.
    let f = |v: &[f64]| {
        let (mut h, mut c) = ([v[6], v[7]], [v[8], v[9]]);
        cell(&v[..6], &mut h, &mut c, v[10]);
        dh_out[0] * h[0] + dh_out[1] * h[1] + dc_out[0] * c[0] + dc_out[1] * c[1]
    };
    let point: Vec<f64> = w
        .iter()
        .chain(&h0)
        .chain(&c0)
        .chain([&x])
        .copied()
        .collect();
    let grad: Vec<f64> = dw
        .iter()
        .chain(&dh)
        .chain(&dc)
        .chain([&dx])
        .copied()
        .collect();
    check_gradient(f, &point, &grad, FD_TOL).unwrap();
}

// ===== array results: a projectile with drag, integrated by RK4 ============================

#[differentiable]
fn deriv(s: [f64; 4], k: f64) -> [f64; 4] {
    let v = (s[2] * s[2] + s[3] * s[3]).sqrt();
    [s[2], s[3], -k * v * s[2], -9.81 - k * v * s[3]]
}

#[differentiable]
fn rk4_step(s: [f64; 4], h: f64, k: f64) -> [f64; 4] {
    let k1 = deriv(s, k);
    let mut t = [0.0; 4];
    for i in 0..4 {
        t[i] = s[i] + 0.5 * h * k1[i];
    }
    let k2 = deriv(t, k);
    for i in 0..4 {
        t[i] = s[i] + 0.5 * h * k2[i];
    }
    let k3 = deriv(t, k);
    for i in 0..4 {
        t[i] = s[i] + h * k3[i];
    }
    let k4 = deriv(t, k);
    let mut out = [0.0; 4];
    for i in 0..4 {
        out[i] = s[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
    out
}

/// Horizontal distance after `n` steps.
#[differentiable]
fn distance(v0: f64, angle: f64, k: f64, n: usize) -> f64 {
    let mut s = [0.0; 4];
    s[2] = v0 * angle.cos();
    s[3] = v0 * angle.sin();
    for _ in 0..n {
        s = rk4_step(s, 0.05, k);
    }
    s[0] + 0.1 * s[1]
}

fn deriv_tape(s: &[Value], k: &Value) -> Vec<Value> {
    let v = (&s[2] * &s[2] + &s[3] * &s[3]).sqrt();
    vec![
        s[2].clone(),
        s[3].clone(),
        -(k * &v * &s[2]),
        -9.81 - k * &v * &s[3],
    ]
}

fn distance_tape(p: &[Value], n: usize) -> Value {
    let (v0, angle, k) = (&p[0], &p[1], &p[2]);
    let mut s = vec![
        Value::new(0.0),
        Value::new(0.0),
        v0 * angle.cos(),
        v0 * angle.sin(),
    ];
    let h = 0.05;
    for _ in 0..n {
        let k1 = deriv_tape(&s, k);
        let t: Vec<Value> = (0..4).map(|i| &s[i] + 0.5 * h * &k1[i]).collect();
        let k2 = deriv_tape(&t, k);
        let t: Vec<Value> = (0..4).map(|i| &s[i] + 0.5 * h * &k2[i]).collect();
        let k3 = deriv_tape(&t, k);
        let t: Vec<Value> = (0..4).map(|i| &s[i] + h * &k3[i]).collect();
        let k4 = deriv_tape(&t, k);
        s = (0..4)
            .map(|i| &s[i] + h / 6.0 * (&k1[i] + 2.0 * &k2[i] + 2.0 * &k3[i] + &k4[i]))
            .collect();
    }
    &s[0] + 0.1 * &s[1]
}

#[test]
fn rk4_projectile_through_array_returning_helpers() {
    for (p, n) in [
        ([20.0, 0.7, 0.05], 30),
        ([12.0, 1.1, 0.2], 5),
        ([5.0, 0.3, 0.0], 0),
    ] {
        let (v, d0, d1, d2) = distance_grad(p[0], p[1], p[2], n);
        check(
            "distance",
            &p,
            (v, vec![d0, d1, d2]),
            |q| distance(q[0], q[1], q[2], n),
            Some(&|q| distance_tape(q, n)),
        );
    }
}

#[test]
fn an_array_helper_called_directly_through_its_pullback() {
    let (s, h, k) = ([0.1, 0.2, 3.0, 4.0], 0.1, 0.3);
    let w = [1.0, -0.5, 0.25, 2.0];
    let (mut ds, mut dh, mut dk) = ([0.0; 4], 0.0, 0.0);
    let out = rk4_step_pullback(s, h, k, &w, &mut ds, &mut dh, &mut dk);
    assert_eq!(out, rk4_step(s, h, k));
    let f = |v: &[f64]| {
        let o = rk4_step([v[0], v[1], v[2], v[3]], v[4], v[5]);
        (0..4).map(|i| w[i] * o[i]).sum::<f64>()
    };
    let point = [s[0], s[1], s[2], s[3], h, k];
    let grad = [ds[0], ds[1], ds[2], ds[3], dh, dk];
    check_gradient(f, &point, &grad, FD_TOL).unwrap();
}

// ===== calls on arrays rewritten between calls ==============================================

#[differentiable]
fn smooth(x: &[f64]) -> f64 {
    let mut buf = vec![0.0; x.len()];
    let mut total = 0.0;
    for round in 0..3 {
        for i in 0..x.len() {
            buf[i] = (x[i] * (round as f64 + 1.0)).sin() + buf[i] * 0.5;
        }
        total += norm2(&buf) * (round as f64 + 1.0);
        total += dot(&buf[1..], &x[..x.len() - 1]);
    }
    total
}

#[test]
fn calls_on_arrays_rewritten_between_calls() {
    for x in [vec![0.3, -0.5, 1.2], vec![1.0, 2.0, -0.7, 0.1, 0.9]] {
        check("smooth", &x, smooth_grad(&x), smooth, None);
    }
}

// ===== the other argument shapes: arrays by reference, local Vecs, `&Vec<f64>` =============

#[differentiable]
fn weighted(w: &[f64; 3], v: &Vec<f64>) -> f64 {
    w[0] * v[0] + w[1] * v[1].exp() + w[2] * v[2].ln()
}

#[differentiable]
fn shapes(p: [f64; 3], q: &[f64]) -> f64 {
    let mut v = vec![0.0; 3];
    for i in 0..3 {
        v[i] = q[i] * q[i] + 1.0;
    }
    weighted(&p, &v) + 2.0 * weighted(&p, &v) * q[0]
}

#[test]
fn arrays_by_reference_and_vecs() {
    let x = [0.5, -1.0, 2.0, 0.3, 1.5, -0.7];
    let (val, dp, dq) = shapes_grad([x[0], x[1], x[2]], &x[3..]);
    let g: Vec<f64> = dp.iter().chain(&dq).copied().collect();
    check(
        "shapes",
        &x,
        (val, g),
        |x| shapes([x[0], x[1], x[2]], &x[3..]),
        None,
    );
}

// ===== calls with many float arguments, constants of types the macro cannot see ============

#[differentiable]
#[allow(clippy::too_many_arguments)]
fn poly13(
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    e: f64,
    f: f64,
    g: f64,
    h: f64,
    i: f64,
    j: f64,
    k: f64,
    l: f64,
    m: f64,
) -> f64 {
    a * b + c * d.sin() + e * f * g + h.exp() * i + j * k * l + m * m * a
}

#[differentiable]
fn many(x: &[f64]) -> f64 {
    poly13(
        x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11], x[12],
    ) + poly13(
        x[12], x[11], x[10], x[9], x[8], x[7], x[6], x[5], x[4], x[3], x[2], x[1], 0.5,
    )
}

/// A configuration without a gradient type: a constant, left out by `wrt(...)`.
struct Config {
    scale: f64,
}

impl Config {
    fn scale(&self) -> f64 {
        self.scale
    }
}

const CONFIG: Config = Config { scale: 2.0 };
const SHIFT: f64 = 0.25;

#[differentiable(wrt(a, b, shift))]
fn scaled_dot(a: &[f64], b: &[f64], cfg: &Config, shift: f64) -> f64 {
    cfg.scale() * dot(a, b) + shift
}

#[differentiable]
fn uses_constants(x: &[f64]) -> f64 {
    scaled_dot(x, x, &CONFIG, SHIFT) * scaled_dot(&x[1..], &x[..x.len() - 1], &CONFIG, 1.0)
}

#[test]
fn many_float_arguments_and_opaque_constants() {
    let x: Vec<f64> = (0..13).map(|i| 0.1 * i as f64 - 0.4).collect();
    check("many", &x, many_grad(&x), many, None);
    let x = [0.3, -0.5, 1.2, 0.7];
    check(
        "uses_constants",
        &x,
        uses_constants_grad(&x),
        uses_constants,
        None,
    );
}

// ===== `&mut f64` out-parameters ===========================================================

/// Adds `w·x` into `acc` and scales it: an out-parameter.
#[differentiable]
fn accumulate(acc: &mut f64, w: f64, x: &[f64]) {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += (w * x[i]).tanh();
    }
    *acc += s;
    *acc *= 0.9;
}

/// Passes its own out-parameter on.
#[differentiable]
fn twice(acc: &mut f64, w: f64, x: &[f64]) {
    accumulate(acc, w, x);
    accumulate(acc, w * w, &x[1..]);
}

#[differentiable]
fn out_params(w: f64, x: &[f64]) -> f64 {
    let mut total = 0.5 * w;
    for k in 0..3 {
        twice(&mut total, w + k as f64 * 0.1, x);
    }
    total * total
}

#[test]
fn mut_float_out_parameters() {
    let x = [0.3, -0.5, 1.2];
    for w in [0.7, -0.2, 1.5] {
        let (v, dw, dx) = out_params_grad(w, &x);
        let g: Vec<f64> = std::iter::once(dw).chain(dx).collect();
        let point: Vec<f64> = std::iter::once(w).chain(x).collect();
        check(
            "out_params",
            &point,
            (v, g),
            |p| out_params(p[0], &p[1..]),
            None,
        );
    }
    // Called directly: the slot holds d(new acc) on entry and d(old acc) on return.
    let (mut acc, mut d_acc, mut d_w, mut d_x) = (0.4, 2.0, 0.0, [0.0; 3]);
    accumulate_pullback(&mut acc, 0.7, &x, &mut d_acc, &mut d_w, &mut d_x);
    assert!((d_acc - 2.0 * 0.9).abs() < 1e-15);
    let f = |p: &[f64]| {
        let mut a = p[0];
        accumulate(&mut a, p[1], &p[2..]);
        2.0 * a
    };
    let point = [0.4, 0.7, x[0], x[1], x[2]];
    let grad = [d_acc, d_w, d_x[0], d_x[1], d_x[2]];
    check_gradient(f, &point, &grad, FD_TOL).unwrap();
}

// ===== arrays created inside loop bodies, passed to calls and returned by them =============

#[differentiable]
fn softmax3(z: [f64; 3]) -> [f64; 3] {
    let m = z[0].max(z[1]).max(z[2]);
    let e0 = (z[0] - m).exp();
    let e1 = (z[1] - m).exp();
    let e2 = (z[2] - m).exp();
    let s = e0 + e1 + e2;
    [e0 / s, e1 / s, e2 / s]
}

#[differentiable]
fn loop_local_arrays(w: &[f64], xs: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..xs.len() {
        let mut z = [0.0; 3];
        for k in 0..3 {
            z[k] = w[k] * xs[i] + w[k + 3];
        }
        let p = softmax3(z);
        let mut v = vec![0.0; 2];
        v[0] = p[0];
        v[1] = p[2] * xs[i];
        total += norm2(&v) + p[1].ln();
    }
    total
}

#[test]
fn arrays_local_to_loop_bodies_through_calls() {
    let xs = [0.5, -1.0, 2.0, 0.1];
    for w in [
        vec![0.1, -0.2, 0.3, 0.7, 0.5, -0.4],
        vec![1.0, 0.5, -0.25, 0.0, 0.3, 0.2],
    ] {
        check(
            "loop_local_arrays",
            &w,
            {
                let (v, dw, _dxs) = loop_local_arrays_grad(&w, &xs);
                (v, dw)
            },
            |w| loop_local_arrays(w, &xs),
            None,
        );
    }
}

// ===== `&mut [f64; N]`, `&mut Vec<f64>`, `&mut x[a..b]`, helpers returning `Vec<f64>` ======

#[differentiable]
fn relax(state: &mut [f64; 3], k: f64) {
    for i in 0..3 {
        state[i] = state[i] * (1.0 - k) + k * state[(i + 1) % 3].sin();
    }
}

#[differentiable]
fn push_scaled(v: &mut Vec<f64>, s: f64) {
    for i in 0..v.len() {
        v[i] *= s + v[i] * 0.1;
    }
}

#[differentiable]
fn squares(x: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    for i in 0..x.len() {
        out[i] = x[i] * x[i] + 1.0;
    }
    out
}

#[differentiable]
fn shapes_mut(p: &[f64]) -> f64 {
    let mut s = [0.0; 3];
    for i in 0..3 {
        s[i] = p[i];
    }
    relax(&mut s, p[3]);
    relax(&mut s, 0.5 * p[3]);
    let mut v = vec![0.0; 4];
    for i in 0..4 {
        v[i] = p[i] * 2.0;
    }
    push_scaled(&mut v, p[0]);
    cell(&p[..6], &mut v[1..3], &mut s[..2], p[2]);
    let q = squares(&v);
    let mut total = 0.0;
    for &e in q.iter() {
        total += e.ln();
    }
    total + s[0] * s[1] + s[2] + q.len() as f64
}

#[test]
fn more_mut_shapes_and_vec_results() {
    for p in [
        vec![0.3, -0.5, 1.2, 0.7, 0.2, -0.1],
        vec![1.0, 0.25, -0.75, 0.4, 0.9, 0.6],
    ] {
        check("shapes_mut", &p, shapes_mut_grad(&p), shapes_mut, None);
    }
}

// ===== views passed to calls: split_at, split_at_mut halves, chunks and windows items ======

#[differentiable]
fn halves(x: &[f64]) -> f64 {
    let (a, b) = x.split_at(2);
    dot(a, &b[..2]) + norm2(b)
}

#[differentiable]
fn halves_mut(x: &[f64]) -> f64 {
    let mut h = vec![0.0; 4];
    for i in 0..4 {
        h[i] = x[i];
    }
    let (left, right) = h.split_at_mut(2);
    let mut c = [0.5, -0.5];
    cell(x, left, &mut c, x[1]);
    cell(&x[..], right, &mut c, x[0]);
    h[0] * h[3] + h[1] + h[2] * c[0] + c[1]
}

#[differentiable]
fn per_chunk(x: &[f64], w: &[f64]) -> f64 {
    let mut total = 0.0;
    for c in x.chunks(3) {
        total += norm2(c).sqrt();
    }
    for pair in x.windows(2) {
        total += dot(pair, &w[..2]);
    }
    total
}

#[test]
fn views_through_calls() {
    for x in [
        vec![0.3, -0.5, 1.2, 0.7, 2.0],
        vec![1.0, 2.0, -3.0, 0.5, -0.25, 0.125, 0.7],
    ] {
        check("halves", &x, halves_grad(&x), halves, None);
    }
    for x in [
        vec![0.3, -0.5, 1.2, 0.7, 0.2, -0.1],
        vec![1.0, 0.25, -0.75, 0.4, 0.9, 0.6],
    ] {
        check("halves_mut", &x, halves_mut_grad(&x), halves_mut, None);
    }
    let w = [0.4, -0.3];
    for x in [
        vec![0.3, -0.5, 1.2, 0.7, 2.0],
        vec![1.0, 2.0, -3.0],
        vec![0.5],
    ] {
        let (v, dx, _) = per_chunk_grad(&x, &w);
        check("per_chunk", &x, (v, dx), |x| per_chunk(x, &w), None);
    }
}

// ===== results nobody reads ==================================================================

#[differentiable]
#[allow(unused_variables)]
fn unread_results(x: f64) -> f64 {
    let mut s = [0.0; 4];
    s[2] = x;
    s[3] = 2.0 * x;
    let r = rk4_step(s, 0.1, 0.2);
    let _ = rk4_step(s, 0.2, x);
    let _ = deriv(s, x);
    s[2] * x + s[3]
}

#[test]
fn results_nobody_reads() {
    for x in [0.5, -1.25] {
        let (v, d) = unread_results_grad(x);
        check(
            "unread_results",
            &[x],
            (v, vec![d]),
            |p| unread_results(p[0]),
            None,
        );
    }
}

// ===== what the random program generator found (fixed): arrays declared after an exit or in
// a loop body passed to calls, float results sharing names with arrays ======================

#[differentiable]
fn after_exit(x: f64) -> f64 {
    if x < 1.0 {
        return x;
    }
    let h = [x; 3];
    norm2(&h)
}

#[differentiable]
fn in_loop_body(x0: f64) -> f64 {
    let mut v1 = x0;
    for k in 0..3 {
        let h = [v1; 4];
        v1 += norm2(&h) * 0.1 * k as f64;
        let g = rk4_step(h, 0.05, x0);
        v1 += g[2];
    }
    v1
}

#[differentiable]
#[allow(unused_variables)]
fn shared_names(x0: f64, xs: &[f64]) -> f64 {
    let s0 = poly13(x0, x0, x0, x0, x0, x0, x0, x0, x0, x0, x0, x0, x0);
    let mut total = 0.0;
    for &s0 in xs.iter() {
        total += s0;
    }
    let mut s1 = x0 * 2.0;
    accumulate(&mut s1, x0, xs);
    total + s0 * s1
}

#[test]
fn generator_findings() {
    for x in [0.5, 1.5, 2.25] {
        let (v, d) = after_exit_grad(x);
        check("after_exit", &[x], (v, vec![d]), |p| after_exit(p[0]), None);
        let (v, d) = in_loop_body_grad(x);
        check(
            "in_loop_body",
            &[x],
            (v, vec![d]),
            |p| in_loop_body(p[0]),
            None,
        );
    }
    let xs = [0.3, -0.4];
    let (v, d0, dxs) = shared_names_grad(0.7, &xs);
    let g: Vec<f64> = std::iter::once(d0).chain(dxs).collect();
    check(
        "shared_names",
        &[0.7, 0.3, -0.4],
        (v, g),
        |p| shared_names(p[0], &p[1..]),
        None,
    );
}

#[differentiable]
fn swing(s: [f64; 2], c: f64) -> [f64; 2] {
    [s[1], -c * s[0].sin()]
}

/// A call's array result bound without a type, then assigned whole to an array (`s = next;`).
#[differentiable]
fn swung(s0: [f64; 2], c: f64) -> f64 {
    let mut s = s0;
    for _ in 0..5 {
        let next = swing(s, c);
        s = next;
    }
    s[0] + s[1]
}

#[differentiable]
fn turn(p: [f64; 2], t: f64) -> [f64; 2] {
    let (s, c) = t.sin_cos();
    [c * p[0] - s * p[1], s * p[0] + c * p[1]]
}

/// A call's array result bound without a type, then destructured.
#[differentiable]
fn turned(p: [f64; 2], t: f64) -> f64 {
    let r = turn(p, t);
    let [a, b] = r;
    a * b
}

#[test]
fn untyped_array_results_assigned_and_destructured() {
    for (x, k) in [([0.3, 0.8], 1.2), ([-0.5, 0.1], 0.4)] {
        let (v, dx, dk) = swung_grad(x, k);
        assert_eq!(v.to_bits(), swung(x, k).to_bits());
        let f = |z: &[f64]| swung([z[0], z[1]], z[2]);
        check_gradient(f, &[x[0], x[1], k], &[dx[0], dx[1], dk], FD_TOL).unwrap();
        let (v, dx, dk) = turned_grad(x, k);
        assert_eq!(v.to_bits(), turned(x, k).to_bits());
        let f = |z: &[f64]| turned([z[0], z[1]], z[2]);
        check_gradient(f, &[x[0], x[1], k], &[dx[0], dx[1], dk], FD_TOL).unwrap();
    }
}

/// A call's array result bound without a type, then returned as the tail.
#[allow(clippy::let_and_return)] // the form under test
#[differentiable]
fn turned_back(p: [f64; 2], t: f64) -> [f64; 2] {
    let r = turn(p, t);
    r
}

#[test]
fn untyped_array_result_returned() {
    let (p, t) = ([0.3, 0.8], 0.6);
    let (v, rows) = turned_back_jacobian(p, t);
    assert_eq!(v, turned_back(p, t));
    assert_eq!(v, turn(p, t));
    for (i, row) in rows.iter().enumerate() {
        let f = |z: &[f64]| turned_back([z[0], z[1]], z[2])[i];
        check_gradient(f, &[p[0], p[1], t], row, FD_TOL).unwrap();
    }
}
