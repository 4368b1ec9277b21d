//! Review of the `window` and `promote` passes (and the saved-once square): functions written
//! as users write numeric Rust, each compiled twice, with every pass and with
//! `disable(window, promote)`, compared bit for bit (value, gradient, `_hvp`, `_jvp`) and
//! checked against central differences.

#![allow(
    clippy::needless_range_loop,
    clippy::assign_op_pattern,
    clippy::manual_memcpy,
    clippy::explicit_counter_loop,
    clippy::useless_vec,
    clippy::unnecessary_cast,
    clippy::while_let_loop,
    clippy::never_loop,
    clippy::reversed_empty_ranges,
    clippy::identity_op,
    clippy::erasing_op,
    clippy::collapsible_else_if,
    clippy::neg_multiply,
    clippy::type_complexity,
    clippy::too_many_lines,
    unused_mut,
    unused_assignments,
    unused_variables
)]

mod common;
use common::pass_off::Build;

/// `(x: &[f64], a: f64) -> f64`, compiled as `f` (every pass) and `g`
/// (`disable(window, promote)`), with `_hvp` and `_jvp`; compared at each `(x, a)`.
macro_rules! case {
    ($name:ident, [$(($xs:expr, $av:expr)),*], ($x:ident, $a:ident) $body:block) => {
        mod $name {
            #![allow(clippy::needless_range_loop, clippy::assign_op_pattern, unused_mut,
                unused_assignments, unused_variables, clippy::never_loop,
                clippy::reversed_empty_ranges, clippy::identity_op, clippy::erasing_op,
                clippy::collapsible_else_if, clippy::while_let_loop, clippy::useless_vec,
                clippy::unnecessary_cast, clippy::explicit_counter_loop, clippy::manual_memcpy)]
            use grad::prelude::*;
            #[allow(unused_imports)]
            use super::{P3, P5, P7};

            #[differentiable(hessian, jvp)]
            pub fn f($x: &[f64], $a: f64) -> f64 $body

            #[differentiable(hessian, jvp, disable(window, promote))]
            pub fn g($x: &[f64], $a: f64) -> f64 $body

            #[test]
            fn same_bits_and_right() {
                $(
                    super::check(
                        super::Build { plain: f, grad: f_grad, hvp: f_hvp, jvp: Some(f_jvp) },
                        super::Build { plain: g, grad: g_grad, hvp: g_hvp, jvp: Some(g_jvp) },
                        &$xs,
                        $av,
                    );
                )*
            }
        }
    };
}

/// `f` against `g` bit for bit, and `f`'s derivatives against central differences (the
/// gradient to 1e-5, `H v` to 1e-4: some of these loops are chaotic).
#[track_caller]
fn check(f: Build, g: Build, x: &[f64], a: f64) {
    common::pass_off::compare(&f, &g, x, a, 1e-5, 1e-4);
}

const P5: [f64; 5] = [0.4, -0.3, 0.8, 0.6, -0.9];
const P7: [f64; 7] = [0.9, 1.7, 0.4, 2.2, 0.8, -0.6, 1.3];
const P3: [f64; 3] = [0.7, -1.1, 0.35];

// ---------- break / continue / return ----------

// `break` at the end of the body, after every save.
case!(break_last, [(P5, 0.6), (P7, 0.3), ([], 0.5)], (x, a) {
    let mut s = a;
    for i in 0..x.len() {
        s = (s * x[i]).sin() + s * s;
        if s > 0.9 {
            break;
        }
    }
    s
});

// `break` first, saves after it (guarded).
case!(break_first, [(P5, 0.6), (P7, 1.3), ([], 0.5)], (x, a) {
    let mut s = a;
    for i in 0..x.len() {
        if x[i] * s > 1.0 {
            break;
        }
        s = s * x[i] + (s * a).cos();
    }
    s
});

// `break` in the middle, saves before and after it.
case!(break_middle, [(P5, 0.6), (P7, 0.9), ([0.1], 0.2)], (x, a) {
    let mut s = a;
    let mut t = 0.0;
    for i in 0..x.len() {
        s = s * x[i].exp();
        t += s * s;
        if t > 2.0 {
            break;
        }
        s = (s * a).tanh();
        t = t * 0.5 + s;
    }
    s + t
});

// `continue` first and last.
case!(continue_various, [(P5, 0.6), (P7, -0.4), ([], 1.0)], (x, a) {
    let mut s = a;
    for i in 0..x.len() {
        if i % 2 == 1 {
            continue;
        }
        s = s * x[i] + 0.3;
    }
    let mut t = s;
    for i in 0..x.len() {
        t = (t * x[i]).sin() * a;
        if t < 0.0 {
            continue;
        }
        t = t * t + 0.1;
    }
    let mut u = 1.0;
    for i in 0..x.len() {
        u = u * (x[i] + a).cos();
        if u > 0.5 {
            u = u * 0.5;
            continue;
        }
        u = u + t * s;
    }
    s + t + u
});

// Early `return` from inside a loop, at different places.
case!(early_return, [(P5, 0.6), (P7, 0.9), ([], 0.5), ([2.0, 3.0], 1.5)], (x, a) {
    let mut s = a;
    for i in 0..x.len() {
        s = s * x[i] + (s * x[i]).sin();
        if s.abs() > 3.0 {
            return s * a;
        }
    }
    let mut t = s;
    for i in (0..x.len()).rev() {
        if t > 5.0 {
            return t + s;
        }
        t = t * t * x[i] + a;
    }
    t * s
});

// `return` from an inner loop of two.
case!(return_inner, [(P5, 0.6), (P7, 0.9), ([0.3, 0.2], 0.5)], (x, a) {
    let mut s = a;
    for k in 0..3 {
        s = s * (k as f64 + a);
        for i in 0..x.len() {
            s = s * x[i] + 0.2;
            if s > 4.0 {
                return s.ln();
            }
        }
        s = s.sin() + 1.1;
    }
    s
});

// `break` out of the inner loop only, and a flag to leave both.
case!(flag_break, [(P5, 0.6), (P7, 0.9), ([0.3, 0.2], 0.5)], (x, a) {
    let mut s = a;
    let mut done = false;
    for k in 0..4 {
        for i in 0..x.len() {
            s = s * x[i] + 0.5 * a;
            if s > 2.0 {
                break;
            }
            if s < -2.0 {
                done = true;
                break;
            }
        }
        if done {
            break;
        }
        s = (s * (k as f64)).cos() + s;
    }
    s
});

// A flag that skips the rest of the outer iteration from an inner loop.
case!(flag_continue, [(P5, 0.6), (P7, 0.9), ([0.3, 0.2], 0.5)], (x, a) {
    let mut s = a;
    for k in 0..4 {
        s = s * 1.1 + (k as f64) * 0.1;
        let mut skip = false;
        for i in 0..x.len() {
            s = (s * x[i]).sin() + a;
            if s > 0.8 {
                skip = true;
                break;
            }
        }
        if skip {
            continue;
        }
        s = s * s;
    }
    s
});

// ---------- while and loop ----------

case!(while_loops, [(P5, 0.6), (P7, 0.9), ([], 0.5)], (x, a) {
    let mut s = a;
    let mut i = 0;
    while i < x.len() {
        s = s * x[i] + s.sin();
        i += 1;
    }
    let mut t = s;
    let mut k = 0;
    while t.abs() < 10.0 && k < 20 {
        t = t * 1.7 + a;
        k += 1;
    }
    s + t
});

case!(loop_loops, [(P5, 0.6), (P7, 0.9), ([], 0.5)], (x, a) {
    let mut s = a;
    let mut i = 0;
    loop {
        if i >= x.len() {
            break;
        }
        s = s * x[i] + (s * a).tanh();
        i += 1;
    }
    let mut n = 0;
    let mut t = 0.0;
    loop {
        s = s * 0.9 + 0.05;
        n += 1;
        if n == 5 {
            t = s * a;
            break;
        }
    }
    t
});

