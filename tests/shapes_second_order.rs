//! Shapes of functions that users bring to `jvp`, `hessian`, `_vjp` and `_jacobian` (issue 14)
//! and that an independent probe of the API found missing: `const` arrays read in the body,
//! `total_cmp`, tuples and generic structs at `f64` as parameters, a struct left out by
//! `wrt(...)` in `_jvp`, struct parameters of array-valued functions, and second derivatives
//! at the edge of a domain; and constructs a probe of realistic workloads found refused
//! (`wrt(self)`, a `usize` field as a `vec!` length, `let (a, b) = (x, y);`, `let row =
//! &x[a..b];`). Each against a closed form or central differences.

#![allow(clippy::needless_range_loop)] // loops written as users write them

use grad::prelude::*;

const A: [f64; 3] = [2.0, -1.0, 0.5];

/// `A[1] x² + C[0] sin(x y)`: constants from a module-level and a body-level `const` array.
#[differentiable(jvp, hessian)]
fn with_consts(x: f64, y: f64) -> f64 {
    const C: [f64; 2] = [1.5, 3.0];
    A[1] * x * x + C[0] * (x * y).sin()
}

#[test]
fn const_arrays_are_constants_in_every_companion() {
    let (x, y): (f64, f64) = (0.7, -1.3);
    let s = (x * y).sin();
    let c = (x * y).cos();
    let (v, g, h) = with_consts_hessian(x, y);
    assert_eq!(v.to_bits(), with_consts(x, y).to_bits());
    close(g[0], -2.0 * x + 1.5 * y * c);
    close(g[1], 1.5 * x * c);
    close(h[0][0], -2.0 - 1.5 * y * y * s);
    close(h[1][1], -1.5 * x * x * s);
    close(h[0][1], 1.5 * (c - x * y * s));
    assert_eq!(h[0][1].to_bits(), h[1][0].to_bits());
    let (vj, dv) = with_consts_jvp(x, y, 1.0, 2.0);
    assert_eq!(vj.to_bits(), v.to_bits());
    close(dv, g[0] + 2.0 * g[1]);
    // `_graph` reads the constants as constant nodes.
    let root = with_consts_graph(x, y);
    close(root.data(), v);
}

#[differentiable(jvp, hessian)]
fn scaled_square(x: f64, k: f64) -> f64 {
    k * x * x
}

/// `Σ_i A[i] x²` through a helper that takes the constant as an argument.
#[differentiable(jvp, hessian)]
fn const_arguments(x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..A.len() {
        s += scaled_square(x, A[i]);
    }
    s
}

#[test]
fn const_array_elements_are_constant_arguments_of_calls() {
    let x = 1.25;
    let k: f64 = A.iter().sum();
    let (v, g, h) = const_arguments_hessian(x);
    assert_eq!(v.to_bits(), const_arguments(x).to_bits());
    close(v, k * x * x);
    close(g[0], 2.0 * k * x);
    close(h[0][0], 2.0 * k);
    assert_eq!(const_arguments_grad(x).1.to_bits(), g[0].to_bits());
    close(const_arguments_jvp(x, 0.5).1, k * x);
}

/// `max(x)²` through `max_by(total_cmp)`, and in generic code.
#[differentiable(jvp, hessian)]
fn max_sq(x: &[f64]) -> f64 {
    let m = x.iter().copied().max_by(|a, b| a.total_cmp(b)).unwrap();
    m * m
}

#[differentiable(hessian)]
fn max_sq_generic<T: Real>(x: &[T]) -> T {
    let m = x.iter().copied().max_by(|a, b| a.total_cmp(b)).unwrap();
    m * m
}

#[test]
fn total_cmp_works_on_dual_numbers() {
    let x = [1.0, 3.0, -2.0];
    let (v, g, h) = max_sq_hessian(&x);
    assert_eq!(v, 9.0);
    assert_eq!(g, vec![0.0, 6.0, 0.0]);
    assert_eq!(h[1][1], 2.0);
    assert_eq!(h.iter().flatten().filter(|&&e| e != 0.0).count(), 1);
    assert_eq!(max_sq_jvp(&x, &[1.0, 1.0, 1.0]), (9.0, 6.0));
    let (vg, _, hg) = max_sq_generic_hessian(&x);
    assert_eq!((vg, hg), (v, h));
}

