//! The classics with loops, branches, early exits, local arrays and calls. Each function is
//! checked against central differences AND against the same computation written by hand on
//! the tape engine, with the value bit for bit against the plain function. Every branch is
//! taken both ways and every loop runs zero, one and many times.

use grad::check::check_gradient;
use grad::prelude::*;
use grad::tape::Value;

const FD_TOL: f64 = 1e-6;
const TAPE_TOL: f64 = 1e-11;

/// What a point must satisfy: the value is the plain function's bit for bit, the gradient
/// agrees with the tape engine's and (where `fd`) with central differences.
#[track_caller]
fn check(
    what: &str,
    x: &[f64],
    (value, grad): (f64, Vec<f64>),
    plain: impl Fn(&[f64]) -> f64,
    on_tape: impl Fn(&[Value]) -> Value,
    fd: bool,
) {
    let what = format!("{what} at {x:?}");
    let p = plain(x);
    assert_eq!(
        value.to_bits(),
        p.to_bits(),
        "{what}: value {value:e} vs plain {p:e}"
    );
    assert_eq!(grad.len(), x.len(), "{what}: gradient length");
    let t = leaves(x);
    let out = on_tape(&t);
    out.backward();
    assert_close(
        &format!("{what}: value vs tape"),
        value,
        out.data(),
        TAPE_TOL,
    );
    for (i, (&g, tg)) in grad.iter().zip(grads(&t)).enumerate() {
        assert_close(&format!("{what}: d[{i}] vs tape"), g, tg, TAPE_TOL);
    }
    if fd {
        if let Err(e) = check_gradient(&plain, x, &grad, FD_TOL) {
            panic!("{what}: {e} (gradient {grad:?})");
        }
    }
}

/// A slice and a scalar packed into one point (`xs` then `s`).
fn pack(xs: &[f64], s: f64) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.push(s);
    v
}

// ===== Rosenbrock over a slice ===============================================================

fn rosenbrock_tape(x: &[Value]) -> Value {
    let mut s = Value::new(0.0);
    for i in 0..x.len() - 1 {
        let a = 1.0 - &x[i];
        let b = &x[i + 1] - &x[i] * &x[i];
        s += &a * &a + 100.0 * &b * &b;
    }
    s
}

#[test]
fn rosenbrock_zero_one_many_trips() {
    for x in [
        vec![0.3],
        vec![1.2, 0.7],
        vec![1.2, 0.7, -0.3, 2.0, 0.1, -1.1],
        vec![1.0, 1.0, 1.0],
    ] {
        check(
            "rosenbrock",
            &x,
            rosenbrock_grad(&x),
            rosenbrock,
            rosenbrock_tape,
            true,
        );
    }
    // At the minimum the gradient is exactly zero.
    assert_eq!(rosenbrock_grad(&[1.0, 1.0, 1.0]), (0.0, vec![0.0; 3]));
    // One element: no trips, value 0, gradient 0.
    assert_eq!(rosenbrock_grad(&[0.3]), (0.0, vec![0.0]));
}

// ===== logsumexp with the max shift ==========================================================

fn logsumexp_tape(xs: &[Value]) -> Value {
    let mut m = xs[0].clone();
    for v in xs {
        if v.data() > m.data() {
            m = v.clone();
        }
    }
    let mut s = Value::new(0.0);
    for v in xs {
        s += (v - &m).exp();
    }
    &m + s.ln()
}

fn softmax(xs: &[f64]) -> Vec<f64> {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = xs.iter().map(|x| (x - m).exp()).collect();
    let z: f64 = e.iter().sum();
    e.iter().map(|x| x / z).collect()
}

#[test]
fn logsumexp_gradient_is_softmax() {
    for x in [
        vec![0.5],
        vec![1.0, 2.0, 3.0, 4.0],    // the max moves at every step
        vec![4.0, 3.0, 2.0, 1.0],    // the max never moves
        vec![-1.0, 2.5, 0.3, 2.4],   // moves once
        vec![1000.0, 1001.0, 999.5], // would overflow without the shift
    ] {
        let (v, g) = logsumexp_grad(&x);
        for (i, (&gi, si)) in g.iter().zip(softmax(&x)).enumerate() {
            assert_close(&format!("logsumexp d[{i}] vs softmax"), gi, si, 1e-14);
        }
        assert!(v.is_finite());
        check("logsumexp", &x, (v, g), logsumexp, logsumexp_tape, true);
    }
}

// ===== softmax cross-entropy =================================================================

// Index loops are the form under test here.
#[allow(clippy::needless_range_loop)]
#[differentiable]
fn cross_entropy(logits: &[f64], target: usize) -> f64 {
    let mut m = logits[0];
    for i in 1..logits.len() {
        m = m.max(logits[i]);
    }
    let mut z = 0.0;
    for &l in logits {
        z += (l - m).exp();
    }
    m + z.ln() - logits[target]
}

fn cross_entropy_tape(logits: &[Value], target: usize) -> Value {
    let mut m = logits[0].clone();
    for l in &logits[1..] {
        m = m.max(l);
    }
    let mut z = Value::new(0.0);
    for l in logits {
        z += (l - &m).exp();
    }
    &m + z.ln() - &logits[target]
}

#[test]
fn cross_entropy_gradient_is_softmax_minus_one_hot() {
    let logits = [2.0, -1.0, 0.5, 3.0, 0.0];
    for target in 0..logits.len() {
        let (v, g) = cross_entropy_grad(&logits, target);
        let mut want = softmax(&logits);
        want[target] -= 1.0;
        for i in 0..g.len() {
            assert_close("cross-entropy gradient", g[i], want[i], 1e-14);
        }
        check(
            "cross_entropy",
            &logits,
            (v, g),
            |l| cross_entropy(l, target),
            |l| cross_entropy_tape(l, target),
            true,
        );
    }
    // One logit: the loss is 0 whatever it is, and so is the gradient.
    let (v, g) = cross_entropy_grad(&[7.0], 0);
    assert_eq!(v, 0.0);
    assert_eq!(g, vec![0.0]);
}

// ===== a dense tanh layer with local arrays ==================================================