// A for loop inside a while loop, and a while inside a for.
case!(while_for_mix, [(P5, 0.6), (P7, 0.9), ([0.5], 0.5)], (x, a) {
    let mut s = a;
    let mut it = 0;
    while it < 3 {
        for i in 0..x.len() {
            s = s * x[i] + 0.1;
        }
        s = s.tanh();
        it += 1;
    }
    for i in 0..x.len() {
        let mut j = 0;
        let mut t = x[i];
        while j < i {
            t = t * a + 0.1;
            j += 1;
        }
        s += t * t;
    }
    s
});

// ---------- nested 3 deep with branches ----------

case!(three_deep, [(P5, 0.6), (P3, 0.9), ([0.5], -0.5)], (x, a) {
    let n = x.len();
    let mut s = a;
    for i in 0..n {
        let mut u = x[i];
        for j in 0..n {
            if (i + j) % 2 == 0 {
                u = u * x[j] + a;
            } else {
                for k in 0..3 {
                    u = (u * (k as f64 + 1.0)).sin() + x[(j + k) % n];
                }
            }
            u = u * 0.9;
        }
        if u > 0.0 {
            s = s + u * u;
        } else {
            s = s * (u * a).cos();
        }
    }
    s
});

case!(three_deep_carried, [(P5, 0.6), (P3, 0.9)], (x, a) {
    let n = x.len();
    let mut s = a;
    for i in 0..n {
        for j in 0..n {
            for k in 0..n {
                s = s * x[k] + x[j] * x[i] * 0.1;
                if s > 1.0 {
                    s = s.sqrt();
                }
            }
            s = s * s;
        }
        s = (s + 1.0).ln();
    }
    s
});

// ---------- integer loop variables ----------

case!(int_types, [(P5, 0.6), (P7, 0.9), ([], 0.5)], (x, a) {
    let n = x.len() as i32;
    let mut s = a;
    for i in -2..n {
        let c = i as f64;
        s = s * (c * 0.1 + a).sin() + c * 0.01;
    }
    let m = x.len() as i64;
    for i in (0..m).rev() {
        s = s * x[i as usize] + 0.1;
    }
    let u = x.len() as u32;
    for i in 0..u {
        s = (s * x[i as usize]).tanh() + s;
    }
    for i in (-3i32..=3).step_by(2) {
        s = s * (i as f64 * a).cos();
    }
    for i in (0u32..=u).rev() {
        s = s + (s * i as f64 * 0.1).sin();
    }
    s
});

case!(int_vars_index, [(P5, 0.6), (P7, 0.9)], (x, a) {
    let n = x.len() as i64;
    let mut s = a;
    for i in 1..n {
        let j = (i - 1) as usize;
        s = s * x[j] + x[i as usize] * s;
    }
    let mut t = 0.0;
    for i in (1i32..(n as i32)).rev().step_by(2) {
        t += (x[i as usize] * s).sin();
    }
    s + t
});

// ---------- ranges ----------

case!(range_shapes, [(P5, 0.6), (P7, 0.9), ([0.5], 0.3), ([], 0.2)], (x, a) {
    let n = x.len();
    let mut s = a;
    for i in 0..=n / 2 {
        s = s * (i as f64 + a).sin();
    }
    for i in (0..n).rev() {
        s = s * x[i] + 0.3;
    }
    for i in (0..n).step_by(3) {
        s = (s * x[i]).tanh() + s;
    }
    for i in (0..n).step_by(2).rev() {
        s = s * x[i].cos();
    }
    for i in (0..n).rev().step_by(2) {
        s = s + s * x[i];
    }
    for i in (1..=n).rev().step_by(3) {
        s = s * x[i - 1] + 0.1;
    }
    for i in 3..3 {
        s = s * x[i];
    }
    for i in 5..2 {
        s = s * x[i];
    }
    for i in (n..n).rev() {
        s = s * x[i];
    }
    for i in 1..=0 {
        s = s * x[i];
    }
    s
});

// Bounds computed from data and from values.
case!(computed_bounds, [(P5, 0.61), (P7, 0.93), ([0.5], 0.37)], (x, a) {
    let n = x.len();
    let lo = n / 3;
    let hi = (n * 2 + 1) / 3;
    let mut s = a;
    for i in lo..hi {
        s = s * x[i] + s.sin();
    }
    let k = if a > 0.5 { 2 } else { 1 };
    for i in (k..n).step_by(k) {
        s = s * x[i - k] + 0.1;
    }
    let m = (a * 10.0).floor() as usize % 5;
    for i in 0..m {
        s = (s * (i as f64)).cos() + s * a;
    }
    for i in n.saturating_sub(2)..n {
        s = s * x[i];
    }
    s
});

// A range whose end depends on the outer loop variable (triangle), both ways.
case!(triangle_ranges, [(P5, 0.6), (P7, 0.9), ([0.5], 0.3)], (x, a) {
    let n = x.len();
    let mut s = a;
    for i in 0..n {
        for j in 0..i {
            s = s * x[j] + x[i] * 0.1;
        }
        for j in (i..n).rev() {
            s = (s * x[j]).sin() + a;
        }
        for j in (0..=i).step_by(2) {
            s = s * 0.9 + x[j] * s;
        }
    }
    s
});

// ---------- loops inside if ----------

case!(loops_in_if, [(P5, 0.6), (P7, 0.2), ([0.5], 0.8), ([], 0.1)], (x, a) {
    let n = x.len();
    let mut s = a;
    if a > 0.5 {
        for i in 0..n {
            s = s * x[i] + s * s * 0.1;
        }
    } else {
        for i in (0..n).rev() {
            s = (s * x[i]).sin() + 0.5;
        }
        if n > 2 {
            for i in 1..n - 1 {
                s = s * x[i - 1] * x[i + 1] + a;
            }
        }
    }
    for i in 0..n {
        if x[i] > 0.0 {
            for j in 0..i {
                s = s * x[j] + 0.1;
            }
        }
    }
    s
});

// ---------- local arrays ----------

// A vec read at an invariant index and a variant index, written at a variant index.
case!(vec_invariant_and_variant, [(P5, 0.6), (P7, 0.9), ([0.5], 0.3)], (x, a) {
    let n = x.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = x[i] * a;
    }
    for k in 0..n {
        for i in 0..n {
            y[i] = y[i] + y[k] * x[i];
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        s += y[i] * y[i];
    }
    s
});

// The invariant element written inside the inner loop (at i == k the same element).
case!(vec_invariant_written, [(P5, 0.6), (P7, 0.9), ([0.5], 0.3)], (x, a) {
    let n = x.len();
    let mut y = x.to_vec();
    for k in 0..n {
        for i in 0..n {
            y[k] = y[k] * 0.9 + y[i] * a;
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        s += y[i] * y[i] * x[i];
    }
    s
});

// `[f64; N]` arrays, invariant index from outside, read then written.
case!(fixed_array_mix, [(P5, 0.6), (P7, 0.9), ([0.5, 0.4, 0.3, 0.2], 0.3)], (x, a) {
    let mut y = [0.0; 4];
    for i in 0..4 {
        y[i] = x[i % x.len()] * a + i as f64;
    }
    let c = 2;
    for i in 0..4 {
        y[i] = y[i] * y[c] + 0.1;
    }
    for r in 0..3 {
        for i in 0..4 {
            y[c] = y[c] + y[i] * x[r % x.len()];
        }
    }
    y[0] * y[1] + y[2] * y[3]
});

// An invariant index computed from data, the same element as the variant one at one step.
case!(invariant_from_data, [(P5, 0.6), (P7, 0.9), (P3, 1.3)], (x, a) {
    let n = x.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = x[i].sin() + a;
    }
    let k = (a * 3.0) as usize % n;
    let mut s = 0.0;
    for i in 0..n {
        s += y[k] * y[i] * x[i];
        y[i] = y[i] * 0.5 + y[k];
    }
    for i in 0..n {
        s += y[i];
    }
    s
});