/// `a x + a b x²` with `(a, b)` a tuple parameter.
#[differentiable(jvp, hessian)]
fn tuple_param(p: &(f64, f64), x: f64) -> f64 {
    p.0 * x + p.1 * p.0 * x * x
}

#[derive(Clone, Debug, Differentiable)]
struct Gen<T: Real> {
    a: T,
    b: T,
}

/// A generic struct at `f64`: `a x² + exp(b x)`.
#[differentiable(hessian)]
fn generic_struct_f64(p: &Gen<f64>, x: f64) -> f64 {
    p.a * x * x + (p.b * x).exp()
}

#[test]
fn tuples_and_generic_structs_at_f64_take_hessians() {
    let (a, b, x) = (1.5, -0.5, 2.0);
    // inputs: a, b, x
    let (v, g, h) = tuple_param_hessian(&(a, b), x);
    assert_eq!(v.to_bits(), tuple_param(&(a, b), x).to_bits());
    close(g[0], x + b * x * x);
    close(g[1], a * x * x);
    close(g[2], a + 2.0 * a * b * x);
    let want = [
        [0.0, x * x, 1.0 + 2.0 * b * x],
        [x * x, 0.0, 2.0 * a * x],
        [1.0 + 2.0 * b * x, 2.0 * a * x, 2.0 * a * b],
    ];
    for i in 0..3 {
        for j in 0..3 {
            close(h[i][j], want[i][j]);
            assert_eq!(h[i][j].to_bits(), h[j][i].to_bits());
        }
    }
    let p = Gen { a, b };
    let e = (b * x).exp();
    let (v, g, h) = generic_struct_f64_hessian(&p, x);
    assert_eq!(v.to_bits(), generic_struct_f64(&p, x).to_bits());
    close(g[2], 2.0 * a * x + b * e);
    close(h[0][2], 2.0 * x);
    close(h[1][1], x * x * e);
    close(h[1][2], e + b * x * e);
    close(h[2][2], 2.0 * a + b * b * e);
    assert_eq!(h[0][0], 0.0);
    assert_eq!(h[0][1], 0.0);
}

#[derive(Clone, Debug, Differentiable)]
struct Spring {
    k: f64,
}

/// The struct is left out by `wrt(...)`: a constant of `_jvp`.
#[differentiable(jvp, wrt(x))]
fn spring_energy(s: &Spring, x: f64) -> f64 {
    0.5 * s.k * x * x
}

impl Spring {
    #[differentiable(jvp, wrt(x))]
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * x * x
    }
}

#[test]
fn jvp_with_a_struct_left_out_by_wrt() {
    let s = Spring { k: 3.0 };
    assert_eq!(spring_energy_jvp(&s, 2.0, 0.5), (6.0, 3.0));
    assert_eq!(s.energy_jvp(2.0, 0.5), (6.0, 3.0));
}

#[derive(Clone, Debug, Differentiable)]
struct Affine {
    w: [f64; 2],
    b: f64,
    #[grad(skip)]
    scale: f64,
}

/// `[scale (w0 x + b), w1 x²]`: an array result with a struct parameter.
#[differentiable]
fn affine(p: &Affine, x: f64) -> [f64; 2] {
    [p.scale * (p.w[0] * x + p.b), p.w[1] * x * x]
}

#[test]
fn vjp_and_jacobian_take_struct_parameters() {
    let p = Affine {
        w: [2.0, -3.0],
        b: 0.25,
        scale: 1.5,
    };
    let x = 1.5;
    // columns: w0, w1, b (the skipped `scale` is not an input), x
    let (v, j) = affine_jacobian(&p, x);
    assert_eq!(v, affine(&p, x));
    let want = [
        [1.5 * x, 0.0, 1.5, 1.5 * 2.0],
        [0.0, x * x, 0.0, 2.0 * -3.0 * x],
    ];
    assert_eq!(j.len(), 2);
    for (row, want) in j.iter().zip(want) {
        assert_eq!(row.len(), 4);
        for (&got, want) in row.iter().zip(want) {
            close(got, want);
        }
    }
    let (v2, gp, gx) = affine_vjp(&p, x, [1.0, 2.0]);
    assert_eq!(v2, v);
    close(gp.w[0], j[0][0] + 2.0 * j[1][0]);
    close(gp.w[1], j[0][1] + 2.0 * j[1][1]);
    close(gp.b, j[0][2] + 2.0 * j[1][2]);
    assert_eq!(gp.scale, p.scale, "a skipped field keeps its value");
    close(gx, j[0][3] + 2.0 * j[1][3]);
}