/// `n_out` neurons over the inputs `x`; neuron `j` has weights
/// `w[j (n_in + 1) .. j (n_in + 1) + n_in]` and bias `w[j (n_in + 1) + n_in]`.
// Index loops are the form under test here.
#[allow(clippy::needless_range_loop)]
#[differentiable]
fn dense_tanh(w: &[f64], x: &[f64], n_out: usize) -> f64 {
    let n_in = x.len();
    let mut z = [0.0; 16];
    let mut h = [0.0; 16];
    for j in 0..n_out {
        let row = j * (n_in + 1);
        z[j] = w[row + n_in];
        for i in 0..n_in {
            z[j] += w[row + i] * x[i];
        }
        h[j] = z[j].tanh();
    }
    let mut loss = 0.0;
    for j in 0..n_out {
        let target = j as f64 * 0.25 - 0.5;
        let e = h[j] - target;
        loss += e * e;
    }
    0.5 * loss
}

fn dense_tanh_tape(w: &[Value], x: &[Value], n_out: usize) -> Value {
    let n_in = x.len();
    let mut h = Vec::new();
    for j in 0..n_out {
        let row = j * (n_in + 1);
        let mut z = w[row + n_in].clone();
        for i in 0..n_in {
            z += &w[row + i] * &x[i];
        }
        h.push(z.tanh());
    }
    let mut loss = Value::new(0.0);
    for (j, hj) in h.iter().enumerate() {
        let e = hj - (j as f64 * 0.25 - 0.5);
        loss += &e * &e;
    }
    0.5 * loss
}

#[test]
fn dense_tanh_layer() {
    let x = [0.5, -1.2, 0.8];
    let n_in = x.len();
    for n_out in [0usize, 1, 5] {
        let w: Vec<f64> = (0..n_out * (n_in + 1))
            .map(|k| ((k as f64) * 0.37).sin() * 0.8)
            .collect();
        let (v, dw, dx) = dense_tanh_grad(&w, &x, n_out);
        let mut g = dw.clone();
        g.extend(&dx);
        let nw = w.len();
        let point = [w.as_slice(), x.as_slice()].concat();
        check(
            &format!("dense_tanh n_out={n_out}"),
            &point,
            (v, g),
            |p| dense_tanh(&p[..nw], &p[nw..], n_out),
            |p| dense_tanh_tape(&p[..nw], &p[nw..], n_out),
            true,
        );
        if n_out == 0 {
            assert_eq!(v, 0.0);
            assert_eq!(dx, vec![0.0; 3]);
        }
    }
}

// ===== Newton / Babylonian square root ======================================================

fn babylonian_tape(x: &Value, iters: usize) -> Value {
    let mut g = x.clone();
    for _ in 0..iters {
        g = 0.5 * (&g + x / &g);
    }
    g
}

#[test]
fn babylonian_sqrt_by_while() {
    for x in [0.3, 2.0, 9.0, 150.0] {
        for iters in [0usize, 1, 2, 60] {
            let (v, d) = babylonian_grad(x, iters);
            check(
                &format!("babylonian iters={iters}"),
                &[x],
                (v, vec![d]),
                |p| babylonian(p[0], iters),
                |p| babylonian_tape(&p[0], iters),
                true,
            );
            match iters {
                0 => assert_eq!((v, d), (x, 1.0)),
                1 => assert_eq!(d, 0.5),
                60 => {
                    assert_close("sqrt", v, x.sqrt(), 1e-15);
                    assert_close("sqrt'", d, 0.5 / x.sqrt(), 1e-12);
                }
                _ => {}
            }
        }
    }
}

/// A `while` whose trip count depends on the data.
#[differentiable]
fn sqrt_until_converged(x: f64) -> f64 {
    let mut g = if x > 1.0 { x } else { 1.0 };
    while (g * g - x).abs() > 1e-12 * x {
        g = 0.5 * (g + x / g);
    }
    g
}

fn sqrt_until_converged_tape(x: &Value) -> Value {
    let mut g = if x.data() > 1.0 {
        x.clone()
    } else {
        Value::new(1.0)
    };
    while (g.data() * g.data() - x.data()).abs() > 1e-12 * x.data() {
        g = 0.5 * (&g + x / &g);
    }
    g
}

#[test]
fn while_with_a_data_dependent_trip_count() {
    for x in [0.25, 2.0, 9.0, 1e4] {
        let (v, d) = sqrt_until_converged_grad(x);
        check(
            "sqrt_until_converged",
            &[x],
            (v, vec![d]),
            |p| sqrt_until_converged(p[0]),
            |p| sqrt_until_converged_tape(&p[0]),
            true,
        );
        assert_close("sqrt'", d, 0.5 / x.sqrt(), 1e-9);
    }
    // x = 1: the guess is the constant 1 and the loop runs zero times, so the program's
    // derivative is 0 (the constant branch), whatever sqrt'(1) is.
    let (v, d) = sqrt_until_converged_grad(1.0);
    assert_eq!((v, d), (1.0, 0.0));
    check(
        "sqrt_until_converged",
        &[1.0],
        (v, vec![d]),
        |p| sqrt_until_converged(p[0]),
        |p| sqrt_until_converged_tape(&p[0]),
        false,
    );
}

// ===== a power by repeated multiplication ===================================================

#[differentiable]
fn pow_loop(x: f64, n: u32) -> f64 {
    let mut p = 1.0;
    for _ in 0..n {
        p *= x;
    }
    p
}

#[test]
fn power_with_a_run_time_exponent() {
    for x in [-1.5, 0.5, 2.0] {
        for n in [0u32, 1, 2, 7] {
            let (v, d) = pow_loop_grad(x, n);
            check(
                &format!("pow_loop n={n}"),
                &[x],
                (v, vec![d]),
                |p| pow_loop(p[0], n),
                |p| {
                    let mut acc = Value::new(1.0);
                    for _ in 0..n {
                        acc *= &p[0];
                    }
                    acc
                },
                true,
            );
            let want = if n == 0 {
                0.0
            } else {
                f64::from(n) * x.powi(n as i32 - 1)
            };
            assert_close("pow_loop'", d, want, 1e-14);
        }
    }
    assert_eq!(pow_loop_grad(3.0, 0), (1.0, 0.0));
    assert_eq!(pow_loop_grad(3.0, 1), (3.0, 1.0));
}

// ===== piecewise with early return ==========================================================