// Two invariant indices into the same array (different elements, or the same one).
case!(two_invariant_indices, [(P5, 0.6), (P7, 0.1), (P3, 1.3)], (x, a) {
    let n = x.len();
    let mut y = x.to_vec();
    let p = 1;
    let q = if a > 0.5 { 1 } else { 2 };
    let mut s = 0.0;
    for i in 0..n {
        s += y[p] * x[i] + y[q] * a;
    }
    for i in 0..n {
        y[p] = y[p] + y[q] * x[i];
    }
    s + y[p] + y[q]
});

// The parameter slice read at an invariant index and a variant index (`d_x`).
case!(param_invariant_and_variant, [(P5, 0.6), (P7, 0.9), (P3, 1.3)], (x, a) {
    let n = x.len();
    let mut s = 0.0;
    for k in 0..n {
        for i in 0..n {
            s += x[k] * x[i] * a;
        }
    }
    for i in 0..n {
        s += (x[2] * x[i]).sin();
    }
    s
});

// A subslice view of the parameter and the parameter at an invariant index.
case!(subslice_alias, [(P5, 0.6), (P7, 0.9), (P3, 1.3)], (x, a) {
    let n = x.len();
    let tail = &x[1..];
    let mut s = 0.0;
    for j in 0..n - 1 {
        s += tail[j] * x[1] * a;
    }
    let head = &x[..n - 1];
    for j in 0..n - 1 {
        s += (head[j] * x[0]).sin();
    }
    s
});

// An array rewritten at an invariant index inside a loop that reads the whole array.
case!(invariant_row, [(P5, 0.6), (P7, 0.9), (P3, 1.3)], (x, a) {
    let n = x.len();
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            m[i * n + j] = x[i] * x[j] + a * (i + j) as f64;
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        let d = m[i * n + i];
        for j in 0..n {
            s += m[i * n + j] * d;
        }
        for j in 0..n {
            m[i * n + i] = m[i * n + i] * 0.9 + m[j * n + i] * 0.01;
        }
        s += m[i * n + i];
    }
    s
});

// A running accumulator element (GMM style: `d_q[col]` added into at every row).
case!(gmm_like, [(P5, 0.6), (P7, 0.9), (P3, 1.3)], (x, a) {
    let d = x.len();
    let mut q = vec![0.0; d];
    for i in 0..d {
        q[i] = x[i] * a;
    }
    let mut l = d;
    let mut s = 0.0;
    for col in 0..d {
        for row in col + 1..d {
            q[row] += x[(l + col) % d] * q[col];
            l += 1;
        }
    }
    for j in 0..d {
        s += q[j] * q[j];
    }
    s
});

// Squares: the saved-once partial, in loops and outside, and a square of a square.
case!(squares, [(P5, 0.6), (P7, -0.9), (P3, 1.3)], (x, a) {
    let mut s = a * a;
    let b = s * s;
    for i in 0..x.len() {
        let t = x[i] * a;
        s += t * t;
        let u = (t * t) * (t * t);
        s += u * x[i];
        s = (s * s * 0.1).tanh();
    }
    s + b * b
});

// `a * a` where `a` is the result being squared in place, and mixed `a * a * a`.
case!(squares_in_place, [(P5, 0.6), (P7, -0.9), (P3, 1.3)], (x, a) {
    let mut s = a;
    for i in 0..x.len() {
        s = s * s * 0.5;
        s = (s * s * s * 0.2 + x[i]).sin();
        let mut t = x[i];
        t *= t;
        s += t;
    }
    s
});

// ---------- calls ----------

#[grad::differentiable(hessian, jvp)]
pub fn helper(u: f64, w: f64) -> f64 {
    (u * w).sin() + u * u
}

#[grad::differentiable(hessian, jvp)]
pub fn dot_from(x: &[f64], k: usize, a: f64) -> f64 {
    let mut s = 0.0;
    for i in k..x.len() {
        s += x[i] * a;
    }
    s
}

#[grad::differentiable(hessian, jvp)]
pub fn scale_into(y: &mut [f64], k: f64) {
    for i in 0..y.len() {
        y[i] = y[i] * k + 0.1;
    }
}

case!(calls_in_loops, [(P5, 0.6), (P7, 0.9), (P3, 1.3)], (x, a) {
    let mut s = a;
    for i in 0..x.len() {
        s = super::helper(s, x[i]) * 0.5;
        s = (s * x[i] + s * s).tanh();
    }
    for i in 0..x.len() {
        s = (s * 0.8 + super::dot_from(x, i, s)).sin();
    }
    let mut y = x.to_vec();
    for i in 0..3 {
        super::scale_into(&mut y, a + i as f64 * 0.1);
        s += y[i % y.len()] * y[0];
    }
    s
});

// A scalar helper call alone in a loop whose other saves are at the top level.
case!(scalar_call_only, [(P5, 0.6), (P7, 0.9), (P3, 1.3)], (x, a) {
    let mut s = a;
    for i in 0..x.len() {
        let t = super::helper(x[i], a);
        s = s * t + (s * x[i]).cos();
    }
    s
});

// ---------- unbounded or huge ranges cut short by a `break` ----------

// A maximum iteration count of "no limit" (usize::MAX), cut short. Failed at review time
// (2a66a47): `capacity overflow` in `Tape::grow` (window: slots for the whole range opened
// before the loop) and, with disable(window), in `reserve`'s `Tape::reserve`. Since c17b77a a
// loop that may leave early neither saves by index nor reserves.
case!(huge_range_break, [(P5, 0.6), (P3, 1.3)], (x, a) {
    let mut s = a;
    let max_iter = usize::MAX;
    for it in 0..max_iter {
        s = (s * x[it % x.len()]).sin() + a;
        if it == 7 {
            break;
        }
    }
    s
});

// A large iteration budget, cut short: passed at review time, but window zero-filled a slot
// per iteration of the whole budget before the loop (at 50,000,000: 400 MB and ~60 ms per
// call, against ~6 us with disable(window)); no longer since c17b77a.
case!(big_budget_break, [(P5, 0.6)], (x, a) {
    let mut s = a;
    for it in 0..1_000_000u64 {
        s = (s * x[it as usize % x.len()]).sin() + a;
        if it == 7 {
            break;
        }
    }
    s
});

// A signed range spanning most of i64. Failed at review time, as `huge_range_break`.
case!(i64_span_break, [(P5, 0.6)], (x, a) {
    let mut s = a;
    let mut k = 0usize;
    for _ in i64::MIN / 2..i64::MAX / 2 {
        s = (s * x[k % x.len()]).sin() + a;
        k += 1;
        if k == 5 {
            break;
        }
    }
    s
});