#[differentiable(hessian)]
fn root(x: f64) -> f64 {
    x.sqrt()
}

#[differentiable(hessian)]
fn logs(x: f64) -> f64 {
    x.ln() + x.log2()
}

#[test]
fn second_derivatives_at_the_edge_of_the_domain_are_the_limits_from_inside() {
    // sqrt'' = -x^(-3/2) / 4 and ln'' = -1/x² go to -inf as x -> 0+; the first derivatives
    // are +inf there (also at -0, the same point).
    for zero in [0.0, -0.0] {
        let (_, g, h) = root_hessian(zero);
        assert_eq!((g[0], h[0][0]), (f64::INFINITY, f64::NEG_INFINITY));
        let (_, g, h) = logs_hessian(zero);
        assert_eq!((g[0], h[0][0]), (f64::INFINITY, f64::NEG_INFINITY));
    }
    // And the ordinary points are unchanged.
    let x: f64 = 0.3;
    close(root_hessian(x).2[0][0], -0.25 * x.powf(-1.5));
    close(
        logs_hessian(x).2[0][0],
        -1.0 / (x * x) * (1.0 + 1.0 / std::f64::consts::LN_2),
    );
}

fn close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * (1.0 + want.abs()),
        "got {got}, want {want}"
    );
}

/// Parameters named as the wrappers' own (`w` of `_vjp`, `tangent_x` of `_jvp`).
#[differentiable(jvp)]
fn named_like_wrappers(x: f64, w: f64, tangent_x: f64) -> [f64; 2] {
    [x * w, x + tangent_x * w]
}

#[test]
fn parameters_named_like_the_wrappers_own_do_not_clash() {
    let (x, w, t) = (1.5, 2.0, -0.5);
    let (v, j) = named_like_wrappers_jacobian(x, w, t);
    assert_eq!(v, named_like_wrappers(x, w, t));
    assert_eq!(j, vec![vec![w, x, 0.0], vec![1.0, t, w]]);
    let (_, gx, gw, gt) = named_like_wrappers_vjp(x, w, t, [1.0, 10.0]);
    assert_eq!((gx, gw, gt), (w + 10.0, x + 10.0 * t, 10.0 * w));
    let (_, d) = named_like_wrappers_jvp(x, w, t, 1.0, 0.0, 0.0);
    assert_eq!(d, [w, 1.0]);
}

#[derive(Clone, Debug, Differentiable)]
struct Line {
    a: f64,
    b: f64,
}

impl Line {
    /// Squared error of the line on the data; the gradient with respect to the line only.
    #[differentiable(wrt(self))]
    fn sse(&self, xs: &[f64], ys: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..xs.len() {
            let r = self.a * xs[i] + self.b - ys[i];
            s += r * r;
        }
        s
    }
}

#[test]
fn wrt_lists_self() {
    let line = Line { a: 2.0, b: -1.0 };
    let (xs, ys) = ([0.0, 1.0, 2.0], [1.0, 1.5, 2.5]);
    let (v, g) = line.sse_grad(&xs, &ys);
    assert_eq!(v.to_bits(), line.sse(&xs, &ys).to_bits());
    let r: Vec<f64> = (0..3).map(|i| 2.0 * xs[i] - 1.0 - ys[i]).collect();
    close(g.a, (0..3).map(|i| 2.0 * r[i] * xs[i]).sum());
    close(g.b, (0..3).map(|i| 2.0 * r[i]).sum());
}

#[derive(Clone, Debug, Differentiable)]
struct Hidden {
    w: Vec<f64>,
    n: usize,
}

impl Hidden {
    /// A `usize` field as a `vec!` length: an integer, not a float.
    #[differentiable]
    fn spread(&self, x: f64) -> f64 {
        let mut h = vec![0.0; self.n];
        let mut s = 0.0;
        for i in 0..h.len() {
            h[i] = (self.w[i] * x).tanh();
            s += h[i] * h[i];
        }
        s
    }
}

#[test]
fn a_field_used_as_a_vec_length_is_an_integer() {
    let m = Hidden {
        w: vec![0.5, -1.5, 2.0],
        n: 3,
    };
    let x = 0.4;
    let (v, gm, gx) = m.spread_grad(x);
    assert_eq!(v.to_bits(), m.spread(x).to_bits());
    let want_x: f64 =
        m.w.iter()
            .map(|w| {
                let t = (w * x).tanh();
                2.0 * t * (1.0 - t * t) * w
            })
            .sum();
    close(gx, want_x);
    for i in 0..3 {
        let t = (m.w[i] * x).tanh();
        close(gm.w[i], 2.0 * t * (1.0 - t * t) * x);
    }
}