#[differentiable]
fn piecewise(x: f64) -> f64 {
    if x < -1.0 {
        return -2.0 * x - 1.0;
    }
    if x > 2.0 {
        let y = x.ln() * 3.0;
        return y + 8.0 - 3.0 * 2.0f64.ln();
    }
    x * x * x
}

fn piecewise_tape(x: &Value) -> Value {
    if x.data() < -1.0 {
        -2.0 * x - 1.0
    } else if x.data() > 2.0 {
        x.ln() * 3.0 + 8.0 - 3.0 * 2.0f64.ln()
    } else {
        x * x * x
    }
}

#[test]
fn early_return_both_branches() {
    for (x, want) in [
        (-3.0, -2.0),
        (-0.5, 0.75),
        (0.0, 0.0),
        (1.5, 6.75),
        (5.0, 0.6),
    ] {
        let (v, d) = piecewise_grad(x);
        assert_close("piecewise'", d, want, 1e-14);
        check(
            "piecewise",
            &[x],
            (v, vec![d]),
            |p| piecewise(p[0]),
            |p| piecewise_tape(&p[0]),
            true,
        );
    }
}

/// `return` from inside a loop inside an `if`.
// Index loops are the form under test here.
#[allow(clippy::needless_range_loop)]
#[differentiable]
fn first_above(xs: &[f64], t: f64) -> f64 {
    for i in 0..xs.len() {
        if xs[i] > t {
            return xs[i] * xs[i] * (i as f64 + 1.0);
        }
    }
    -t
}

fn first_above_tape(xs: &[Value], t: &Value) -> Value {
    for (i, x) in xs.iter().enumerate() {
        if x.data() > t.data() {
            return x * x * (i as f64 + 1.0);
        }
    }
    -t
}

#[test]
fn return_from_inside_a_loop() {
    let xs = [0.5, 2.0, -1.0, 3.0];
    for t in [0.0, 1.0, 2.5, 10.0] {
        let (v, dxs, dt) = first_above_grad(&xs, t);
        check(
            &format!("first_above t={t}"),
            &pack(&xs, t),
            (v, pack(&dxs, dt)),
            |p| first_above(&p[..4], p[4]),
            |p| first_above_tape(&p[..4], &p[4]),
            true,
        );
    }
    // Not found: the result is -t.
    assert_eq!(first_above_grad(&xs, 10.0), (-10.0, vec![0.0; 4], -1.0));
    // Found at index 1: 2 * 2^2, derivative 2 * 2 * 2 = 8 with respect to xs[1].
    assert_eq!(
        first_above_grad(&xs, 1.0),
        (8.0, vec![0.0, 8.0, 0.0, 0.0], 0.0)
    );
    // The empty slice: zero trips.
    assert_eq!(first_above_grad(&[], 1.5), (-1.5, vec![], -1.0));
}

// ===== iterating over slices =================================================================

#[differentiable]
fn weighted_squares(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, &v) in xs.iter().enumerate() {
        s += (i as f64 + 1.0) * v * v;
    }
    s
}

#[differentiable]
fn iter_forms(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in xs.iter() {
        s += v.sin();
    }
    for (i, v) in xs.iter().enumerate() {
        s += *v * i as f64;
    }
    for &v in xs {
        s *= 1.0 + 0.1 * v;
    }
    for _ in xs {
        s += 1.0;
    }
    s
}

fn iter_forms_tape(xs: &[Value]) -> Value {
    let mut s = Value::new(0.0);
    for v in xs {
        s += v.sin();
    }
    for (i, v) in xs.iter().enumerate() {
        s += v * i as f64;
    }
    for v in xs {
        s *= 1.0 + 0.1 * v;
    }
    for _ in xs {
        s += 1.0;
    }
    s
}

#[test]
fn iterating_slices() {
    for xs in [vec![], vec![1.5], vec![0.5, -2.0, 1.0, 3.0]] {
        let (v, g) = weighted_squares_grad(&xs);
        let want: Vec<f64> = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| 2.0 * (i as f64 + 1.0) * x)
            .collect();
        assert_eq!(g, want);
        check(
            "weighted_squares",
            &xs,
            (v, g),
            weighted_squares,
            |p| {
                let mut s = Value::new(0.0);
                for (i, v) in p.iter().enumerate() {
                    s += (i as f64 + 1.0) * v * v;
                }
                s
            },
            true,
        );
        check(
            "iter_forms",
            &xs,
            iter_forms_grad(&xs),
            iter_forms,
            iter_forms_tape,
            true,
        );
    }
}

// ===== .rev() and .step_by(k) ================================================================

#[differentiable]
fn pairs(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in (0..xs.len() - 1).step_by(2) {
        s += xs[i] * xs[i + 1];
    }
    s
}

#[differentiable]
fn odd_terms(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for k in (1..=n).rev().step_by(2) {
        s += x.powi(k as i32) / k as f64;
    }
    s
}

#[test]
fn reversed_and_stepped_ranges() {
    for c in [vec![], vec![2.0], vec![1.0, -2.0, 0.5, 3.0]] {
        for x in [-1.5, 0.7] {
            let (v, dc, dx) = horner_grad(&c, x);
            let n = c.len();
            check(
                "horner",
                &pack(&c, x),
                (v, pack(&dc, dx)),
                |p| horner(&p[..n], p[n]),
                |p| {
                    let mut acc = Value::new(0.0);
                    for ci in p[..n].iter().rev() {
                        acc = acc * &p[n] + ci;
                    }
                    acc
                },
                true,
            );
            // d/dc_i = x^i.
            for (i, &d) in dc.iter().enumerate() {
                assert_close("horner d/dc", d, x.powi(i as i32), 1e-14);
            }
        }
    }
    for xs in [vec![1.0], vec![1.0, 2.0], vec![1.0, 2.0, 3.0, 4.0, 5.0]] {
        check(
            "pairs",
            &xs,
            pairs_grad(&xs),
            pairs,
            |p| {
                let mut s = Value::new(0.0);
                for i in (0..p.len() - 1).step_by(2) {
                    s += &p[i] * &p[i + 1];
                }
                s
            },
            true,
        );
    }
    // Five elements: pairs (0,1) and (2,3); the last is unused.
    assert_eq!(
        pairs_grad(&[1.0, 2.0, 3.0, 4.0, 5.0]).1,
        vec![2.0, 1.0, 4.0, 3.0, 0.0]
    );
    for n in [0usize, 1, 2, 6] {
        let x = 0.8;
        let (v, d) = odd_terms_grad(x, n);
        let want: f64 = (1..=n).rev().step_by(2).map(|k| x.powi(k as i32 - 1)).sum();
        assert_close("odd_terms'", d, want, 1e-14);
        check(
            &format!("odd_terms n={n}"),
            &[x],
            (v, vec![d]),
            |p| odd_terms(p[0], n),
            |p| {
                let mut s = Value::new(0.0);
                for k in (1..=n).rev().step_by(2) {
                    s += p[0].powi(k as i32) / k as f64;
                }
                s
            },
            true,
        );
    }
}