// ---------- a huge straight-line body ----------
case!(huge_body, [(P5, 0.6), (P3, 1.3)], (x, a) {
    let n = x.len();
    let mut s = a;
    let mut t: f64 = 0.5;
    for i in 0..n {
        let xi = x[i];
        s = s * xi + (t * 0.01).sin();
        t = (t * s * 0.101).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.05).sin();
        t = (t * s * 0.105).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.09).sin();
        t = (t * s * 0.109).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.13).sin();
        t = (t * s * 0.113).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.17).sin();
        t = (t * s * 0.117).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.21).sin();
        t = (t * s * 0.121).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.25).sin();
        t = (t * s * 0.125).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.29).sin();
        t = (t * s * 0.129).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.33).sin();
        t = (t * s * 0.133).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.37).sin();
        t = (t * s * 0.137).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.41).sin();
        t = (t * s * 0.141).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.45).sin();
        t = (t * s * 0.145).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.49).sin();
        t = (t * s * 0.149).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.53).sin();
        t = (t * s * 0.153).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.57).sin();
        t = (t * s * 0.157).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.61).sin();
        t = (t * s * 0.161).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.65).sin();
        t = (t * s * 0.165).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.69).sin();
        t = (t * s * 0.169).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.73).sin();
        t = (t * s * 0.173).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.77).sin();
        t = (t * s * 0.177).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.81).sin();
        t = (t * s * 0.181).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.85).sin();
        t = (t * s * 0.185).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.89).sin();
        t = (t * s * 0.189).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.93).sin();
        t = (t * s * 0.193).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 0.97).sin();
        t = (t * s * 0.197).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 1.01).sin();
        t = (t * s * 0.201).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 1.05).sin();
        t = (t * s * 0.205).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 1.09).sin();
        t = (t * s * 0.209).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 1.13).sin();
        t = (t * s * 0.213).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
        s = s * xi + (t * 1.17).sin();
        t = (t * s * 0.217).tanh() + xi;
        s = s * 0.97 + t * t * 0.01;
        t = t * (s * 0.02).cos();
    }
    s + t
});
// (A 300-statement function cut into segments was here: segmented code has both passes off, so
// its two builds are the same code; tests/segments.rs and grad-fuzz check segments.)
case!(large_borderline, [(P5, 0.6), (P7, 0.9), (P3, 1.3)], (x, a) {
    let n = x.len();
    let mut s = a;
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = x[i] * a;
    }
    s = (s * 0.5).tanh() + y[0 % n] * 0.1;
    s = (s * 0.501).tanh() + y[1 % n] * 0.1;
    s = (s * 0.502).tanh() + y[2 % n] * 0.1;
    s = (s * 0.503).tanh() + y[3 % n] * 0.1;
    s = (s * 0.504).tanh() + y[4 % n] * 0.1;
    s = (s * 0.505).tanh() + y[5 % n] * 0.1;
    s = (s * 0.506).tanh() + y[6 % n] * 0.1;
    s = (s * 0.507).tanh() + y[7 % n] * 0.1;
    s = (s * 0.508).tanh() + y[8 % n] * 0.1;
    s = (s * 0.509).tanh() + y[9 % n] * 0.1;
    s = (s * 0.51).tanh() + y[10 % n] * 0.1;
    s = (s * 0.511).tanh() + y[11 % n] * 0.1;
    s = (s * 0.512).tanh() + y[12 % n] * 0.1;
    s = (s * 0.513).tanh() + y[13 % n] * 0.1;
    s = (s * 0.514).tanh() + y[14 % n] * 0.1;
    s = (s * 0.515).tanh() + y[15 % n] * 0.1;
    s = (s * 0.516).tanh() + y[16 % n] * 0.1;
    s = (s * 0.517).tanh() + y[17 % n] * 0.1;
    s = (s * 0.518).tanh() + y[18 % n] * 0.1;
    s = (s * 0.519).tanh() + y[19 % n] * 0.1;
    s = (s * 0.52).tanh() + y[20 % n] * 0.1;
    s = (s * 0.521).tanh() + y[21 % n] * 0.1;
    s = (s * 0.522).tanh() + y[22 % n] * 0.1;
    s = (s * 0.523).tanh() + y[23 % n] * 0.1;
    s = (s * 0.524).tanh() + y[24 % n] * 0.1;
    s = (s * 0.525).tanh() + y[25 % n] * 0.1;
    s = (s * 0.526).tanh() + y[26 % n] * 0.1;
    s = (s * 0.527).tanh() + y[27 % n] * 0.1;
    s = (s * 0.528).tanh() + y[28 % n] * 0.1;
    s = (s * 0.529).tanh() + y[29 % n] * 0.1;
    s = (s * 0.53).tanh() + y[30 % n] * 0.1;
    s = (s * 0.531).tanh() + y[31 % n] * 0.1;
    s = (s * 0.532).tanh() + y[32 % n] * 0.1;
    s = (s * 0.533).tanh() + y[33 % n] * 0.1;
    s = (s * 0.534).tanh() + y[34 % n] * 0.1;
    s = (s * 0.535).tanh() + y[35 % n] * 0.1;
    s = (s * 0.536).tanh() + y[36 % n] * 0.1;
    s = (s * 0.537).tanh() + y[37 % n] * 0.1;
    s = (s * 0.538).tanh() + y[38 % n] * 0.1;
    for i in 0..n {
        s = s * x[i] * 0.9 + (s * 0.04).sin();
        y[i] = y[i] * 0.5 + s * 0.1;
        if s > 2.0 {
            break;
        }
    }
    for c in 0..n {
        for r in 0..n {
            s += y[c] * x[r] * 0.01;
        }
    }
    s = (s * 0.54).tanh() + y[40 % n] * 0.1;
    s = (s * 0.541).tanh() + y[41 % n] * 0.1;
    s = (s * 0.542).tanh() + y[42 % n] * 0.1;
    s = (s * 0.543).tanh() + y[43 % n] * 0.1;
    s = (s * 0.544).tanh() + y[44 % n] * 0.1;
    s = (s * 0.545).tanh() + y[45 % n] * 0.1;
    s = (s * 0.546).tanh() + y[46 % n] * 0.1;
    s = (s * 0.547).tanh() + y[47 % n] * 0.1;
    s = (s * 0.548).tanh() + y[48 % n] * 0.1;
    s = (s * 0.549).tanh() + y[49 % n] * 0.1;
    s = (s * 0.55).tanh() + y[50 % n] * 0.1;
    s = (s * 0.551).tanh() + y[51 % n] * 0.1;
    s = (s * 0.552).tanh() + y[52 % n] * 0.1;
    s = (s * 0.553).tanh() + y[53 % n] * 0.1;
    s = (s * 0.554).tanh() + y[54 % n] * 0.1;
    s = (s * 0.555).tanh() + y[55 % n] * 0.1;
    s = (s * 0.556).tanh() + y[56 % n] * 0.1;
    s = (s * 0.557).tanh() + y[57 % n] * 0.1;
    s = (s * 0.558).tanh() + y[58 % n] * 0.1;
    s = (s * 0.559).tanh() + y[59 % n] * 0.1;
    s = (s * 0.56).tanh() + y[60 % n] * 0.1;
    s = (s * 0.561).tanh() + y[61 % n] * 0.1;
    s = (s * 0.562).tanh() + y[62 % n] * 0.1;
    s = (s * 0.563).tanh() + y[63 % n] * 0.1;
    s = (s * 0.564).tanh() + y[64 % n] * 0.1;
    s = (s * 0.565).tanh() + y[65 % n] * 0.1;
    s = (s * 0.566).tanh() + y[66 % n] * 0.1;
    s = (s * 0.567).tanh() + y[67 % n] * 0.1;
    s = (s * 0.568).tanh() + y[68 % n] * 0.1;
    s = (s * 0.569).tanh() + y[69 % n] * 0.1;
    s = (s * 0.57).tanh() + y[70 % n] * 0.1;
    s = (s * 0.571).tanh() + y[71 % n] * 0.1;
    s = (s * 0.572).tanh() + y[72 % n] * 0.1;
    s = (s * 0.573).tanh() + y[73 % n] * 0.1;
    s = (s * 0.574).tanh() + y[74 % n] * 0.1;
    s = (s * 0.575).tanh() + y[75 % n] * 0.1;
    s = (s * 0.576).tanh() + y[76 % n] * 0.1;
    s = (s * 0.577).tanh() + y[77 % n] * 0.1;
    s = (s * 0.578).tanh() + y[78 % n] * 0.1;
    for i in 0..n {
        s = s * x[i] * 0.9 + (s * 0.03).sin();
        y[i] = y[i] * 0.5 + s * 0.1;
        if s > 2.0 {
            break;
        }
    }
    for c in 0..n {
        for r in 0..n {
            s += y[c] * x[r] * 0.01;
        }
    }
    s = (s * 0.58).tanh() + y[80 % n] * 0.1;
    s = (s * 0.581).tanh() + y[81 % n] * 0.1;
    s = (s * 0.582).tanh() + y[82 % n] * 0.1;
    s = (s * 0.583).tanh() + y[83 % n] * 0.1;
    s = (s * 0.584).tanh() + y[84 % n] * 0.1;
    s = (s * 0.585).tanh() + y[85 % n] * 0.1;
    s = (s * 0.586).tanh() + y[86 % n] * 0.1;
    s = (s * 0.587).tanh() + y[87 % n] * 0.1;
    s = (s * 0.588).tanh() + y[88 % n] * 0.1;
    s = (s * 0.589).tanh() + y[89 % n] * 0.1;
    s = (s * 0.59).tanh() + y[90 % n] * 0.1;
    s = (s * 0.591).tanh() + y[91 % n] * 0.1;
    s = (s * 0.592).tanh() + y[92 % n] * 0.1;
    s = (s * 0.593).tanh() + y[93 % n] * 0.1;
    s = (s * 0.594).tanh() + y[94 % n] * 0.1;
    s = (s * 0.595).tanh() + y[95 % n] * 0.1;
    s = (s * 0.596).tanh() + y[96 % n] * 0.1;
    s = (s * 0.597).tanh() + y[97 % n] * 0.1;
    s = (s * 0.598).tanh() + y[98 % n] * 0.1;
    s = (s * 0.599).tanh() + y[99 % n] * 0.1;
    s = (s * 0.5).tanh() + y[100 % n] * 0.1;
    s = (s * 0.501).tanh() + y[101 % n] * 0.1;
    s = (s * 0.502).tanh() + y[102 % n] * 0.1;
    s = (s * 0.503).tanh() + y[103 % n] * 0.1;
    s = (s * 0.504).tanh() + y[104 % n] * 0.1;
    s = (s * 0.505).tanh() + y[105 % n] * 0.1;
    s = (s * 0.506).tanh() + y[106 % n] * 0.1;
    s = (s * 0.507).tanh() + y[107 % n] * 0.1;
    s = (s * 0.508).tanh() + y[108 % n] * 0.1;
    s = (s * 0.509).tanh() + y[109 % n] * 0.1;
    s = (s * 0.51).tanh() + y[110 % n] * 0.1;
    s = (s * 0.511).tanh() + y[111 % n] * 0.1;
    s = (s * 0.512).tanh() + y[112 % n] * 0.1;
    s = (s * 0.513).tanh() + y[113 % n] * 0.1;
    s = (s * 0.514).tanh() + y[114 % n] * 0.1;
    s = (s * 0.515).tanh() + y[115 % n] * 0.1;
    s = (s * 0.516).tanh() + y[116 % n] * 0.1;
    s = (s * 0.517).tanh() + y[117 % n] * 0.1;
    s = (s * 0.518).tanh() + y[118 % n] * 0.1;
    for i in 0..n {
        s = s * x[i] * 0.9 + (s * 0.02).sin();
        y[i] = y[i] * 0.5 + s * 0.1;
        if s > 2.0 {
            break;
        }
    }
    for c in 0..n {
        for r in 0..n {
            s += y[c] * x[r] * 0.01;
        }
    }
    s = (s * 0.52).tanh() + y[120 % n] * 0.1;
    s = (s * 0.521).tanh() + y[121 % n] * 0.1;
    s = (s * 0.522).tanh() + y[122 % n] * 0.1;
    s = (s * 0.523).tanh() + y[123 % n] * 0.1;
    s = (s * 0.524).tanh() + y[124 % n] * 0.1;
    s = (s * 0.525).tanh() + y[125 % n] * 0.1;
    s = (s * 0.526).tanh() + y[126 % n] * 0.1;
    s = (s * 0.527).tanh() + y[127 % n] * 0.1;
    s = (s * 0.528).tanh() + y[128 % n] * 0.1;
    s = (s * 0.529).tanh() + y[129 % n] * 0.1;
    s = (s * 0.53).tanh() + y[130 % n] * 0.1;
    s = (s * 0.531).tanh() + y[131 % n] * 0.1;
    s = (s * 0.532).tanh() + y[132 % n] * 0.1;
    s = (s * 0.533).tanh() + y[133 % n] * 0.1;
    s = (s * 0.534).tanh() + y[134 % n] * 0.1;
    s = (s * 0.535).tanh() + y[135 % n] * 0.1;
    s = (s * 0.536).tanh() + y[136 % n] * 0.1;
    s = (s * 0.537).tanh() + y[137 % n] * 0.1;
    s = (s * 0.538).tanh() + y[138 % n] * 0.1;
    s = (s * 0.539).tanh() + y[139 % n] * 0.1;
    s = (s * 0.54).tanh() + y[140 % n] * 0.1;
    s = (s * 0.541).tanh() + y[141 % n] * 0.1;
    s = (s * 0.542).tanh() + y[142 % n] * 0.1;
    s = (s * 0.543).tanh() + y[143 % n] * 0.1;
    s = (s * 0.544).tanh() + y[144 % n] * 0.1;
    s = (s * 0.545).tanh() + y[145 % n] * 0.1;
    s = (s * 0.546).tanh() + y[146 % n] * 0.1;
    s = (s * 0.547).tanh() + y[147 % n] * 0.1;
    s = (s * 0.548).tanh() + y[148 % n] * 0.1;
    s = (s * 0.549).tanh() + y[149 % n] * 0.1;
    s = (s * 0.55).tanh() + y[150 % n] * 0.1;
    s = (s * 0.551).tanh() + y[151 % n] * 0.1;
    s = (s * 0.552).tanh() + y[152 % n] * 0.1;
    s = (s * 0.553).tanh() + y[153 % n] * 0.1;
    s = (s * 0.554).tanh() + y[154 % n] * 0.1;
    s = (s * 0.555).tanh() + y[155 % n] * 0.1;
    s = (s * 0.556).tanh() + y[156 % n] * 0.1;
    s = (s * 0.557).tanh() + y[157 % n] * 0.1;
    s = (s * 0.558).tanh() + y[158 % n] * 0.1;
    for i in 0..n {
        s = s * x[i] * 0.9 + (s * 0.01).sin();
        y[i] = y[i] * 0.5 + s * 0.1;
        if s > 2.0 {
            break;
        }
    }
    for c in 0..n {
        for r in 0..n {
            s += y[c] * x[r] * 0.01;
        }
    }
    s = (s * 0.56).tanh() + y[160 % n] * 0.1;
    s = (s * 0.561).tanh() + y[161 % n] * 0.1;
    s = (s * 0.562).tanh() + y[162 % n] * 0.1;
    s = (s * 0.563).tanh() + y[163 % n] * 0.1;
    s = (s * 0.564).tanh() + y[164 % n] * 0.1;
    s = (s * 0.565).tanh() + y[165 % n] * 0.1;
    s = (s * 0.566).tanh() + y[166 % n] * 0.1;
    s = (s * 0.567).tanh() + y[167 % n] * 0.1;
    s = (s * 0.568).tanh() + y[168 % n] * 0.1;
    s = (s * 0.569).tanh() + y[169 % n] * 0.1;
    s = (s * 0.57).tanh() + y[170 % n] * 0.1;
    s = (s * 0.571).tanh() + y[171 % n] * 0.1;
    s = (s * 0.572).tanh() + y[172 % n] * 0.1;
    s = (s * 0.573).tanh() + y[173 % n] * 0.1;
    s = (s * 0.574).tanh() + y[174 % n] * 0.1;
    s = (s * 0.575).tanh() + y[175 % n] * 0.1;
    s = (s * 0.576).tanh() + y[176 % n] * 0.1;
    s = (s * 0.577).tanh() + y[177 % n] * 0.1;
    s = (s * 0.578).tanh() + y[178 % n] * 0.1;
    s = (s * 0.579).tanh() + y[179 % n] * 0.1;
    s = (s * 0.58).tanh() + y[180 % n] * 0.1;
    s = (s * 0.581).tanh() + y[181 % n] * 0.1;
    s = (s * 0.582).tanh() + y[182 % n] * 0.1;
    s = (s * 0.583).tanh() + y[183 % n] * 0.1;
    s = (s * 0.584).tanh() + y[184 % n] * 0.1;
    s = (s * 0.585).tanh() + y[185 % n] * 0.1;
    s = (s * 0.586).tanh() + y[186 % n] * 0.1;
    s = (s * 0.587).tanh() + y[187 % n] * 0.1;
    s = (s * 0.588).tanh() + y[188 % n] * 0.1;
    s = (s * 0.589).tanh() + y[189 % n] * 0.1;
    s = (s * 0.59).tanh() + y[190 % n] * 0.1;
    s = (s * 0.591).tanh() + y[191 % n] * 0.1;
    s = (s * 0.592).tanh() + y[192 % n] * 0.1;
    s = (s * 0.593).tanh() + y[193 % n] * 0.1;
    s = (s * 0.594).tanh() + y[194 % n] * 0.1;
    s = (s * 0.595).tanh() + y[195 % n] * 0.1;
    s = (s * 0.596).tanh() + y[196 % n] * 0.1;
    s = (s * 0.597).tanh() + y[197 % n] * 0.1;
    s = (s * 0.598).tanh() + y[198 % n] * 0.1;
    for i in 0..n {
        s = s * x[i] * 0.9 + (s * 0.05).sin();
        y[i] = y[i] * 0.5 + s * 0.1;
        if s > 2.0 {
            break;
        }
    }
    for c in 0..n {
        for r in 0..n {
            s += y[c] * x[r] * 0.01;
        }
    }
    s = (s * 0.5).tanh() + y[200 % n] * 0.1;
    s = (s * 0.501).tanh() + y[201 % n] * 0.1;
    s = (s * 0.502).tanh() + y[202 % n] * 0.1;
    s = (s * 0.503).tanh() + y[203 % n] * 0.1;
    s = (s * 0.504).tanh() + y[204 % n] * 0.1;
    s = (s * 0.505).tanh() + y[205 % n] * 0.1;
    s = (s * 0.506).tanh() + y[206 % n] * 0.1;
    s = (s * 0.507).tanh() + y[207 % n] * 0.1;
    s = (s * 0.508).tanh() + y[208 % n] * 0.1;
    s = (s * 0.509).tanh() + y[209 % n] * 0.1;
    s = (s * 0.51).tanh() + y[210 % n] * 0.1;
    s = (s * 0.511).tanh() + y[211 % n] * 0.1;
    s = (s * 0.512).tanh() + y[212 % n] * 0.1;
    s = (s * 0.513).tanh() + y[213 % n] * 0.1;
    s = (s * 0.514).tanh() + y[214 % n] * 0.1;
    s = (s * 0.515).tanh() + y[215 % n] * 0.1;
    s = (s * 0.516).tanh() + y[216 % n] * 0.1;
    s = (s * 0.517).tanh() + y[217 % n] * 0.1;
    s = (s * 0.518).tanh() + y[218 % n] * 0.1;
    s = (s * 0.519).tanh() + y[219 % n] * 0.1;
    s = (s * 0.52).tanh() + y[220 % n] * 0.1;
    s = (s * 0.521).tanh() + y[221 % n] * 0.1;
    s = (s * 0.522).tanh() + y[222 % n] * 0.1;
    s = (s * 0.523).tanh() + y[223 % n] * 0.1;
    s = (s * 0.524).tanh() + y[224 % n] * 0.1;
    s = (s * 0.525).tanh() + y[225 % n] * 0.1;
    s = (s * 0.526).tanh() + y[226 % n] * 0.1;
    s = (s * 0.527).tanh() + y[227 % n] * 0.1;
    s = (s * 0.528).tanh() + y[228 % n] * 0.1;
    s = (s * 0.529).tanh() + y[229 % n] * 0.1;
    s = (s * 0.53).tanh() + y[230 % n] * 0.1;
    s = (s * 0.531).tanh() + y[231 % n] * 0.1;
    s = (s * 0.532).tanh() + y[232 % n] * 0.1;
    s = (s * 0.533).tanh() + y[233 % n] * 0.1;
    s = (s * 0.534).tanh() + y[234 % n] * 0.1;
    s = (s * 0.535).tanh() + y[235 % n] * 0.1;
    s = (s * 0.536).tanh() + y[236 % n] * 0.1;
    s = (s * 0.537).tanh() + y[237 % n] * 0.1;
    s = (s * 0.538).tanh() + y[238 % n] * 0.1;
    for i in 0..n {
        s = s * x[i] * 0.9 + (s * 0.04).sin();
        y[i] = y[i] * 0.5 + s * 0.1;
        if s > 2.0 {
            break;
        }
    }
    for c in 0..n {
        for r in 0..n {
            s += y[c] * x[r] * 0.01;
        }
    }
    s
});