/// `let (a, b) = (x, y);` with `mut`, a type, and a swap: every value is computed first.
#[differentiable(hessian)]
fn tuple_lets(x: f64, y: f64) -> f64 {
    let (s, c, _): (f64, f64, f64) = (x.sin(), x.cos(), x.tan());
    let (mut a, mut b) = (s * y, c);
    for _ in 0..3 {
        (a, b) = (b, a);
        let (p, q) = (a * b, a + b);
        a = p;
        b = q;
    }
    a + b
}

#[test]
fn tuple_lets_bind_one_name_per_element() {
    // Central differences of the plain function (plain Rust) are the reference.
    let f = tuple_lets;
    let (x, y) = (0.7, 1.3);
    let (v, g, h) = tuple_lets_hessian(x, y);
    assert_eq!(v.to_bits(), f(x, y).to_bits());
    let eps = 1e-6;
    close_to(g[0], (f(x + eps, y) - f(x - eps, y)) / (2.0 * eps), 1e-7);
    close_to(g[1], (f(x, y + eps) - f(x, y - eps)) / (2.0 * eps), 1e-7);
    let gx = |x: f64, y: f64| tuple_lets_grad(x, y).1;
    close_to(
        h[0][0],
        (gx(x + eps, y) - gx(x - eps, y)) / (2.0 * eps),
        1e-6,
    );
    assert_eq!(h[0][1].to_bits(), h[1][0].to_bits());
}

fn close_to(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * (1.0 + want.abs()),
        "got {got}, want {want}"
    );
}

/// Logistic regression with rows as sub-slices: `let row = &x[i * d..(i + 1) * d];`.
#[differentiable(hessian, wrt(w))]
fn logistic(w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let d = w.len();
    let mut loss = 0.0;
    for i in 0..y.len() {
        let row = &x[i * d..(i + 1) * d];
        let z: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum();
        // The same product with the slice written in the chain: `z2 - z` is zero.
        let z2 = x[i * d..(i + 1) * d]
            .iter()
            .zip(w)
            .map(|(a, b)| a * b)
            .sum::<f64>();
        let z = z + (z2 - z);
        let tail = &row[1..];
        let bias = tail.len() as f64 * 0.0 + row[0] * 0.0;
        loss += (1.0 + (-y[i] * z).exp()).ln() + bias;
    }
    loss / y.len() as f64
}

#[test]
fn local_sub_slices_are_views() {
    let (w, x, y) = (
        [0.5, -0.25, 1.0],
        [1.0, 2.0, -1.0, 0.5, -1.5, 2.0],
        [1.0, -1.0],
    );
    let (v, g, h) = logistic_hessian(&w, &x, &y);
    assert_eq!(v.to_bits(), logistic(&w, &x, &y).to_bits());
    let (mut gw, mut hw) = ([0.0; 3], [[0.0; 3]; 3]);
    for i in 0..2 {
        let row = &x[i * 3..i * 3 + 3];
        let z: f64 = (0..3).map(|k| row[k] * w[k]).sum();
        let s = 1.0 / (1.0 + (y[i] * z).exp()); // sigmoid(-y z)
        for a in 0..3 {
            gw[a] += -y[i] * s * row[a] / 2.0;
            for b in 0..3 {
                hw[a][b] += s * (1.0 - s) * row[a] * row[b] / 2.0;
            }
        }
    }
    for a in 0..3 {
        close(g[a], gw[a]);
        for b in 0..3 {
            close(h[a][b], hw[a][b]);
        }
    }
}

#[test]
#[should_panic(expected = "out of range for slice of length 6")]
fn a_view_past_the_end_panics_as_slicing_does() {
    let _ = logistic_grad(
        &[0.5, -0.25, 1.0],
        &[1.0, 2.0, -1.0, 0.5, -1.5, 2.0],
        &[1.0, -1.0, 1.0],
    );
}