// ===== break and continue in nested loops ===================================================

#[differentiable]
fn nested_break_continue(xs: &[f64], limit: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        if xs[i] < 0.0 {
            continue;
        }
        for j in 0..xs.len() {
            if j > i {
                break;
            }
            if xs[j] < 0.0 {
                continue;
            }
            s += xs[i] * xs[j];
        }
        if s > limit {
            break;
        }
    }
    s
}

fn nested_break_continue_tape(xs: &[Value], limit: f64) -> Value {
    let mut s = Value::new(0.0);
    for i in 0..xs.len() {
        if xs[i].data() < 0.0 {
            continue;
        }
        for j in 0..xs.len() {
            if j > i {
                break;
            }
            if xs[j].data() < 0.0 {
                continue;
            }
            s += &xs[i] * &xs[j];
        }
        if s.data() > limit {
            break;
        }
    }
    s
}

#[test]
fn break_and_continue_in_nested_loops() {
    let xs = [1.5, -0.5, 2.0, 0.7, -1.0, 1.1];
    // limit 100: never breaks out; 3: breaks out after i = 2; -1: breaks after i = 0.
    for limit in [100.0, 3.0, -1.0] {
        let (v, dxs, dl) = nested_break_continue_grad(&xs, limit);
        assert_eq!(dl, 0.0);
        check(
            &format!("nested_break_continue limit={limit}"),
            &pack(&xs, limit),
            (v, pack(&dxs, dl)),
            |p| nested_break_continue(&p[..6], p[6]),
            |p| nested_break_continue_tape(&p[..6], p[6].data()),
            true,
        );
    }
    // All negative: every outer trip continues at once.
    let neg = [-1.0, -2.0];
    assert_eq!(
        nested_break_continue_grad(&neg, 1.0),
        (0.0, vec![0.0, 0.0], 0.0)
    );
    assert_eq!(nested_break_continue_grad(&[], 1.0), (0.0, vec![], 0.0));
}

#[differentiable]
fn loop_with_break(x: f64, n: usize) -> f64 {
    let mut k = 0;
    let mut y = x;
    loop {
        y = y.sin() + x;
        k += 1;
        if k >= n {
            break;
        }
    }
    y
}

#[test]
fn loop_and_break() {
    for n in [0usize, 1, 2, 12] {
        for x in [0.3, -1.2] {
            let (v, d) = loop_with_break_grad(x, n);
            check(
                &format!("loop_with_break n={n}"),
                &[x],
                (v, vec![d]),
                |p| loop_with_break(p[0], n),
                |p| {
                    let mut y = p[0].clone();
                    for _ in 0..n.max(1) {
                        y = y.sin() + &p[0];
                    }
                    y
                },
                true,
            );
        }
    }
}

// ===== if expressions and boolean conditions ================================================

#[differentiable]
fn if_expression(x: f64, y: f64) -> f64 {
    let a = x * y;
    let b = x + y;
    let z = if x > 0.0 { a.exp() } else { b * b };
    let w = if y > 1.0 {
        z * 2.0
    } else if y > -1.0 {
        z + y
    } else {
        -z
    };
    w * x
}

fn if_expression_tape(x: &Value, y: &Value) -> Value {
    let a = x * y;
    let b = x + y;
    let z = if x.data() > 0.0 { a.exp() } else { &b * &b };
    let w = if y.data() > 1.0 {
        z * 2.0
    } else if y.data() > -1.0 {
        z + y
    } else {
        -z
    };
    w * x
}

#[test]
fn if_expressions_every_branch() {
    for x in [-0.7, 0.6] {
        for y in [-2.0, 0.3, 1.5] {
            let (v, dx, dy) = if_expression_grad(x, y);
            check(
                "if_expression",
                &[x, y],
                (v, vec![dx, dy]),
                |p| if_expression(p[0], p[1]),
                |p| if_expression_tape(&p[0], &p[1]),
                true,
            );
        }
    }
}

// `!(x > 2.0)` tests `!` on a comparison.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
#[differentiable]
fn logic(x: f64, y: f64) -> f64 {
    let mut s = x * y;
    if x > 0.0 && y > 0.0 {
        s += x.sqrt() * y.sqrt();
    }
    if x < -1.0 || y < -1.0 {
        s *= x;
    }
    if !(x > 2.0) {
        s -= y;
    }
    let big = x > 1.0 || y > 1.0;
    if big && !(x > 3.0 && y > 3.0) {
        s += x * 0.5;
    }
    s
}

fn logic_tape(x: &Value, y: &Value) -> Value {
    let (xd, yd) = (x.data(), y.data());
    let mut s = x * y;
    if xd > 0.0 && yd > 0.0 {
        s += x.sqrt() * y.sqrt();
    }
    if xd < -1.0 || yd < -1.0 {
        s *= x;
    }
    if xd <= 2.0 {
        s -= y;
    }
    if (xd > 1.0 || yd > 1.0) && !(xd > 3.0 && yd > 3.0) {
        s += x * 0.5;
    }
    s
}

#[test]
fn and_or_not_conditions() {
    for x in [-2.0, -0.5, 0.5, 2.5, 4.0] {
        for y in [-3.0, 0.25, 1.5, 5.0] {
            let (v, dx, dy) = logic_grad(x, y);
            check(
                "logic",
                &[x, y],
                (v, vec![dx, dy]),
                |p| logic(p[0], p[1]),
                |p| logic_tape(&p[0], &p[1]),
                true,
            );
        }
    }
}