// ---------- `&mut [f64]` parameters written in loops ----------

mod mut_slices {
    #![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]
    use grad::prelude::*;

    macro_rules! both {
        ($f:ident, $g:ident, ($x:ident, $a:ident) $body:block) => {
            #[differentiable]
            pub fn $f($x: &mut [f64], $a: f64) -> f64 $body
            #[differentiable(disable(window, promote))]
            pub fn $g($x: &mut [f64], $a: f64) -> f64 $body
        };
    }

    both!(smooth_f, smooth_g, (x, a) {
        let n = x.len();
        for it in 0..3 {
            for i in 1..n {
                x[i] = x[i] * 0.5 + x[i - 1] * a + (x[i] * x[0]).sin();
            }
            for i in (0..n - 1).rev() {
                x[i] = x[i] + x[i + 1] * x[i + 1] * 0.1 * (it as f64 + 1.0);
            }
        }
        let mut s = 0.0;
        for i in 0..n {
            s += x[i] * x[i];
        }
        s
    });

    both!(pivot_f, pivot_g, (x, a) {
        let n = x.len();
        let p = n / 2;
        for k in 0..2 {
            for i in 0..n {
                x[p] = x[p] * 0.9 + x[i] * a;
                if x[p] > 3.0 {
                    break;
                }
            }
            x[k] = x[k] * x[p];
        }
        x[0] + x[p] * x[n - 1]
    });