/// Shape checks open the function: the companions check them too.
#[differentiable(hessian, wrt(w))]
fn least_squares(w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(
        x.len(),
        w.len() * y.len(),
        "x holds one row of w.len() per target"
    );
    debug_assert!(!w.is_empty());
    let d = w.len();
    let mut s = 0.0;
    for i in 0..y.len() {
        let r: f64 = x[i * d..(i + 1) * d]
            .iter()
            .zip(w)
            .map(|(a, b)| a * b)
            .sum::<f64>()
            - y[i];
        s += r * r;
    }
    s
}

#[test]
fn leading_assertions_are_checked_by_the_companions() {
    let (w, x, y) = ([1.0, -2.0], [1.0, 0.5, 2.0, -1.0], [0.25, 3.0]);
    let (v, g) = least_squares_grad(&w, &x, &y);
    assert_eq!(v.to_bits(), least_squares(&w, &x, &y).to_bits());
    let r = [1.0 - 1.0 - 0.25, 2.0 + 2.0 - 3.0];
    close(g[0], 2.0 * (r[0] * 1.0 + r[1] * 2.0));
    close(g[1], 2.0 * (r[0] * 0.5 - r[1]));
    let (_, _, h) = least_squares_hessian(&w, &x, &y);
    close(h[0][1], 2.0 * (1.0 * 0.5 - 2.0));
    let short = std::panic::catch_unwind(|| least_squares_grad(&w, &x[..3], &y));
    let message = short.unwrap_err();
    let message = message.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("x holds one row of w.len() per target"),
        "{message}"
    );
    assert!(std::panic::catch_unwind(|| least_squares_graph(&w, &x[..3], &y)).is_err());
    assert!(std::panic::catch_unwind(|| least_squares_hessian(&w, &x[..3], &y)).is_err());
    let hvp = std::panic::catch_unwind(|| least_squares_hvp(&w, &x[..3], &y, &[1.0, 0.0]));
    assert!(hvp.is_err());
}

/// Softmax cross-entropy through `collect()`: the gradient is `p - onehot`.
#[differentiable(hessian, wrt(z))]
fn softmax_ce(z: &[f64], label: usize) -> f64 {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
    let total: f64 = exps.iter().sum();
    -(exps[label] / total).ln()
}

/// `collect()` after `filter` (its length counted first) and over a range.
#[differentiable]
fn collected(x: &[f64], s: f64) -> f64 {
    let pos: Vec<f64> = x
        .iter()
        .copied()
        .filter(|v| *v > 0.0)
        .map(|v| v * v)
        .collect();
    let ramp = (0..pos.len()).map(|i| s * i as f64).collect::<Vec<f64>>();
    let mut t = 0.0;
    for i in 0..pos.len() {
        t += pos[i] * ramp[i];
    }
    t + pos.iter().sum::<f64>()
}

#[test]
fn collect_into_a_local_vec() {
    let z = [0.5, -1.0, 2.0];
    let (v, g) = softmax_ce_grad(&z, 2);
    assert_eq!(v.to_bits(), softmax_ce(&z, 2).to_bits());
    let e: Vec<f64> = z.iter().map(|v| (v - 2.0).exp()).collect();
    let total: f64 = e.iter().sum();
    for k in 0..3 {
        let p = e[k] / total;
        close(g[k], p - if k == 2 { 1.0 } else { 0.0 });
    }
    let (_, _, h) = softmax_ce_hessian(&z, 2);
    close(h[0][1], -(e[0] / total) * (e[1] / total));
    let x = [1.5, -2.0, 0.5, 3.0];
    let (v, gx, gs) = collected_grad(&x, 0.25);
    assert_eq!(v.to_bits(), collected(&x, 0.25).to_bits());
    // positives 1.5, 0.5, 3.0 at ramp positions 0, 1, 2: t = s (0.25 + 2 * 9)
    close(gs, 0.25 + 18.0);
    let want = [
        2.0 * 1.5 * (1.0 + 0.0),
        0.0,
        2.0 * 0.5 * (1.0 + 0.25),
        2.0 * 3.0 * (1.0 + 0.5),
    ];
    for k in 0..4 {
        close(gx[k], want[k]);
    }
}

/// Float methods by path in adapters: `map(f64::exp)`, `fold(.., f64::max)`.
#[differentiable(hessian)]
fn log_sum_exp_by_paths(z: &[f64]) -> f64 {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let s: f64 = z.iter().map(|v| v - m).map(f64::exp).sum();
    s.ln() + m
}

