//! The passes that change how a loop's reverse keeps its data, each compared with the same
//! function built without it, bit for bit (value, gradient, Hessian-vector product: the same
//! operations in the same order), and checked against central differences (the gradient, and
//! the Hessian-vector product against differences of the gradient):
//!
//! - `window`: a loop over a range that saves the same items at every iteration writes them
//!   into slots opened before it instead of pushing them, and its reverse reads them by index;
//! - `promote`: an array adjoint's element that a loop's reverse touches at one index only is
//!   kept in a local while the loop runs.

#![allow(clippy::needless_range_loop)] // loops written as users write them

mod common;
use common::pass_off::Build;

/// One body compiled as `f` (every pass) and `g` (`disable($pass)`) in a module named after
/// it, with a test that compares them at each `(x, a)`.
macro_rules! with_and_without {
    ($pass:ident, $name:ident, [$(($xs:expr, $av:expr)),*], ($x:ident, $a:ident) $body:block) => {
        mod $name {
            #![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]
            use grad::prelude::*;

            #[differentiable(hessian)]
            pub fn f($x: &[f64], $a: f64) -> f64 $body

            #[differentiable(hessian, disable($pass))]
            pub fn g($x: &[f64], $a: f64) -> f64 $body

            #[test]
            fn same_bits_as_pushed_and_right() {
                $(
                    super::check(
                        super::Build { plain: f, grad: f_grad, hvp: f_hvp, jvp: None },
                        super::Build { plain: g, grad: g_grad, hvp: g_hvp, jvp: None },
                        &$xs,
                        $av,
                    );
                )*
            }
        }
    };
}

/// `f` against `g` bit for bit, and `f`'s derivatives against central differences (the
/// gradient to 1e-6, `H v` to 1e-5).
#[track_caller]
fn check(f: Build, g: Build, x: &[f64], a: f64) {
    common::pass_off::compare(&f, &g, x, a, 1e-6, 1e-5);
}

// A layer of ReLU units: one partial saved per unit (a float slot), its inner loop rebuilt.
with_and_without!(window, layer, [([0.3, -0.7, 0.5, 0.9], 0.8), ([-1.2, 0.4, 0.25], -0.6)], (x, a) {
    let n = x.len();
    let mut h = vec![0.0; n];
    for j in 0..n {
        let mut act = a * (j as f64 * 0.3 - 0.4);
        for k in 0..n {
            act += x[k] * x[(j + k) % n];
        }
        h[j] = act.relu() + 0.1 * act.tanh();
    }
    let mut s = 0.0;
    for j in 0..n {
        s += h[j] * h[j];
    }
    s
});

// A branch on a loop-carried value: its decision goes to the index stack by index, the
// partials inside the branches are pushed.
with_and_without!(window, decisions, [([0.9, 1.7, 0.4, 2.2, 0.8], 0.7), ([1.1, 0.3], 1.4)], (x, a) {
    let mut s = a;
    for i in 0..x.len() {
        if s > 1.0 {
            s = s * 0.5 + x[i].sin();
        } else {
            s = s * x[i] + 1.0;
        }
    }
    s
});

// A `break` part-way through the range: such a loop keeps pushing (its range may be a budget
// far larger than what it runs); compared with `disable(window)` all the same.
with_and_without!(window, early_exit, [([0.5, 0.9, 1.3, 0.2, 0.7, 1.1], 0.6), ([0.1, 0.2], 0.3)], (x, a) {
    let mut s = a;
    for i in 0..x.len() {
        s = (s * x[i]).sin() + s * s;
        if s > 1.0 {
            break;
        }
    }
    let mut t = s;
    for i in 0..x.len() {
        t = t * x[i].cos();
        if i == 2 {
            break;
        }
        t = t + (t * a).tanh();
    }
    s + t
});

// Steps, reversed and inclusive ranges, and an empty one.
with_and_without!(window, ranges, [([0.4, -0.3, 0.8, 0.6, -0.9], 0.5), ([0.7], 1.3)], (x, a) {
    let n = x.len();
    let mut s = a;
    for i in (0..n).step_by(2) {
        s = s * x[i].sin() + 0.5;
    }
    for i in (0..=n - 1).rev() {
        s = (s * x[i]).tanh() + s;
    }
    for i in n..n {
        s = s * x[i];
    }
    for i in (1..n).rev().step_by(2) {
        s = s * (x[i] * a).cos();
    }
    s
});