    both!(mut_with_continue_f, mut_with_continue_g, (x, a) {
        let n = x.len();
        let mut s = 0.0;
        for i in 0..n {
            x[i] = x[i] * a;
            if x[i] < 0.0 {
                continue;
            }
            s += x[i] * x[i];
            x[i] = s.sqrt();
        }
        s + x[n - 1]
    });

    type G = fn(&mut [f64], f64) -> (f64, Vec<f64>, f64);
    type P = fn(&mut [f64], f64) -> f64;

    fn check(f: G, g: G, plain: P, x: &[f64], a: f64) {
        let (v, dx, da) = f(&mut x.to_vec(), a);
        let (v2, dx2, da2) = g(&mut x.to_vec(), a);
        let bits = |g: &[f64]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(v.to_bits(), plain(&mut x.to_vec(), a).to_bits());
        assert_eq!(v.to_bits(), v2.to_bits());
        assert_eq!(
            (bits(&dx), da.to_bits()),
            (bits(&dx2), da2.to_bits()),
            "{dx:?} {da} vs {dx2:?} {da2}"
        );
        let mut q = x.to_vec();
        q.push(a);
        let mut grad = dx.clone();
        grad.push(da);
        let n = x.len();
        crate::common::central_differences(|q| plain(&mut q[..n].to_vec(), q[n]), &q, &grad, 1e-5);
    }