#[test]
fn float_methods_by_path_in_adapters() {
    let z = [0.3, -1.2, 0.9];
    let (v, g, h) = log_sum_exp_by_paths_hessian(&z);
    assert_eq!(v.to_bits(), log_sum_exp_by_paths(&z).to_bits());
    let total: f64 = z.iter().map(|v| v.exp()).sum();
    let p: Vec<f64> = z.iter().map(|v| v.exp() / total).collect();
    for i in 0..3 {
        close(g[i], p[i]);
        for j in 0..3 {
            let want = if i == j {
                p[i] - p[i] * p[j]
            } else {
                -p[i] * p[j]
            };
            close_to(h[i][j], want, 1e-12);
        }
    }
}

/// One explicit Euler step of a projectile, written with a copy of the state `*s`.
#[differentiable]
fn euler_step(s: &[f64; 4], h: f64, drag: f64) -> [f64; 4] {
    let mut out = *s;
    let speed = (s[2] * s[2] + s[3] * s[3]).sqrt();
    out[0] += h * s[2];
    out[1] += h * s[3];
    out[2] -= h * drag * speed * s[2];
    out[3] -= h * (9.81 + drag * speed * s[3]);
    out
}

#[differentiable]
fn flight(v0: f64, drag: f64) -> f64 {
    let mut s = [0.0, 0.0, v0, v0];
    for _ in 0..20 {
        s = euler_step(&s, 0.01, drag);
    }
    s[0] + s[1]
}

#[test]
fn a_copy_of_an_array_parameter_by_deref() {
    let (v, gv, gd) = flight_grad(10.0, 0.1);
    assert_eq!(v.to_bits(), flight(10.0, 0.1).to_bits());
    let eps = 1e-6;
    close_to(
        gv,
        (flight(10.0 + eps, 0.1) - flight(10.0 - eps, 0.1)) / (2.0 * eps),
        1e-7,
    );
    close_to(
        gd,
        (flight(10.0, 0.1 + eps) - flight(10.0, 0.1 - eps)) / (2.0 * eps),
        1e-7,
    );
    let (_, j) = euler_step_jacobian(&[0.0, 1.0, 3.0, 4.0], 0.1, 0.2);
    assert_eq!(j.len(), 4);
    assert_eq!(j[0][0], 1.0);
    close(j[0][2], 0.1);
}

/// Rodrigues' rotation of `v` about the axis `w` (angle `|w|`), with a small-angle branch:
/// an array-valued function ending in an `if`.
#[differentiable(jvp)]
fn rotate(w: [f64; 3], v: [f64; 3]) -> [f64; 3] {
    let theta = (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]).sqrt();
    if theta < 1e-8 {
        [
            v[0] + w[1] * v[2] - w[2] * v[1],
            v[1] + w[2] * v[0] - w[0] * v[2],
            v[2] + w[0] * v[1] - w[1] * v[0],
        ]
    } else if theta > 100.0 {
        let mut out = v;
        out[0] -= w[1] * 1e-4;
        out
    } else {
        let k = [w[0] / theta, w[1] / theta, w[2] / theta];
        let (s, c) = (theta.sin(), theta.cos());
        let kv = k[0] * v[0] + k[1] * v[1] + k[2] * v[2];
        let cross = [
            k[1] * v[2] - k[2] * v[1],
            k[2] * v[0] - k[0] * v[2],
            k[0] * v[1] - k[1] * v[0],
        ];
        [
            v[0] * c + cross[0] * s + k[0] * kv * (1.0 - c),
            v[1] * c + cross[1] * s + k[1] * kv * (1.0 - c),
            v[2] * c + cross[2] * s + k[2] * kv * (1.0 - c),
        ]
    }
}

#[test]
fn an_array_result_from_a_branch() {
    // (At w = 0 exactly the unused sqrt'(0) = inf meets a zero adjoint: NaN, see Edge semantics.)
    for w in [[0.3, -0.2, 0.5], [1e-9, -2e-9, 0.0], [200.0, 0.0, 0.0]] {
        let v = [1.0, 2.0, -0.5];
        let (value, j) = rotate_jacobian(w, v);
        assert_eq!(value, rotate(w, v));
        let eps = 1e-6;
        for col in 0..6 {
            let (mut wp, mut vp, mut wm, mut vm) = (w, v, w, v);
            if col < 3 {
                wp[col] += eps;
                wm[col] -= eps;
            } else {
                vp[col - 3] += eps;
                vm[col - 3] -= eps;
            }
            let (fp, fm) = (rotate(wp, vp), rotate(wm, vm));
            for row in 0..3 {
                close_to(j[row][col], (fp[row] - fm[row]) / (2.0 * eps), 1e-6);
            }
        }
        let (_, d) = rotate_jvp(w, v, [1.0, 0.0, 0.0], [0.0; 3]);
        for row in 0..3 {
            close_to(d[row], j[row][0], 1e-12);
        }
    }
}