/// `&&` must short-circuit: `xs[i]` is out of bounds when `i >= xs.len()`.
#[differentiable]
fn guarded_index(xs: &[f64], i: usize) -> f64 {
    if i < xs.len() && xs[i] > 0.0 {
        xs[i] * 2.0
    } else {
        1.0
    }
}

#[test]
fn short_circuit_is_kept() {
    let xs = [1.0, -2.0];
    assert_eq!(guarded_index_grad(&xs, 0), (2.0, vec![2.0, 0.0]));
    assert_eq!(guarded_index_grad(&xs, 1), (1.0, vec![0.0, 0.0]));
    assert_eq!(guarded_index_grad(&xs, 5), (1.0, vec![0.0, 0.0]));
    assert_eq!(guarded_index(&xs, 5), 1.0);
}

// ===== a vec![0.0; k] buffer with run-time k ================================================

// Index loops are the form under test here.
#[allow(clippy::needless_range_loop)]
#[differentiable]
fn prefix_squares(xs: &[f64], k: usize) -> f64 {
    let mut buf = vec![0.0; k];
    let mut acc = 0.0;
    for i in 0..k {
        acc += xs[i % xs.len()];
        buf[i] = acc * acc;
    }
    let mut s = 0.0;
    for i in 0..buf.len() {
        s += buf[i] * (i as f64 + 1.0);
    }
    s
}

fn prefix_squares_tape(xs: &[Value], k: usize) -> Value {
    let mut acc = Value::new(0.0);
    let mut buf = Vec::new();
    for i in 0..k {
        acc += &xs[i % xs.len()];
        buf.push(&acc * &acc);
    }
    let mut s = Value::new(0.0);
    for (i, b) in buf.iter().enumerate() {
        s += b * (i as f64 + 1.0);
    }
    s
}

#[test]
fn run_time_vec_buffer() {
    let xs = [0.5, -1.5, 2.0];
    for k in [0usize, 1, 2, 7] {
        check(
            &format!("prefix_squares k={k}"),
            &xs,
            prefix_squares_grad(&xs, k),
            |p| prefix_squares(p, k),
            |p| prefix_squares_tape(p, k),
            true,
        );
    }
    assert_eq!(prefix_squares_grad(&xs, 0), (0.0, vec![0.0; 3]));
}

/// A local array declared inside a loop: a fresh array (and a fresh adjoint) every trip.
#[differentiable]
fn local_array_in_loop(xs: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for k in 0..n {
        let mut h = [0.0; 4];
        for i in 0..4 {
            h[i] = xs[i] * (k as f64 + 1.0);
        }
        h[k % 4] = h[k % 4].sin();
        s += h[0] * h[1] + h[2] * h[3];
    }
    s
}

fn local_array_in_loop_tape(xs: &[Value], n: usize) -> Value {
    let mut s = Value::new(0.0);
    for k in 0..n {
        let mut h: Vec<Value> = xs.iter().map(|x| x * (k as f64 + 1.0)).collect();
        h[k % 4] = h[k % 4].sin();
        s += &h[0] * &h[1] + &h[2] * &h[3];
    }
    s
}

#[test]
fn local_array_declared_in_a_loop() {
    let xs = [0.3, -0.4, 0.5, 0.2];
    for n in [0usize, 1, 5] {
        check(
            &format!("local_array_in_loop n={n}"),
            &xs,
            local_array_in_loop_grad(&xs, n),
            |p| local_array_in_loop(p, n),
            |p| local_array_in_loop_tape(p, n),
            true,
        );
    }
}

// ===== a loop-carried value overwritten many times ==========================================

#[differentiable]
fn overwritten(x: f64, a: f64, n: usize) -> f64 {
    let mut g = x;
    for _ in 0..n {
        g = 0.5 * (g + a / g);
    }
    g * x
}

#[test]
fn loop_carried_value_overwritten_many_times() {
    for n in [0usize, 1, 3, 200] {
        for (x, a) in [(1.5, 2.0), (4.0, 10.0)] {
            let (v, dx, da) = overwritten_grad(x, a, n);
            check(
                &format!("overwritten n={n}"),
                &[x, a],
                (v, vec![dx, da]),
                |p| overwritten(p[0], p[1], n),
                |p| {
                    let mut g = p[0].clone();
                    for _ in 0..n {
                        g = 0.5 * (&g + &p[1] / &g);
                    }
                    g * &p[0]
                },
                true,
            );
            if n == 200 {
                // g = sqrt(a) whatever the start: d/dx = sqrt(a), d/da = x / (2 sqrt a).
                assert_close("dx", dx, a.sqrt(), 1e-12);
                assert_close("da", da, x / (2.0 * a.sqrt()), 1e-12);
            }
        }
    }
}

// ===== calls between differentiable functions ===============================================

#[differentiable]
fn sq(x: f64) -> f64 {
    x * x
}

#[differentiable]
fn affine(x: f64, a: f64, b: f64) -> f64 {
    a * x + b
}

mod inner {
    use grad::prelude::*;

    #[differentiable]
    pub fn cube(x: f64) -> f64 {
        x * x * x
    }

    #[differentiable]
    pub fn scaled_pow(x: f64, k: i32) -> f64 {
        x.powi(k) * 0.5
    }

    pub mod deeper {
        use grad::prelude::*;

        #[differentiable]
        pub fn sin_plus(x: f64, y: f64) -> f64 {
            x.sin() + y
        }
    }
}

#[differentiable]
fn caller(x: f64, y: f64) -> f64 {
    let a = sq(x) + sq(x * y) * inner::cube(y);
    let b = inner::scaled_pow(y, 3) + crate::sq(y - 1.0);
    let c = affine(x, 2.0, y) + affine(3.0, x, -1.0);
    let d = inner::deeper::sin_plus(a * 0.1, 2.0) + self::inner::cube(1.5);
    a + b * c + d
}

fn caller_tape(x: &Value, y: &Value) -> Value {
    let sq = |v: &Value| v * v;
    let cube = |v: &Value| v * v * v;
    let a = sq(x) + sq(&(x * y)) * cube(y);
    let b = y.powi(3) * 0.5 + sq(&(y - 1.0));
    let c = (x * 2.0 + y) + (3.0 * x + -1.0);
    let d = ((&a * 0.1).sin() + 2.0) + 1.5f64.powi(3);
    &a + &b * &c + d
}