    #[test]
    fn same_bits_and_right() {
        for (x, a) in [
            (vec![0.4, -0.3, 0.8, 0.6, -0.9], 0.6),
            (vec![0.9, 1.7, 0.4], 0.9),
            (vec![0.5, 0.2], -0.3),
        ] {
            check(smooth_f_grad, smooth_g_grad, smooth_f, &x, a);
            check(pivot_f_grad, pivot_g_grad, pivot_f, &x, a);
            check(
                mut_with_continue_f_grad,
                mut_with_continue_g_grad,
                mut_with_continue_f,
                &x,
                a,
            );
        }
    }
}

// ---------- struct parameters ----------

mod structs {
    #![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]
    use grad::prelude::*;

    #[derive(Clone, Debug, PartialEq, Differentiable)]
    pub struct Layer {
        pub w: Vec<f64>,
        pub b: Vec<f64>,
        pub scale: f64,
        pub n: usize,
    }

    macro_rules! both {
        ($f:ident, $g:ident, ($p:ident, $x:ident) $body:block) => {
            #[differentiable(hessian)]
            pub fn $f($p: &Layer, $x: &[f64]) -> f64 $body
            #[differentiable(hessian, disable(window, promote))]
            pub fn $g($p: &Layer, $x: &[f64]) -> f64 $body
        };
    }

    both!(mlp_f, mlp_g, (p, x) {
        let n = p.n;
        let mut h = vec![0.0; n];
        for j in 0..n {
            let mut act = p.b[j];
            for k in 0..n {
                act += p.w[j * n + k] * x[k];
            }
            h[j] = act.relu() + 0.1 * act.tanh() * p.scale;
        }
        let mut s = 0.0;
        for j in 0..n {
            s += h[j] * h[j] * p.scale;
        }
        s
    });

    both!(recur_f, recur_g, (p, x) {
        let n = p.n;
        let mut s = p.scale;
        for t in 0..x.len() {
            for j in 0..n {
                s = (s * p.w[j] + p.b[t % n] * x[t]).tanh();
                if s > 0.95 {
                    break;
                }
            }
            s = s * p.b[0] + x[t];
        }
        s
    });

    both!(invariant_field_f, invariant_field_g, (p, x) {
        let n = p.n;
        let k = 1;
        let mut s = 0.0;
        for i in 0..n {
            for j in 0..x.len() {
                s += p.w[k] * p.w[i] * x[j] + p.b[k] * p.b[i];
            }
        }
        s * p.scale
    });

    type G = fn(&Layer, &[f64]) -> (f64, Layer, Vec<f64>);
    type Pl = fn(&Layer, &[f64]) -> f64;
    type H = fn(&Layer, &[f64], &Layer, &[f64]) -> (f64, Layer, Vec<f64>, Layer, Vec<f64>);

    fn flat(l: &Layer, x: &[f64]) -> Vec<f64> {
        let mut v = Vec::new();
        l.flatten(&mut v);
        v.extend_from_slice(x);
        v
    }

    fn check(f: (Pl, G, H), g: (G, H), p: &Layer, x: &[f64]) {
        let (v, dp, dx) = (f.1)(p, x);
        let (v2, dp2, dx2) = (g.0)(p, x);
        assert_eq!(v.to_bits(), (f.0)(p, x).to_bits());
        assert_eq!(v.to_bits(), v2.to_bits());
        let bits = |g: &[f64]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&flat(&dp, &dx)),
            bits(&flat(&dp2, &dx2)),
            "{dp:?} {dx:?} vs {dp2:?} {dx2:?}"
        );
        let mut tp = p.clone();
        for (i, w) in tp.w.iter_mut().enumerate() {
            *w = 0.3 - 0.1 * i as f64;
        }
        tp.scale = 0.7;
        let tx: Vec<f64> = x.iter().map(|v| v * 0.5 - 0.2).collect();
        let (_, _, _, hp, hx) = (f.2)(p, x, &tp, &tx);
        let (_, _, _, hp2, hx2) = (g.1)(p, x, &tp, &tx);
        assert_eq!(bits(&flat(&hp, &hx)), bits(&flat(&hp2, &hx2)), "H v");
        let q = flat(p, x);
        let grad = flat(&dp, &dx);
        let m = q.len() - x.len();
        crate::common::central_differences(
            |q| {
                let mut l = p.clone();
                let mut head = &q[..m];
                l.unflatten(&mut head);
                (f.0)(&l, &q[m..])
            },
            &q,
            &grad,
            1e-5,
        );
    }

    #[test]
    fn same_bits_and_right() {
        let p = Layer {
            w: vec![0.3, -0.5, 0.8, 1.2, 0.1, -0.7, 0.4, 0.9, -0.2],
            b: vec![0.1, -0.2, 0.3],
            scale: 0.8,
            n: 3,
        };
        for x in [vec![0.5, -0.4, 0.9], vec![1.5, 0.2, -0.6, 0.3]] {
            check(
                (mlp_f, mlp_f_grad, mlp_f_hvp),
                (mlp_g_grad, mlp_g_hvp),
                &p,
                &x,
            );
            check(
                (recur_f, recur_f_grad, recur_f_hvp),
                (recur_g_grad, recur_g_hvp),
                &p,
                &x,
            );
            check(
                (
                    invariant_field_f,
                    invariant_field_f_grad,
                    invariant_field_f_hvp,
                ),
                (invariant_field_g_grad, invariant_field_g_hvp),
                &p,
                &x,
            );
        }
    }
}

// ---------- generic float code ----------

mod generic {
    #![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]
    use grad::prelude::*;

    macro_rules! both {
        ($f:ident, $g:ident, ($x:ident, $a:ident) $body:block) => {
            #[differentiable(hessian)]
            pub fn $f<T: Real>($x: &[T], $a: T) -> T $body
            #[differentiable(hessian, disable(window, promote))]
            pub fn $g<T: Real>($x: &[T], $a: T) -> T $body
        };
    }

    both!(recur_f, recur_g, (x, a) {
        let n = x.len();
        let mut s = a;
        for i in 0..n {
            s = s * x[i] + (s * a).sin();
            if s > T::from_f64(3.0) {
                break;
            }
        }
        let mut y = vec![T::ZERO; n];
        for i in 0..n {
            y[i] = x[i] * s;
        }
        let k = n / 2;
        for r in 0..3 {
            for i in 0..n {
                y[k] = y[k] + y[i] * a;
            }
        }
        for i in (0..n).rev().step_by(2) {
            s = s + y[i] * y[i];
        }
        s
    });

    both!(while_f, while_g, (x, a) {
        let mut s = a;
        let mut i = 0;
        while i < x.len() {
            s = (s * x[i]).tanh() + a * a;
            i += 1;
        }
        for j in 0..=x.len() / 2 {
            s = s * s * T::from_f64(0.5) + x[j];
        }
        s
    });