/// Explicit heat equation with double buffering by `std::mem::swap`.
#[differentiable]
fn heat(u0: &[f64], k: f64) -> f64 {
    let n = u0.len();
    let mut u = vec![0.0; n];
    u.copy_from_slice(u0);
    let mut next = vec![0.0; n];
    let (mut lo, mut hi) = (0.0, 0.0);
    for _ in 0..5 {
        for i in 1..n - 1 {
            next[i] = u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
        }
        next[0] = u[0];
        next[n - 1] = u[n - 1];
        std::mem::swap(&mut u, &mut next);
        lo += u[1];
        hi += u[n - 2];
        std::mem::swap(&mut lo, &mut hi);
    }
    u.iter().map(|v| v * v).sum::<f64>() + lo - 0.5 * hi
}

#[test]
fn mem_swap_of_local_arrays_and_variables() {
    let u0 = [0.0, 1.0, 3.0, 2.0, 0.5, 0.0];
    let (v, gu, gk) = heat_grad(&u0, 0.2);
    assert_eq!(v.to_bits(), heat(&u0, 0.2).to_bits());
    let eps = 1e-6;
    close_to(
        gk,
        (heat(&u0, 0.2 + eps) - heat(&u0, 0.2 - eps)) / (2.0 * eps),
        1e-7,
    );
    for i in 0..u0.len() {
        let (mut p, mut m) = (u0, u0);
        p[i] += eps;
        m[i] -= eps;
        close_to(gu[i], (heat(&p, 0.2) - heat(&m, 0.2)) / (2.0 * eps), 1e-7);
    }
}

/// `let old = *s;` of a `&mut` array: a copy, read after `s` changes (a probe found it read
/// as an alias of `s`: a wrong gradient).
#[differentiable]
fn shift(s: &mut [f64; 2], k: f64) {
    for _ in 0..2 {
        let old = *s;
        s[0] = old[1] * k;
        s[1] = old[0] + old[1];
    }
}

#[differentiable]
fn shifted(x: &[f64], k: f64) -> f64 {
    let mut s = [x[0], x[1]];
    shift(&mut s, k);
    s[0] + 10.0 * s[1]
}

#[test]
fn a_copy_of_a_mut_array_parameter_is_a_copy() {
    let (x, k) = ([2.0, 3.0], 1.5);
    let (v, gx, gk) = shifted_grad(&x, k);
    assert_eq!(v.to_bits(), shifted(&x, k).to_bits());
    let eps = 1e-6;
    close_to(
        gk,
        (shifted(&x, k + eps) - shifted(&x, k - eps)) / (2.0 * eps),
        1e-7,
    );
    for i in 0..2 {
        let (mut p, mut m) = (x, x);
        p[i] += eps;
        m[i] -= eps;
        close_to(gx[i], (shifted(&p, k) - shifted(&m, k)) / (2.0 * eps), 1e-7);
    }
    let mut s = [2.0, 3.0];
    let mut plain = s;
    shift(&mut plain, k);
    let mut ds = [1.0, 10.0];
    let mut dk = 0.0;
    shift_pullback(&mut s, k, &mut ds, &mut dk);
    assert_eq!(
        s, plain,
        "the pullback leaves the state as the function does"
    );
}

/// A `&mut` view of a local array, written through and read back.
#[differentiable]
fn through_mut_view(x: f64, y: f64) -> f64 {
    let mut h = [x, y, x * y, 1.0];
    let mid = &mut h[1..3];
    mid[0] += x * x;
    mid[1] *= y;
    h[0] * h[1] + h[2] + h[3]
}

#[test]
fn a_mut_view_writes_the_array() {
    let (x, y) = (0.7, -1.3);
    let (v, gx, gy) = through_mut_view_grad(x, y);
    assert_eq!(v.to_bits(), through_mut_view(x, y).to_bits());
    // f = x (y + x²) + x y² + 1
    close(gx, y + 3.0 * x * x + y * y);
    close(gy, x + 2.0 * x * y);
}
