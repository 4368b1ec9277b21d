//! Programs that broke an optimizing pass while it was written (found by review), kept as
//! tests: each gradient against central differences and the build with the pass off, each
//! value against the plain function's.

#![allow(clippy::needless_range_loop, clippy::assign_op_pattern)] // written as users write

mod common;

use common::assert_close;
use grad::prelude::*;

/// Central differences of `f` at `x`.
fn fd(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let h = 1e-6 * x[i].abs().max(1.0);
            let (mut a, mut b) = (x.to_vec(), x.to_vec());
            a[i] += h;
            b[i] -= h;
            (f(&a) - f(&b)) / (2.0 * h)
        })
        .collect()
}

fn check(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_close(&format!("{what}[{i}]"), *g, *w, tol);
    }
}

// `skip`: a loop whose reverse resets an adjoint from outside (`t = 2.0`) must run even where
// the adjoints it reads are zero.
/// The same body built with the pass (`$on`) and without it (`$off`).
macro_rules! with_and_without {
    ($on:ident, $off:ident, $pass:ident, fn($x:ident) $body:block) => {
        #[differentiable(hessian)]
        fn $on($x: &[f64]) -> f64 $body

        #[differentiable(hessian, disable($pass))]
        fn $off($x: &[f64]) -> f64 $body
    };
}

with_and_without!(skip_reset, skip_reset_off, skip, fn(x) {
    let mut t = x[0];
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
        t = 2.0;
    }
    t * x[1] + s.relu()
});

#[differentiable]
fn skip_reset_elem(x: &[f64]) -> f64 {
    let mut w = vec![0.0; x.len()];
    for i in 0..x.len() {
        w[i] = x[i] * x[i];
    }
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
        w[i] = 1.0;
    }
    let mut r = s.relu();
    for i in 0..x.len() {
        r += w[i] * x[i];
    }
    r
}

#[test]
fn skip_keeps_the_resets_of_adjoints_from_outside() {
    let x = [-1.0, 2.0, -3.0];
    let (v, g) = skip_reset_grad(&x);
    assert_eq!(v.to_bits(), skip_reset(&x).to_bits());
    check("skip_reset", &g, &fd(&|q| skip_reset(q), &x), 1e-7);
    assert_eq!(g, skip_reset_off_grad(&x).1);
    let (_, _, h) = skip_reset_hessian(&x);
    assert_eq!(h, skip_reset_off_hessian(&x).2);
    assert!(h.iter().flatten().all(|&e| e == 0.0), "{h:?}");
    let x = [-1.0, 2.0, -3.0, 0.5];
    let (v, g) = skip_reset_elem_grad(&x);
    assert_eq!(v.to_bits(), skip_reset_elem(&x).to_bits());
    check(
        "skip_reset_elem",
        &g,
        &fd(&|q| skip_reset_elem(q), &x),
        1e-7,
    );
}

// `freeze` inside a fused loop: the fused reverse runs at the end of each forward iteration,
// where restoring `c` would undo the iteration's later writes.
#[differentiable]
fn fused_freeze(x: &[f64]) -> f64 {
    let n = x.len();
    let mut c = vec![1.0; n];
    let mut s = 0.0;
    for i in 0..n {
        let mut t = 0.0;
        for p in 0..n {
            for q in 0..n {
                t += c[p] * x[q] * x[i];
            }
        }
        for j in 0..n {
            c[j] = c[j] + 1.0 + j as f64;
        }
        s += t;
    }
    s
}

#[test]
fn freeze_leaves_fused_loops_alone() {
    let x = [0.5, 1.5, -0.7];
    let (v, g) = fused_freeze_grad(&x);
    assert_eq!(v.to_bits(), fused_freeze(&x).to_bits());
    check("fused_freeze", &g, &fd(&|q| fused_freeze(q), &x), 1e-7);
}

// Direct `fuse`: a `&mut` slice written, or changed by a callee, after the loop.
#[differentiable]
fn direct_mut(x: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    x[0] = 1.0;
    x[1] = x[2] * 3.0;
    s
}

#[differentiable]
fn scale(y: &mut [f64], k: f64) {
    for i in 0..y.len() {
        y[i] = y[i] * k;
    }
}

#[differentiable]
fn direct_call(x: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    scale(x, 3.0);
    s
}

#[test]
fn direct_fuse_leaves_mutable_slices_to_the_scratch() {
    let x = [0.5, 1.5, -0.7];
    let want = [1.0, 3.0, -1.4];
    let (_, g) = direct_mut_grad(&mut x.clone());
    check("direct_mut", &g, &want, 1e-14);
    let (_, g) = direct_call_grad(&mut x.clone());
    check("direct_call", &g, &want, 1e-14);
}