#[differentiable]
fn caller_in_loop(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for &v in xs {
        s += sq(v) + inner::cube(v - 1.0);
    }
    sq(s)
}

#[test]
fn calls_between_differentiable_functions() {
    for (x, y) in [(0.5, -1.5), (1.2, 0.8)] {
        let (v, dx, dy) = caller_grad(x, y);
        check(
            "caller",
            &[x, y],
            (v, vec![dx, dy]),
            |p| caller(p[0], p[1]),
            |p| caller_tape(&p[0], &p[1]),
            true,
        );
    }
    for xs in [vec![], vec![0.5], vec![0.5, -1.0, 2.0]] {
        check(
            "caller_in_loop",
            &xs,
            caller_in_loop_grad(&xs),
            caller_in_loop,
            |p| {
                let mut s = Value::new(0.0);
                for v in p {
                    let w = v - 1.0;
                    s += v * v + &w * &w * &w;
                }
                &s * &s
            },
            true,
        );
    }
}

// ===== custom derivative rules ==============================================================

fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

/// Custom rule: the derivative of softplus is the logistic function.
fn softplus_grad(x: f64) -> (f64, f64) {
    (softplus(x), 1.0 / (1.0 + (-x).exp()))
}

#[differentiable]
fn softplus_model(w: f64, x: f64) -> f64 {
    softplus(w * x) * 2.0 + softplus(-w)
}

/// A straight-through estimator: the value is rounded, the custom gradient is 1. Central
/// differences would say 0, so a gradient of `4 y` proves that the custom rule is used.
fn round_ste(x: f64) -> f64 {
    x.round()
}

fn round_ste_grad(x: f64) -> (f64, f64) {
    (x.round(), 1.0)
}

#[differentiable]
fn quantized(x: f64, y: f64) -> f64 {
    round_ste(x * 4.0) * y
}

#[test]
fn custom_derivative_rules() {
    for (w, x) in [(0.5, 2.0), (-1.5, 0.7), (20.0, 2.0)] {
        let (v, dw, dx) = softplus_model_grad(w, x);
        let sig = |t: f64| 1.0 / (1.0 + (-t).exp());
        check(
            "softplus_model",
            &[w, x],
            (v, vec![dw, dx]),
            |p| softplus_model(p[0], p[1]),
            |p| {
                let t = &p[0] * &p[1];
                // softplus(t) = ln(1 + e^t), written so that its tape derivative is sigmoid.
                let sp = |t: &Value| (t.exp() + 1.0).ln();
                sp(&t) * 2.0 + sp(&(-&p[0]))
            },
            true,
        );
        assert_close("dw", dw, 2.0 * x * sig(w * x) - sig(-w), 1e-14);
        assert_close("dx", dx, 2.0 * w * sig(w * x), 1e-14);
    }
    let (v, dx, dy) = quantized_grad(0.3, 2.5);
    assert_eq!(v.to_bits(), quantized(0.3, 2.5).to_bits());
    assert_eq!((v, dx, dy), (2.5, 10.0, 1.0));
}

// ===== more loop shapes ======================================================================

/// `continue` inside a `while` (the counter is bumped before it).
#[differentiable]
fn while_continue(x: f64, n: usize) -> f64 {
    let mut k = 0;
    let mut s = x;
    while k < n {
        k += 1;
        if k % 2 == 0 {
            continue;
        }
        s = s * x + 1.0;
    }
    s
}

/// A local array whose elements are read and overwritten through indices that alias.
// An index loop (no `copy_from_slice`) is the form under test here.
#[allow(clippy::manual_memcpy)]
#[differentiable]
fn aliased_overwrites(xs: &[f64], n: usize) -> f64 {
    let mut h = [0.0; 4];
    for i in 0..4 {
        h[i] = xs[i];
    }
    for k in 0..n {
        let i = k % 4;
        let j = (k * 3 + 1) % 4;
        h[i] = h[j] * h[i] + 0.5 * h[j];
    }
    h[0] + h[1] * h[2] - h[3]
}

/// Three levels: `for` in `for` in `while`, with indices built from all three counters.
#[differentiable]
fn triple_nested(xs: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        let mut t = 1.0;
        for j in 0..i {
            let mut k = 0;
            while k < j {
                t = t * xs[(i + j + k) % xs.len()] + 0.1;
                k += 1;
            }
            t += xs[j % xs.len()];
        }
        s += t;
    }
    s
}

/// `return` from inside a `while`, at a trip chosen by a parameter.
#[differentiable]
fn return_in_while(x: f64, n: usize) -> f64 {
    let mut k = 0;
    let mut g = x;
    while k < 100 {
        g = g.sin() + x;
        if k == n {
            return g * 2.0;
        }
        k += 1;
    }
    g
}

/// Values swapped through a temporary (Fibonacci).
#[differentiable]
fn fibonacci_swap(x: f64, y: f64, n: usize) -> f64 {
    let mut a = x;
    let mut b = y;
    for _ in 0..n {
        let t = a + b;
        a = b;
        b = t;
    }
    a * b
}

/// Recursion through the companion.
#[differentiable]
fn recursive_power(x: f64, n: u32) -> f64 {
    if n == 0 {
        1.0
    } else {
        x * recursive_power(x, n - 1)
    }
}

/// A running maximum that starts at `f64::NEG_INFINITY`.
#[differentiable]
fn running_max(xs: &[f64]) -> f64 {
    let mut m = f64::NEG_INFINITY;
    for &v in xs {
        m = m.max(v);
    }
    m * m
}

