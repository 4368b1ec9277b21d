//! Property tests: random inputs for a handful of functions (straight-line and with loops,
//! branches and local buffers). At every input the compiled gradient agrees with the tape
//! engine and with central differences, and the value is the plain function's bit for bit.

use grad::check::check_gradient;
use grad::prelude::*;
use grad::tape::Value;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

mod common;
use common::workloads::{
    babylonian, babylonian_grad, horner, horner_grad, logsumexp, logsumexp_grad, rosenbrock,
    rosenbrock_grad, seed_loss, seed_loss_grad,
};

const FD_TOL: f64 = 1e-6;
const TAPE_TOL: f64 = 1e-11;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        // Failures are reported with their minimal input; nothing is written to disk.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * 1.0f64.max(a.abs()).max(b.abs())
}

/// The three checks at one point, as a proptest result.
fn agree(
    x: &[f64],
    (value, grad): (f64, Vec<f64>),
    plain: impl Fn(&[f64]) -> f64,
    on_tape: impl Fn(&[Value]) -> Value,
    fd: bool,
) -> Result<(), TestCaseError> {
    let p = plain(x);
    prop_assert_eq!(
        value.to_bits(),
        p.to_bits(),
        "value {} vs plain {}",
        value,
        p
    );
    prop_assert_eq!(grad.len(), x.len());
    let leaves: Vec<Value> = x.iter().map(|&v| Value::new(v)).collect();
    let out = on_tape(&leaves);
    out.backward();
    prop_assert!(
        close(value, out.data(), TAPE_TOL),
        "value {} vs tape {}",
        value,
        out.data()
    );
    for (i, (g, l)) in grad.iter().zip(&leaves).enumerate() {
        prop_assert!(
            close(*g, l.grad(), TAPE_TOL),
            "d[{}]: compiled {} vs tape {}",
            i,
            g,
            l.grad()
        );
    }
    if fd {
        if let Err(e) = check_gradient(&plain, x, &grad, FD_TOL) {
            return Err(TestCaseError::fail(format!("{e} (gradient {grad:?})")));
        }
    }
    Ok(())
}

fn concat(a: &[f64], b: &[f64]) -> Vec<f64> {
    [a, b].concat()
}

// ----- the functions ----------------------------------------------------------------------

#[differentiable]
fn mixed_primitives(x: f64, y: f64) -> f64 {
    let r = x.hypot(y);
    let t = y.atan2(x);
    let s = (x * 0.3).sigmoid() * (y * y + 1.0).sqrt();
    r * t.cos() + s.powf(1.5) - (x - y).tanh() * x.mul_add(0.5, y).exp2()
}

#[differentiable]
fn neuron(w: &[f64], x: &[f64], b: f64) -> f64 {
    let mut n = b;
    for i in 0..w.len() {
        n += w[i] * x[i];
    }
    n.tanh()
}

/// Branches, an early return and a run-time buffer.
#[differentiable]
fn branchy(xs: &[f64], t: f64) -> f64 {
    let mut buf = vec![0.0; xs.len()];
    let mut s = 0.0;
    for (i, &v) in xs.iter().enumerate() {
        if v > t {
            buf[i] = (v - t).powi(2);
        } else {
            buf[i] = v * t;
        }
        s += buf[i];
        if s > 50.0 {
            return s.sqrt();
        }
    }
    s
}

/// Nested loops over a local array whose elements are overwritten through aliasing indices.
// Index loops (no `copy_from_slice`) are the form under test here.
#[allow(clippy::needless_range_loop, clippy::manual_memcpy)]
#[differentiable]
fn mixing(xs: &[f64], n: usize) -> f64 {
    let mut h = [0.0; 4];
    for i in 0..4 {
        h[i] = xs[i];
    }
    for k in 0..n {
        for r in 0..2 {
            let i = (k + r) % 4;
            let j = (k * 3 + 1 + r) % 4;
            h[i] = (h[j] * 0.5).tanh() + h[i] * xs[(i + k) % 4];
        }
    }
    h[0] * h[1] + h[2] - h[3] * h[3]
}

