//! Running indices (`lower/running_index.rs`, the `index` pass): `for row in a..b { ..;
//! l += 1; }` over packed storage, as ADBench's GMM walks its triangular factors. Inside the
//! loop `l` is rebuilt from the loop variable in the reverse sweep instead of being stored
//! once per iteration. Checked against central differences, and against the same function
//! with `disable(index)`, bit for bit (the same operations on the same elements).

#![allow(clippy::needless_range_loop)] // loops written as users write them

use grad::prelude::*;

mod common;
use common::central_differences;

/// One source compiled twice: with the `index` pass (`$name`) and with `disable(index)`
/// (`$stored`, the running index stored per iteration), to compare bit for bit.
macro_rules! with_and_without_index {
    ($name:ident, $stored:ident, ($($params:tt)*) $body:block) => {
        #[differentiable]
        fn $name($($params)*) -> f64 $body

        #[differentiable(disable(index))]
        fn $stored($($params)*) -> f64 $body
    };
}

// `|L x|²` for a lower-triangular `L` stored as its diagonal, then its strictly lower part
// column by column (GMM's `Q`), walked with a running index; `l` is read after the loops.
with_and_without_index!(packed, packed_stored, (l_flat: &[f64], x: &[f64], d: usize) {
    let mut y = vec![0.0; d];
    for j in 0..d {
        y[j] = l_flat[j] * x[j];
    }
    let mut l = d;
    for col in 0..d {
        for row in col + 1..d {
            y[row] += l_flat[l] * x[col];
            l += 1;
        }
    }
    let mut s = 0.0;
    for j in 0..d {
        s += y[j] * y[j];
    }
    s + l_flat[l - 1] * 0.5
});

/// Inclusive ranges, a step of 2, an empty range and the index read inside a branch.
#[differentiable]
fn strided(w: &[f64], x: f64, n: usize) -> f64 {
    let mut k = 0;
    let mut s = 0.0;
    for i in 0..=n {
        if w[k] > 0.0 {
            s += (w[k] * x).sin() * w[i];
        } else {
            s += w[k + 1] * x;
        }
        k += 2;
    }
    for i in n..n {
        s += w[i] * w[k];
        k += 1;
    }
    s + w[k - 1] * x
}

fn data(d: usize) -> (Vec<f64>, Vec<f64>) {
    let m = d * (d + 1) / 2;
    let l: Vec<f64> = (0..m)
        .map(|i| ((i * 7 + 3) % 11) as f64 * 0.1 - 0.5)
        .collect();
    let x: Vec<f64> = (0..d).map(|i| 0.3 - 0.2 * i as f64).collect();
    (l, x)
}

#[test]
fn a_running_index_over_a_packed_triangle() {
    for d in [1, 2, 3, 6] {
        let (l, x) = data(d);
        let (v, gl, gx) = packed_grad(&l, &x, d);
        assert_eq!(v.to_bits(), packed(&l, &x, d).to_bits());
        let (v2, gl2, gx2) = packed_stored_grad(&l, &x, d);
        assert_eq!(v.to_bits(), v2.to_bits());
        assert_eq!(
            gl, gl2,
            "d = {d}: the same gradient as with the index stored"
        );
        assert_eq!(gx, gx2);
        let mut q = l.clone();
        q.extend_from_slice(&x);
        let mut g = gl.clone();
        g.extend_from_slice(&gx);
        let m = l.len();
        central_differences(|q| packed(&q[..m], &q[m..], d), &q, &g, 1e-6);
    }
}

#[test]
fn inclusive_ranges_steps_branches_and_empty_ranges() {
    let w: Vec<f64> = (0..12).map(|i| (i as f64 * 0.37).sin() + 0.05).collect();
    for n in [0, 1, 4] {
        let (v, gw, gx) = strided_grad(&w, 0.8, n);
        assert_eq!(v.to_bits(), strided(&w, 0.8, n).to_bits());
        let mut q = w.clone();
        q.push(0.8);
        let mut g = gw.clone();
        g.push(gx);
        central_differences(|q| strided(&q[..12], q[12], n), &q, &g, 1e-6);
    }
}

/// Loops the pass must leave as written: the loop variable rebound by a cast (its type is not
/// `usize`), and `l` changed through parentheses.
#[differentiable]
fn left_alone(w: &[f64], x: f64, n: u32) -> f64 {
    let mut s = 0.0;
    let mut l = 0;
    for i in 0..n {
        let i = i as usize;
        s = s * x + w[l] * w[i];
        l += 1;
    }
    let mut k = 1;
    for j in 0..2 {
        s += w[k] * w[j] * x;
        (k) += 1;
        k += 1;
    }
    s + w[l] + w[k]
}

#[test]
fn loops_the_pass_leaves_alone_still_differentiate() {
    let w: Vec<f64> = (0..10).map(|i| 0.2 + 0.1 * i as f64).collect();
    let (v, gw, gx) = left_alone_grad(&w, 0.7, 3);
    assert_eq!(v.to_bits(), left_alone(&w, 0.7, 3).to_bits());
    let mut q = w.clone();
    q.push(0.7);
    let mut g = gw.clone();
    g.push(gx);
    central_differences(|q| left_alone(&q[..10], q[10], 3), &q, &g, 1e-7);
}

// A running index in a loop inside a branch at the top level (the value at the loop's entry
// is kept in a hoisted local, not on a stack) and inside a `while` loop.
with_and_without_index!(in_branches, in_branches_stored, (w: &[f64], x: f64, d: usize) {
    let mut s = 0.0;
    let mut l = 0;
    if x > 0.0 {
        for i in 0..d {
            s += w[l] * x * w[i];
            l += 1;
        }
    } else {
        s -= w[0] * x;
    }
    let mut rounds = 0;
    while rounds < 2 {
        for i in 1..d {
            s += (w[l + 1] * w[i] * x).sin();
            l += 1;
        }
        rounds += 1;
    }
    s + w[l - 1]
});

#[test]
fn running_indices_in_branches_and_while_loops() {
    let w: Vec<f64> = (0..16).map(|i| 0.3 + 0.07 * i as f64).collect();
    for x in [0.8, -0.6] {
        let d = 4;
        let (v, gw, gx) = in_branches_grad(&w, x, d);
        assert_eq!(v.to_bits(), in_branches(&w, x, d).to_bits());
        let (v2, gw2, gx2) = in_branches_stored_grad(&w, x, d);
        assert_eq!(v.to_bits(), v2.to_bits());
        for (a, b) in gw.iter().zip(&gw2).chain([(&gx, &gx2)]) {
            assert!(
                (a - b).abs() <= 1e-15 * (1.0 + b.abs()),
                "{a} vs {b} stored"
            );
        }
        let mut q = w.clone();
        q.push(x);
        let mut g = gw.clone();
        g.push(gx);
        central_differences(|q| in_branches(&q[..16], q[16], d), &q, &g, 1e-7);
    }
}