// Nested windows on both stacks: the outer loop saves its decision by index, the inner loop
// its partials.
with_and_without!(window, nested, [([0.8, 1.1, 0.6], 0.9), ([0.2, 1.9, 1.05, 0.7], 0.4)], (x, a) {
    let mut s = a;
    for k in 0..4 {
        if s > 0.5 {
            s = s * 0.9 + a;
        } else {
            s = s.exp();
        }
        for i in 0..x.len() {
            s = s * x[i] + (k as f64) * 0.1;
        }
        s = s.tanh();
    }
    s
});

// Inside a loss summed over data (`fuse`): the hidden layer (each unit reads the one before,
// so its partials are saved, not rebuilt) opens and drops its slots at every data point.
with_and_without!(window, batch, [([0.3, -0.5, 0.8, 1.2, 0.1, -0.7, 0.4, 0.9, -0.2, 0.6, 0.5, -0.3, 0.2], 0.7)], (p, a) {
    let mut loss = 0.0;
    for n in 0..5 {
        let xn = n as f64 * 0.4 - 1.0;
        let mut h = [0.0; 4];
        let mut c = 0.0;
        for j in 0..4 {
            let act = p[j] * xn + p[4 + j] + 0.3 * c;
            h[j] = act.relu() + 0.01 * (p[j] * a).sin();
            c = h[j];
        }
        let mut o = p[12];
        for j in 0..4 {
            o += p[8 + j] * h[j];
        }
        loss += (o - a) * (o - a);
    }
    loss
});

// A running index over a packed triangle (`index`): where each column's inner loop starts is
// saved once per column, by index, and read back under its own name.
with_and_without!(window, packed, [([0.3, -0.2, 0.5, 0.7, -0.4, 0.6, 0.1, 0.9, -0.8, 0.2], 0.8)], (w, a) {
    let d = 4;
    let mut y = [0.0; 4];
    for j in 0..d {
        y[j] = w[j] * a;
    }
    let mut l = d;
    for col in 0..d {
        for row in col + 1..d {
            y[row] += w[l] * y[col].sin();
            l += 1;
        }
    }
    let mut s = 0.0;
    for j in 0..d {
        s += y[j] * y[j];
    }
    s
});

// `promote`: `d_y[i]` is added into at every `j` of the inner loop's reverse (`d_x[j]`, at
// another index, is not kept: `x[i]` in its place could be the same element); the outer loop
// runs once more than `y` has elements, and its last inner loop runs zero times at an index
// out of bounds, which must not be read.
with_and_without!(promote, triangle, [([0.4, -0.3, 0.8, 0.6, -0.9], 0.5), ([0.7], 1.3), ([], 0.2)], (x, a) {
    let n = x.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (x[i] * a).cos();
    }
    let mut s = a * a;
    for i in 0..n + 1 {
        for j in i..n {
            s += y[i] * (x[j] * a).sin();
        }
    }
    s
});

// `promote` in a branch and under a nested loop: `d_w[k]` (k fixed per outer iteration) and
// `d_y[c]` are the promoted elements; `y[r]` is written at a running index and stays in memory.
with_and_without!(promote, nested_promotions, [([0.3, -0.2, 0.5, 0.7, -0.4, 0.6, 0.1, 0.9], 0.8)], (w, a) {
    let d = 4;
    let mut y = [0.0; 4];
    for j in 0..d {
        y[j] = w[j] * a;
    }
    for c in 0..d {
        let k = (c * 3) % 8;
        for r in 0..d {
            if r != c {
                y[r] += w[k] * y[c].tanh();
            }
            for t in 0..2 {
                y[r] += 0.1 * w[k] * (t as f64);
            }
        }
    }
    let mut s = 0.0;
    for j in 0..d {
        s += y[j] * y[j];
    }
    s
});