// ----- the properties ---------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn seed_loss_agrees(x1 in 0.1..5.0f64, x2 in 0.1..5.0f64, x3 in -3.0..3.0f64) {
        let (v, a, b, c) = seed_loss_grad(x1, x2, x3);
        agree(
            &[x1, x2, x3],
            (v, vec![a, b, c]),
            |p| seed_loss(p[0], p[1], p[2]),
            |p| (&p[0] * &p[1]).ln() + (&p[0] * &p[2]).sin() + &p[1] * &p[2],
            true,
        )?;
    }

    #[test]
    fn mixed_primitives_agree(x in 0.1..3.0f64, y in -3.0..3.0f64) {
        let (v, a, b) = mixed_primitives_grad(x, y);
        agree(
            &[x, y],
            (v, vec![a, b]),
            |p| mixed_primitives(p[0], p[1]),
            |p| {
                let (x, y) = (&p[0], &p[1]);
                let r = x.hypot(y);
                let t = y.atan2(x);
                let s = (x * 0.3).sigmoid() * (y * y + 1.0).sqrt();
                r * t.cos() + s.powf(1.5) - (x - y).tanh() * x.mul_add(0.5, y).exp2()
            },
            true,
        )?;
    }

    #[test]
    fn neuron_agrees(
        wx in prop::collection::vec((-2.0..2.0f64, -2.0..2.0f64), 0..6),
        b in -1.0..1.0f64,
    ) {
        let w: Vec<f64> = wx.iter().map(|p| p.0).collect();
        let x: Vec<f64> = wx.iter().map(|p| p.1).collect();
        let n = w.len();
        let (v, dw, dx, db) = neuron_grad(&w, &x, b);
        let mut g = concat(&dw, &dx);
        g.push(db);
        let mut point = concat(&w, &x);
        point.push(b);
        agree(
            &point,
            (v, g),
            |p| neuron(&p[..n], &p[n..2 * n], p[2 * n]),
            |p| {
                let mut s = p[2 * n].clone();
                for i in 0..n {
                    s += &p[i] * &p[n + i];
                }
                s.tanh()
            },
            true,
        )?;
    }

    #[test]
    fn rosenbrock_agrees(x in prop::collection::vec(-2.0..2.0f64, 1..8)) {
        agree(&x, rosenbrock_grad(&x), rosenbrock, |p| {
            let mut s = Value::new(0.0);
            for i in 0..p.len() - 1 {
                let a = 1.0 - &p[i];
                let b = &p[i + 1] - &p[i] * &p[i];
                s += &a * &a + 100.0 * &b * &b;
            }
            s
        }, true)?;
    }

    #[test]
    fn logsumexp_agrees(x in prop::collection::vec(-20.0..20.0f64, 1..9)) {
        let (v, g) = logsumexp_grad(&x);
        // The gradient is a probability vector.
        let total: f64 = g.iter().sum();
        prop_assert!((total - 1.0).abs() < 1e-12, "sum of softmax {}", total);
        prop_assert!(g.iter().all(|&p| (0.0..=1.0).contains(&p)));
        agree(&x, (v, g), logsumexp, |p| {
            let mut m = p[0].clone();
            for v in p {
                if v.data() > m.data() {
                    m = v.clone();
                }
            }
            let mut s = Value::new(0.0);
            for v in p {
                s += (v - &m).exp();
            }
            &m + s.ln()
        }, true)?;
    }

    #[test]
    fn babylonian_agrees(x in 0.1..100.0f64, iters in 0usize..40) {
        let (v, d) = babylonian_grad(x, iters);
        agree(&[x], (v, vec![d]), |p| babylonian(p[0], iters), |p| {
            let mut g = p[0].clone();
            for _ in 0..iters {
                g = 0.5 * (&g + &p[0] / &g);
            }
            g
        }, true)?;
        if iters >= 30 {
            prop_assert!(close(d, 0.5 / x.sqrt(), 1e-12), "converged sqrt' {} at {}", d, x);
        }
    }

    #[test]
    fn horner_agrees(c in prop::collection::vec(-3.0..3.0f64, 0..9), x in -2.0..2.0f64) {
        let n = c.len();
        let (v, dc, dx) = horner_grad(&c, x);
        let mut g = dc.clone();
        g.push(dx);
        let mut point = c.clone();
        point.push(x);
        agree(&point, (v, g), |p| horner(&p[..n], p[n]), |p| {
            let mut acc = Value::new(0.0);
            for ci in p[..n].iter().rev() {
                acc = acc * &p[n] + ci;
            }
            acc
        }, true)?;
        for (i, d) in dc.iter().enumerate() {
            prop_assert!(close(*d, x.powi(i as i32), 1e-13));
        }
    }

    #[test]
    fn branchy_agrees(xs in prop::collection::vec(-6.0..6.0f64, 0..8), t in -2.0..2.0f64) {
        let n = xs.len();
        let (v, dxs, dt) = branchy_grad(&xs, t);
        let mut g = dxs.clone();
        g.push(dt);
        let mut point = xs.clone();
        point.push(t);
        // Central differences only away from the kinks (v = t, and s crossing 50).
        let mut s = 0.0;
        let mut near_kink = false;
        for &v in &xs {
            near_kink |= (v - t).abs() < 1e-3;
            s += if v > t { (v - t).powi(2) } else { v * t };
            near_kink |= (s - 50.0).abs() < 1e-2;
            if s > 50.0 {
                break;
            }
        }
        agree(&point, (v, g), |p| branchy(&p[..n], p[n]), |p| {
            let t = &p[n];
            let mut s = Value::new(0.0);
            for v in &p[..n] {
                let b = if v.data() > t.data() { (v - t).powi(2) } else { v * t };
                s += b;
                if s.data() > 50.0 {
                    return s.sqrt();
                }
            }
            s
        }, !near_kink)?;
    }

    #[test]
    fn mixing_agrees(xs in prop::collection::vec(-1.5..1.5f64, 4), n in 0usize..12) {
        agree(&xs, mixing_grad(&xs, n), |p| mixing(p, n), |p| {
            let mut h: Vec<Value> = p.to_vec();
            for k in 0..n {
                for r in 0..2 {
                    let i = (k + r) % 4;
                    let j = (k * 3 + 1 + r) % 4;
                    h[i] = (&h[j] * 0.5).tanh() + &h[i] * &p[(i + k) % 4];
                }
            }
            &h[0] * &h[1] + &h[2] - &h[3] * &h[3]
        }, true)?;
    }
}