    macro_rules! check {
        ($t:ty, $f:ident, $fg:ident, $fh:ident, $gg:ident, $gh:ident, $x:expr, $a:expr) => {{
            let x: Vec<$t> = $x.iter().map(|v| *v as $t).collect();
            let a = $a as $t;
            let (v, dx, da) = $fg::<$t>(&x, a);
            let (v2, dx2, da2) = $gg::<$t>(&x, a);
            assert_eq!(v.to_bits(), $f::<$t>(&x, a).to_bits());
            assert_eq!(v.to_bits(), v2.to_bits());
            let bits = |g: &[$t]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!((bits(&dx), da.to_bits()), (bits(&dx2), da2.to_bits()));
            let dir: Vec<$t> = (0..x.len()).map(|i| (0.3 - 0.1 * i as f64) as $t).collect();
            let (_, _, _, hx, ha) = $fh::<$t>(&x, a, &dir, 0.4 as $t);
            let (_, _, _, hx2, ha2) = $gh::<$t>(&x, a, &dir, 0.4 as $t);
            assert_eq!((bits(&hx), ha.to_bits()), (bits(&hx2), ha2.to_bits()));
            if core::mem::size_of::<$t>() == 8 {
                let xd: Vec<f64> = $x.to_vec();
                let (_, gx, ga) = $fg::<f64>(&xd, $a);
                let mut q = xd.clone();
                q.push($a);
                let mut g = gx;
                g.push(ga);
                let n = xd.len();
                crate::common::central_differences(|q| $f::<f64>(&q[..n], q[n]), &q, &g, 1e-5);
            }
        }};
    }

    #[test]
    fn same_bits_and_right_f32_f64() {
        for (x, a) in [
            (vec![0.4, -0.3, 0.8, 0.6, -0.9], 0.6f64),
            (vec![0.9, 1.7, 0.4], 0.9),
            (vec![0.5], 0.3),
        ] {
            check!(
                f64,
                recur_f,
                recur_f_grad,
                recur_f_hvp,
                recur_g_grad,
                recur_g_hvp,
                x,
                a
            );
            check!(
                f32,
                recur_f,
                recur_f_grad,
                recur_f_hvp,
                recur_g_grad,
                recur_g_hvp,
                x,
                a
            );
            check!(
                f64,
                while_f,
                while_f_grad,
                while_f_hvp,
                while_g_grad,
                while_g_hvp,
                x,
                a
            );
            check!(
                f32,
                while_f,
                while_f_grad,
                while_f_hvp,
                while_g_grad,
                while_g_hvp,
                x,
                a
            );
        }
    }
}

// ---------- more shapes ----------

#[grad::differentiable(hessian, jvp)]
pub fn looped_helper(u: f64, w: f64) -> f64 {
    let mut s = u;
    for k in 0..4 {
        s = s * w * 0.5 + (s * (k as f64 + 1.0)).sin();
    }
    s
}

// A scalar helper that has a windowed loop of its own, called in a windowed loop.
case!(scalar_call_windowed_callee, [(P5, 0.6), (P7, 0.3), (P3, 1.1)], (x, a) {
    let mut s = a;
    for i in 0..x.len() {
        s = (s * x[i]).tanh() + super::looped_helper(s, x[i]) * 0.3;
    }
    s
});

// The outer loop's only saves by index are its inner loop's trip count (a `break`).
case!(outer_counts_inner_break, [(P5, 0.6), (P7, 0.3), (P3, 1.1)], (x, a) {
    let n = x.len();
    let mut s = a;
    for i in 0..n {
        for j in 0..n {
            s = s * x[j] + 0.3;
            if j == i {
                break;
            }
        }
    }
    s
});

// Iterator forms: enumerate, zip, windows, chunks, step_by over slices, and an unused
// loop variable.
case!(iterator_forms, [(P5, 0.6), (P7, 0.3), ([0.4], 1.1), ([], 0.5)], (x, a) {
    let mut s = a;
    for (i, &v) in x.iter().enumerate() {
        s = s * v + (s * a * i as f64).sin();
    }
    for (u, w) in x.iter().zip(x.iter().skip(1)) {
        s = (s * u * w).tanh() + s;
    }
    for w in x.windows(2) {
        s = s * w[0] + w[1] * s * 0.5;
    }
    for c in x.chunks(2) {
        s = s * c[0] + (s * a).cos();
    }
    for &v in x.iter().rev() {
        s = s * v + 0.1;
        if s > 3.0 {
            break;
        }
    }
    for _ in 0..3 {
        s = (s * a).cos() * s;
    }
    s
});

// Signed, stepped, reversed, empty and inclusive ranges of i32 and i64 whose bounds come
// from data, including negative bounds.
case!(signed_computed, [(P5, 0.6), (P7, -0.3), (P3, 1.1)], (x, a) {
    let n = x.len() as i32;
    let lo = -(n / 2);
    let mut s = a;
    for i in (lo..n - 1).step_by(2) {
        s = s * (i as f64 * 0.1 + a).sin() + x[i.unsigned_abs() as usize % x.len()];
    }
    for i in (lo..=lo).rev() {
        s = s * x[0] + i as f64;
    }
    for i in (n..lo).rev() {
        s = s * x[0];
    }
    let m = (a * 4.0).round() as i64;
    for i in (-m..m).rev().step_by(3) {
        s = (s * x[(i + 10) as usize % x.len()]).tanh() + s;
    }
    s
});

// An element alias: a reference to the local array and the array itself.
case!(reference_alias, [(P5, 0.6), (P7, 0.3), (P3, 1.1)], (x, a) {
    let n = x.len();
    let mut y = x.to_vec();
    for i in 0..n {
        y[i] = y[i] * a;
    }
    let r = &y;
    let mut s = 0.0;
    for i in 0..n {
        s += r[1] * y[i] + y[1] * r[i];
    }
    s
});

// A promoted element while the loop's reverse resets and adds other elements of the
// same array in a nested loop (written in the forward loop at a variant index).
case!(promote_reset_nested, [(P5, 0.6), (P7, 0.3), (P3, 1.1)], (x, a) {
    let n = x.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = x[i] + a;
    }
    let k = n - 1;
    for t in 0..3 {
        for i in 0..n {
            y[k] = y[k] * 0.5 + x[i] * a;
        }
        for i in 0..n - 1 {
            y[i] = y[i] * y[k];
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        s += y[i];
    }
    s
});

// The invariant element read through a fixed array in a loop with a `break` and `continue`.
case!(promote_with_jumps, [(P5, 0.6), (P7, 0.3), (P3, 1.1)], (x, a) {
    let mut y = [0.0; 3];
    for i in 0..3 {
        y[i] = x[i] * a;
    }
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] < -0.5 {
            continue;
        }
        y[1] = y[1] + x[i] * y[0];
        s += y[1] * y[1];
        if s > 5.0 {
            break;
        }
    }
    s + y[0] + y[2]
});

// Promotion where the loop runs zero times at an out-of-bounds index (a `vec!` shorter
// than the index), and where the invariant index is the loop's end.
case!(promote_zero_trips, [(P5, 0.6), (P3, 1.1), ([0.5], 0.3), ([], 0.2)], (x, a) {
    let n = x.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = x[i] * a;
    }
    let mut s = a;
    for i in n..n {
        s += y[n] * 0.0 + y[i];
    }
    for i in 0..n {
        for j in (i + 1)..n {
            s += y[i] * x[j];
        }
        for j in i..i {
            s += y[n] * x[j];
        }
    }
    s
});

// Large functions (cut into segments at the default size, where both passes are off) are
// checked by tests/segments.rs and grad-fuzz; the review also ran a 240- and a 320-statement
// function with `disable(segment)` (loops in closures, both passes on): they matched.