#[test]
fn more_loop_shapes() {
    for n in [0usize, 1, 2, 5] {
        let (v, d) = while_continue_grad(0.7, n);
        check(
            &format!("while_continue n={n}"),
            &[0.7],
            (v, vec![d]),
            |p| while_continue(p[0], n),
            |p| {
                let mut s = p[0].clone();
                for k in 1..=n {
                    if k % 2 == 1 {
                        s = &s * &p[0] + 1.0;
                    }
                }
                s
            },
            true,
        );
    }
    let x4 = [0.5, -0.3, 0.8, 1.1];
    for n in [0usize, 1, 3, 9] {
        check(
            &format!("aliased_overwrites n={n}"),
            &x4,
            aliased_overwrites_grad(&x4, n),
            |p| aliased_overwrites(p, n),
            |p| {
                let mut h: Vec<Value> = p.to_vec();
                for k in 0..n {
                    let (i, j) = (k % 4, (k * 3 + 1) % 4);
                    h[i] = &h[j] * &h[i] + 0.5 * &h[j];
                }
                &h[0] + &h[1] * &h[2] - &h[3]
            },
            true,
        );
        check(
            &format!("triple_nested n={n}"),
            &x4,
            triple_nested_grad(&x4, n),
            |p| triple_nested(p, n),
            |p| {
                let mut s = Value::new(0.0);
                for i in 0..n {
                    let mut t = Value::new(1.0);
                    for j in 0..i {
                        for k in 0..j {
                            t = t * &p[(i + j + k) % p.len()] + 0.1;
                        }
                        t += &p[j % p.len()];
                    }
                    s += t;
                }
                s
            },
            true,
        );
    }
    for n in [0usize, 1, 5, 200] {
        let (v, d) = return_in_while_grad(0.3, n);
        check(
            &format!("return_in_while n={n}"),
            &[0.3],
            (v, vec![d]),
            |p| return_in_while(p[0], n),
            |p| {
                let mut g = p[0].clone();
                for k in 0..100 {
                    g = g.sin() + &p[0];
                    if k == n {
                        return g * 2.0;
                    }
                }
                g
            },
            true,
        );
    }
    for n in [0usize, 1, 6] {
        let (v, dx, dy) = fibonacci_swap_grad(0.4, 0.9, n);
        check(
            &format!("fibonacci_swap n={n}"),
            &[0.4, 0.9],
            (v, vec![dx, dy]),
            |p| fibonacci_swap(p[0], p[1], n),
            |p| {
                let (mut a, mut b) = (p[0].clone(), p[1].clone());
                for _ in 0..n {
                    let t = &a + &b;
                    a = b;
                    b = t;
                }
                a * b
            },
            true,
        );
    }
    for n in [0u32, 1, 5] {
        let (v, d) = recursive_power_grad(1.3, n);
        check(
            &format!("recursive_power n={n}"),
            &[1.3],
            (v, vec![d]),
            |p| recursive_power(p[0], n),
            |p| {
                let mut acc = Value::new(1.0);
                for _ in 0..n {
                    acc = &p[0] * acc;
                }
                acc
            },
            true,
        );
    }
    // No element: the maximum stays -inf and its square is +inf.
    assert_eq!(running_max_grad(&[]), (f64::INFINITY, vec![]));
    for xs in [vec![0.5, 2.0, -1.0, 3.0, 1.5], vec![-4.0]] {
        check(
            "running_max",
            &xs,
            running_max_grad(&xs),
            running_max,
            |p| {
                let mut m = Value::new(f64::NEG_INFINITY);
                for v in p {
                    m = m.max(v);
                }
                &m * &m
            },
            true,
        );
    }
}

/// The same loop in `f32` (the per-call stack holds `f32`) and in `f64`.
#[differentiable]
fn loop_f32(xs: &[f32], n: usize) -> f32 {
    let mut h = [0.0; 4];
    let mut s = 0.0;
    for k in 0..n {
        for i in 0..xs.len() {
            h[i % 4] += xs[i] * (k as f32 + 1.0);
        }
        s = s * 0.5 + h[k % 4].tanh();
    }
    s
}

#[differentiable]
fn loop_f64(xs: &[f64], n: usize) -> f64 {
    let mut h = [0.0; 4];
    let mut s = 0.0;
    for k in 0..n {
        for i in 0..xs.len() {
            h[i % 4] += xs[i] * (k as f64 + 1.0);
        }
        s = s * 0.5 + h[k % 4].tanh();
    }
    s
}

#[test]
fn f32_loop_matches_f64() {
    let xs32 = [0.3f32, -0.2, 0.5];
    let xs64: Vec<f64> = xs32.iter().map(|&x| f64::from(x)).collect();
    for n in [0usize, 1, 5] {
        let (v32, g32) = loop_f32_grad(&xs32, n);
        assert_eq!(v32.to_bits(), loop_f32(&xs32, n).to_bits());
        let (v64, g64) = loop_f64_grad(&xs64, n);
        assert_close("f32 loop value", f64::from(v32), v64, 1e-5);
        for (a, b) in g32.iter().zip(&g64) {
            assert_close("f32 loop gradient", f64::from(*a), *b, 1e-5);
        }
        check(
            "loop_f64",
            &xs64,
            (v64, g64),
            |p| loop_f64(p, n),
            |p| {
                let mut h = vec![Value::new(0.0); 4];
                let mut s = Value::new(0.0);
                for k in 0..n {
                    for (i, x) in p.iter().enumerate() {
                        h[i % 4] = &h[i % 4] + x * (k as f64 + 1.0);
                    }
                    s = s * 0.5 + h[k % 4].tanh();
                }
                s
            },
            true,
        );
    }
}

// ===== activity that appears only after some trips =========================================

/// `c` depends on `x` only from the third trip on (through `b`, then `a`).
#[differentiable]
fn late_activity(x: f64, n: usize) -> f64 {
    let mut a = 1.0;
    let mut b = 1.0;
    let mut c = 1.0;
    let mut h = [1.0; 2];
    let mut k = 0;
    while k < n {
        c = b * 3.0;
        b = a * 2.0;
        a = x;
        h[1] = h[0] * 2.0;
        h[0] = x * x;
        k += 1;
    }
    c + h[1]
}

#[test]
fn activity_that_appears_late() {
    for n in [0usize, 1, 2, 3, 6] {
        let (v, d) = late_activity_grad(1.5, n);
        check(
            &format!("late_activity n={n}"),
            &[1.5],
            (v, vec![d]),
            |p| late_activity(p[0], n),
            |p| {
                let (mut a, mut b, mut c) = (Value::new(1.0), Value::new(1.0), Value::new(1.0));
                let mut h = [Value::new(1.0), Value::new(1.0)];
                for _ in 0..n {
                    c = &b * 3.0;
                    b = &a * 2.0;
                    a = p[0].clone();
                    h[1] = &h[0] * 2.0;
                    h[0] = &p[0] * &p[0];
                }
                c + &h[1]
            },
            true,
        );
        let want = match n {
            0 | 1 => 0.0,
            2 => 6.0,
            _ => 6.0 + 6.0,
        };
        assert_eq!(d, want, "late_activity n={n}");
    }
}

// ===== constants as call arguments ===========================================================

use std::f64::consts::PI;

mod common;
use common::workloads::{
    babylonian, babylonian_grad, horner, horner_grad, logsumexp, logsumexp_grad, rosenbrock,
    rosenbrock_grad,
};
use common::{assert_close, grads, leaves};
const SCALE: f64 = 1.5;
const POWER: i32 = 3;

/// Constants passed to a differentiable function through a typed binding (the documented way).
#[differentiable]
fn constants_as_arguments(x: f64) -> f64 {
    let pi: f64 = PI;
    let scale: f64 = SCALE;
    let power: i32 = POWER;
    affine(x, pi, scale) + inner::scaled_pow(x, power)
}

#[test]
fn constants_passed_to_calls() {
    for x in [0.5, 2.0] {
        let (v, d) = constants_as_arguments_grad(x);
        check(
            "constants_as_arguments",
            &[x],
            (v, vec![d]),
            |p| constants_as_arguments(p[0]),
            |p| (PI * &p[0] + SCALE) + p[0].powi(POWER) * 0.5,
            true,
        );
    }
}

/// Constants written directly as call arguments (`PI` imported, user `const`s of float and
/// integer types): the companion's partials are matched to the float arguments by their types.
#[differentiable]
fn constant_arguments(x: f64) -> f64 {
    affine(x, PI, SCALE) + inner::scaled_pow(x, POWER)
}

#[test]
fn constants_written_as_call_arguments() {
    for x in [0.5, -1.25, 2.0] {
        let (v, d) = constant_arguments_grad(x);
        check(
            "constant_arguments",
            &[x],
            (v, vec![d]),
            |p| constant_arguments(p[0]),
            |p| (PI * &p[0] + SCALE) + p[0].powi(POWER) * 0.5,
            true,
        );
    }
}

// ===== bugs found: regression tests and reproducers ========================================

/// Method calls on a constant parameter inside a loop body are not pure: the reverse sweep
/// must not recompute them. (Found by these tests: the loop-body replay of 0892113 re-ran
/// `c.replace(..)` during the reverse sweep, so `d/dx` came out 15 instead of `1 + 2 + 3 = 6`
/// and the counter ended at 7 instead of 4; fixed in 04093c2.)
#[differentiable(wrt(x))]
fn counter_in_loop(x: f64, c: &std::cell::Cell<u32>) -> f64 {
    let mut s = 0.0;
    for _ in 0..3 {
        let k = c.replace(c.get() + 1) as f64;
        s += x * k;
    }
    s
}

/// The same without a second side effect: a replayed `c.get()` after `c.set(..)` would see the
/// last count (3) on every trip, giving `d/dx = 9` instead of 6.
#[differentiable(wrt(x))]
fn counter_read_in_loop(x: f64, c: &std::cell::Cell<u32>) -> f64 {
    let mut s = 0.0;
    for _ in 0..3 {
        c.set(c.get() + 1);
        let k = c.get() as f64;
        s += x * k;
    }
    s
}

#[test]
fn impure_method_calls_are_not_replayed() {
    let c = std::cell::Cell::new(1);
    let plain = counter_in_loop(2.0, &c);
    assert_eq!((plain, c.get()), (12.0, 4));
    let c = std::cell::Cell::new(1);
    let (v, d) = counter_in_loop_grad(2.0, &c);
    assert_eq!(v, 12.0);
    assert_eq!(c.get(), 4, "the forward sweep's side effects ran again");
    assert_eq!(d, 6.0);

    let c = std::cell::Cell::new(0);
    assert_eq!((counter_read_in_loop(2.0, &c), c.get()), (12.0, 3));
    let c = std::cell::Cell::new(0);
    let (v, d) = counter_read_in_loop_grad(2.0, &c);
    assert_eq!((v, c.get()), (12.0, 3));
    assert_eq!(d, 6.0);
}

// ===== Arrays filled with a differentiable value, and casts between floats ==================

/// `[x; 4]` and `vec![y; n]`: every element starts as the fill value, so the fill's adjoint is
/// the sum of the elements' adjoints (after some are overwritten).
#[differentiable]
#[allow(clippy::needless_range_loop)]
fn filled(x: f64, y: f64, n: usize) -> f64 {
    let mut h = [x; 4];
    h[1] *= y;
    h[3] = 2.0;
    let mut v = vec![y * 0.5; n];
    let mut s = 0.0;
    for &e in h.iter() {
        s += e * e;
    }
    for j in 0..v.len() {
        v[j] += x;
        s += v[j].sin();
    }
    s
}

fn filled_tape(p: &[Value], n: usize) -> Value {
    let (x, y) = (&p[0], &p[1]);
    let mut h = vec![x.clone(); 4];
    h[1] = &h[1] * y;
    h[3] = Value::new(2.0);
    let mut v = vec![y * 0.5; n];
    let mut s = Value::new(0.0);
    for e in &h {
        s += e * e;
    }
    for e in v.iter_mut() {
        *e = &*e + x;
        s += e.sin();
    }
    s
}

#[test]
fn arrays_filled_with_a_differentiable_value() {
    for n in [0usize, 1, 3] {
        for (x, y) in [(0.7, -1.2), (-2.0, 0.4)] {
            let (v, dx, dy) = filled_grad(x, y, n);
            check(
                &format!("filled n={n}"),
                &[x, y],
                (v, vec![dx, dy]),
                |p| filled(p[0], p[1], n),
                |p| filled_tape(p, n),
                true,
            );
        }
    }
}

/// `x as f64` in an `f64` function is the identity, also for its derivative.
#[differentiable]
#[allow(clippy::unnecessary_cast)]
fn cast_between_floats(x: f64) -> f64 {
    let y = (x * 3.0) as f64;
    y * x
}

#[test]
fn casts_between_floats_are_the_identity() {
    for x in [-1.5, 0.25, 4.0] {
        let (v, d) = cast_between_floats_grad(x);
        check(
            "cast_between_floats",
            &[x],
            (v, vec![d]),
            |p| cast_between_floats(p[0]),
            |p| &p[0] * 3.0 * &p[0],
            true,
        );
    }
}
