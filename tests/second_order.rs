//! Every derivative beyond the gradient: `_jvp` (forward mode), `_hvp` and `_hessian` (forward
//! over reverse), `_vjp` and `_jacobian` (functions returning arrays). Each is checked against
//! central differences of an independent computation (the plain function for `_jvp` and
//! `_jacobian`, the compiled `_grad` for `_hvp` and `_hessian`), values bit for bit against
//! the plain function, Hessians exactly symmetric.

#![allow(clippy::needless_range_loop, clippy::type_complexity)]

mod common;

use common::assert_close;
use grad::prelude::*;

const H: f64 = 1e-5;
const TOL: f64 = 1e-6;

/// Central differences of `f` at `x` in every coordinate.
fn fd_grad(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let (mut a, mut b) = (x.to_vec(), x.to_vec());
            a[i] += H;
            b[i] -= H;
            (f(&a) - f(&b)) / (2.0 * H)
        })
        .collect()
}

/// Central differences of the gradient `g`: the Hessian, row `i` from perturbing `x_i`.
fn fd_hessian(g: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Vec<Vec<f64>> {
    (0..x.len())
        .map(|i| {
            let (mut a, mut b) = (x.to_vec(), x.to_vec());
            a[i] += H;
            b[i] -= H;
            let (ga, gb) = (g(&a), g(&b));
            ga.iter()
                .zip(&gb)
                .map(|(p, m)| (p - m) / (2.0 * H))
                .collect()
        })
        .collect()
}

#[track_caller]
fn check_hessian(what: &str, h: &[Vec<f64>], g: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64]) {
    let want = fd_hessian(g, x);
    assert_eq!(h.len(), x.len(), "{what}: rows");
    for i in 0..x.len() {
        assert_eq!(h[i].len(), x.len(), "{what}: columns");
        for j in 0..x.len() {
            assert_eq!(
                h[i][j].to_bits(),
                h[j][i].to_bits(),
                "{what}: symmetric at {i},{j}"
            );
            assert_close(&format!("{what}: H[{i}][{j}]"), h[i][j], want[i][j], TOL);
        }
    }
}

#[differentiable(jvp, hessian)]
fn bump(x: f64, y: f64) -> f64 {
    let r = x * x + 2.0 * y * y;
    if r > 1.0 {
        (x * y).sin() / r
    } else {
        (-r).exp() * x + y.powi(3)
    }
}

#[differentiable(jvp, hessian)]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = 1.0 - x[i];
        let b = x[i + 1] - x[i] * x[i];
        s += a * a + 100.0 * b * b;
    }
    s
}

/// Calls, arrays, a constant parameter, loops with early exit and casts.
#[differentiable(jvp, hessian)]
fn mixed(p: [f64; 3], xs: &[f64], scale: f64, n: usize) -> f64 {
    let mut s = bump(p[0], p[1]) * scale;
    for i in 0..n {
        if i == xs.len() {
            break;
        }
        let t = xs[i] * p[2] + (i as f64) * 0.5;
        s += t.tanh() * rosenbrock(&xs[..2]);
    }
    s + p[2].max(xs[0]).ln_1p()
}

#[test]
fn jvp_is_the_directional_derivative() {
    let plain = |x: &[f64]| bump(x[0], x[1]);
    for &(x, y) in &[(0.3, -0.2), (1.1, 0.9), (-0.7, 0.4)] {
        let g = fd_grad(&plain, &[x, y]);
        let (v, d) = bump_jvp(x, y, 0.6, -1.3);
        assert_eq!(v.to_bits(), bump(x, y).to_bits(), "value bit for bit");
        assert_close("bump jvp", d, 0.6 * g[0] - 1.3 * g[1], TOL);
    }
    let x = [0.5, 0.7, -0.3, 1.2];
    let t = [1.0, -0.5, 0.25, 2.0];
    let (v, d) = rosenbrock_jvp(&x, &t);
    assert_eq!(v.to_bits(), rosenbrock(&x).to_bits());
    let g = fd_grad(&|x: &[f64]| rosenbrock(x), &x);
    let want: f64 = g.iter().zip(&t).map(|(g, t)| g * t).sum();
    assert_close("rosenbrock jvp", d, want, TOL);
}

#[test]
fn hvp_and_hessian_match_differences_of_the_gradient() {
    let x = [0.5, 0.7, -0.3, 1.2];
    let (v, g, h) = rosenbrock_hessian(&x);
    let (v2, g2) = rosenbrock_grad(&x);
    assert_eq!(
        (v.to_bits(), g.clone()),
        (v2.to_bits(), g2),
        "value and gradient as _grad's"
    );
    let grad = |x: &[f64]| rosenbrock_grad(x).1;
    check_hessian("rosenbrock", &h, &grad, &x);
    // H v against the dense Hessian.
    let w = [0.3, -1.0, 0.5, 2.0];
    let (v3, g3, hv) = rosenbrock_hvp(&x, &w);
    assert_eq!(v3.to_bits(), v.to_bits());
    assert_eq!(g3, g);
    for i in 0..4 {
        let want: f64 = (0..4).map(|j| h[i][j] * w[j]).sum();
        assert_close("hvp", hv[i], want, 1e-12);
    }

    for &(x, y) in &[(0.3, -0.2), (1.1, 0.9)] {
        let (v, g, h) = bump_hessian(x, y);
        assert_eq!(v.to_bits(), bump(x, y).to_bits());
        let (_, gx, gy) = bump_grad(x, y);
        assert_eq!(g, vec![gx, gy]);
        let grad = |p: &[f64]| {
            let (_, a, b) = bump_grad(p[0], p[1]);
            vec![a, b]
        };
        check_hessian("bump", &h, &grad, &[x, y]);
        let (_, _, _, hx, hy) = bump_hvp(x, y, 1.0, 0.0);
        assert_close("hvp x", hx, h[0][0], 1e-12);
        assert_close("hvp y", hy, h[1][0], 1e-12);
    }
}

#[test]
fn hessian_through_calls_arrays_and_constants() {
    let p = [0.4, -0.3, 0.8];
    let xs = [0.2, 0.5, -0.4];
    let (v, g, h) = mixed_hessian(p, &xs, 1.5, 3);
    assert_eq!(v.to_bits(), mixed(p, &xs, 1.5, 3).to_bits());
    // Inputs flattened in parameter order: p (3), xs (3), scale (1); `n` is a constant.
    assert_eq!(g.len(), 7);
    let grad = |z: &[f64]| {
        let (_, gp, gx, gs) = mixed_grad([z[0], z[1], z[2]], &z[3..6], z[6], 3);
        let mut out = gp.to_vec();
        out.extend(gx);
        out.push(gs);
        out
    };
    let z = [p[0], p[1], p[2], xs[0], xs[1], xs[2], 1.5];
    assert_eq!(g, grad(&z));
    check_hessian("mixed", &h, &grad, &z);
    let (v2, d) = mixed_jvp(p, &xs, 1.5, 3, [1.0, 0.0, 0.0], &[0.0, 0.0, 1.0], 0.5);
    assert_eq!(v2.to_bits(), v.to_bits());
    assert_close("mixed jvp", d, g[0] + g[5] + 0.5 * g[6], TOL);
}

#[differentiable(hessian, wrt(w))]
fn ridge(w: &[f64], xs: &[f64], ys: &[f64], lambda: f64) -> f64 {
    let d = w.len();
    let mut s = 0.0;
    for k in 0..ys.len() {
        let mut z = 0.0;
        for j in 0..d {
            z += w[j] * xs[k * d + j];
        }
        let e = z.tanh() - ys[k];
        s += e * e;
    }
    let mut r = 0.0;
    for j in 0..d {
        r += w[j] * w[j];
    }
    s / ys.len() as f64 + lambda * r
}

#[test]
fn hessian_with_respect_to_some_parameters() {
    let w = [0.3, -0.2];
    let xs = [1.0, 0.5, -0.3, 2.0, 0.7, -1.1];
    let ys = [0.2, -0.4, 0.1];
    let (v, g, h) = ridge_hessian(&w, &xs, &ys, 0.01);
    assert_eq!(v.to_bits(), ridge(&w, &xs, &ys, 0.01).to_bits());
    assert_eq!(g.len(), 2);
    let grad = |w: &[f64]| ridge_grad(w, &xs, &ys, 0.01).1;
    check_hessian("ridge", &h, &grad, &w);
    let (_, _, hv) = ridge_hvp(&w, &xs, &ys, 0.01, &[1.0, 1.0]);
    assert_close("ridge hvp", hv[0], h[0][0] + h[0][1], 1e-12);
}

#[differentiable(jvp, hessian)]
fn generic_energy<T: Real>(q: &[T], k: T) -> T {
    let mut e = T::ZERO;
    for i in 0..q.len() {
        e += k * q[i].powi(2) * T::from_f64(0.5) + (q[i] * k).cos();
    }
    e
}

#[test]
fn generic_functions_at_f64_and_f32() {
    let q = [0.3f64, -0.8, 1.1];
    let (v, g, h) = generic_energy_hessian(&q, 2.0);
    assert_eq!(v.to_bits(), generic_energy(&q, 2.0).to_bits());
    let grad = |z: &[f64]| {
        let (_, gq, gk) = generic_energy_grad(&z[..3], z[3]);
        let mut out = gq;
        out.push(gk);
        out
    };
    check_hessian("generic f64", &h, &grad, &[0.3, -0.8, 1.1, 2.0]);
    let q32 = [0.3f32, -0.8, 1.1];
    let (v32, g32, h32) = generic_energy_hessian(&q32, 2.0f32);
    assert_eq!(v32.to_bits(), generic_energy(&q32, 2.0f32).to_bits());
    for i in 0..4 {
        assert_close("generic f32 gradient", f64::from(g32[i]), g[i], 1e-4);
        for j in 0..4 {
            assert_close("generic f32 hessian", f64::from(h32[i][j]), h[i][j], 1e-3);
        }
    }
    let (_, d) = generic_energy_jvp(&q, 2.0, &[1.0, 0.0, 0.0], 0.0);
    assert_close("generic jvp", d, g[0], TOL);
}

#[differentiable(hessian)]
fn narrow(x: f32, y: f32) -> f32 {
    (x * y).exp() + x.powi(3) * 0.5
}

#[test]
fn f32_functions() {
    let (v, g, h) = narrow_hessian(0.5, -0.25);
    assert_eq!(v.to_bits(), narrow(0.5, -0.25).to_bits());
    let e = (0.5f64 * -0.25).exp();
    assert_close("f32 hxx", f64::from(h[0][0]), 0.0625 * e + 1.5, 1e-5);
    assert_close("f32 hxy", f64::from(h[0][1]), e * (1.0 - 0.125), 1e-5);
    assert_close("f32 hyy", f64::from(h[1][1]), 0.25 * e, 1e-5);
    assert_close("f32 gx", f64::from(g[0]), -0.25 * e + 0.375, 1e-5);
}

/// A function returning an array: `_vjp` and `_jacobian` come with plain `#[differentiable]`.
#[differentiable]
fn trajectory(p: &[f64], v0: f64, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    let mut x = 0.0;
    let mut v = v0;
    for i in 0..n {
        v += (p[0] - p[1] * x).sin() * 0.1;
        x += v * 0.1;
        out[i] = x;
    }
    out
}

#[differentiable]
fn polar(r: f64, theta: f64) -> [f64; 2] {
    [r * theta.cos(), r * theta.sin()]
}

#[test]
fn vjp_and_jacobian_of_array_valued_functions() {
    let p = [0.7, 1.3];
    let (value, jac) = trajectory_jacobian(&p, 0.4, 5);
    assert_eq!(value, trajectory(&p, 0.4, 5));
    assert_eq!(jac.len(), 5);
    for i in 0..5 {
        let f = |z: &[f64]| trajectory(&z[..2], z[2], 5)[i];
        let want = fd_grad(&f, &[0.7, 1.3, 0.4]);
        assert_eq!(jac[i].len(), 3);
        for j in 0..3 {
            assert_close(&format!("jacobian[{i}][{j}]"), jac[i][j], want[j], TOL);
        }
    }
    let w = [0.5, -1.0, 0.0, 2.0, 0.25];
    let (v, gp, gv) = trajectory_vjp(&p, 0.4, 5, &w);
    assert_eq!(v, value);
    for j in 0..2 {
        let want: f64 = (0..5).map(|i| w[i] * jac[i][j]).sum();
        assert_close("vjp p", gp[j], want, 1e-12);
    }
    let want: f64 = (0..5).map(|i| w[i] * jac[i][2]).sum();
    assert_close("vjp v0", gv, want, 1e-12);

    let (v, j) = polar_jacobian(2.0, 0.3);
    assert_eq!(v, polar(2.0, 0.3));
    let want = [
        [0.3f64.cos(), -2.0 * 0.3f64.sin()],
        [0.3f64.sin(), 2.0 * 0.3f64.cos()],
    ];
    for i in 0..2 {
        for k in 0..2 {
            assert_close("polar", j[i][k], want[i][k], 1e-15);
        }
    }
    let (_, dr, dt) = polar_vjp(2.0, 0.3, [1.0, 1.0]);
    assert_close("polar vjp r", dr, want[0][0] + want[1][0], 1e-15);
    assert_close("polar vjp theta", dt, want[0][1] + want[1][1], 1e-15);
}

#[differentiable(jvp, hessian)]
fn flow(p: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    let mut x = p[0];
    for i in 0..n {
        x = x + (p[1] * x).sin() * 0.25;
        out[i] = x * x;
    }
    out
}

#[differentiable(jvp, hessian)]
fn rotate(a: f64, v: [f64; 2]) -> [f64; 2] {
    [
        a.cos() * v[0] - a.sin() * v[1],
        a.sin() * v[0] + a.cos() * v[1],
    ]
}

#[differentiable(jvp, hessian)]
fn through_arrays(p: &[f64]) -> f64 {
    let y = flow(p, 3);
    let r = rotate(p[1], [y[0], y[2]]);
    r[0] * r[1] + y[1]
}

#[test]
fn jvp_of_array_valued_functions_and_calls_of_them() {
    let p = [0.3, 1.7];
    let t = [1.0, -0.5];
    let (v, d) = flow_jvp(&p, 4, &t);
    assert_eq!(v, flow(&p, 4));
    let (_, jac) = flow_jacobian(&p, 4);
    for i in 0..4 {
        assert_close("flow jvp", d[i], jac[i][0] - 0.5 * jac[i][1], 1e-12);
    }
    let (v, d) = rotate_jvp(0.4, [1.0, 2.0], 1.0, [0.0, 0.0]);
    assert_eq!(v, rotate(0.4, [1.0, 2.0]));
    assert_close(
        "rotate jvp 0",
        d[0],
        -(0.4f64.sin()) - 2.0 * 0.4f64.cos(),
        1e-15,
    );
    assert_close(
        "rotate jvp 1",
        d[1],
        0.4f64.cos() - 2.0 * 0.4f64.sin(),
        1e-15,
    );

    let (v, g, h) = through_arrays_hessian(&p);
    assert_eq!(v.to_bits(), through_arrays(&p).to_bits());
    let grad = |p: &[f64]| through_arrays_grad(p).1;
    assert_eq!(g, grad(&p));
    check_hessian("through arrays", &h, &grad, &p);
}

#[differentiable(hessian)]
fn closed_form(x: f64, y: f64) -> f64 {
    x * x * y + (x * y).sin()
}

#[test]
fn symbolic_references_and_exact_zeros() {
    // f = x²y + sin(xy): f_xx = 2y - y² sin(xy), f_xy = 2x + cos(xy) - xy sin(xy),
    // f_yy = -x² sin(xy).
    for &(x, y) in &[(0.3, -1.2), (1.5, 0.25), (-0.8, 2.0)] {
        let (_, _, h) = closed_form_hessian(x, y);
        let s = (x * y).sin();
        assert_close("f_xx", h[0][0], 2.0 * y - y * y * s, 1e-14);
        assert_close("f_xy", h[0][1], 2.0 * x + (x * y).cos() - x * y * s, 1e-14);
        assert_close("f_yy", h[1][1], -x * x * s, 1e-14);
    }
    // Rosenbrock's Hessian is tridiagonal, exactly.
    let x: Vec<f64> = (0..12).map(|i| 0.1 * i as f64 - 0.4).collect();
    let (_, _, h) = rosenbrock_hessian(&x);
    for i in 0..12usize {
        for j in 0..12usize {
            if i.abs_diff(j) > 1 {
                assert_eq!(
                    h[i][j].to_bits(),
                    0.0f64.to_bits(),
                    "H[{i}][{j}] is exactly zero"
                );
            }
        }
        // The closed form: 2 + 1200 x_i² - 400 x_{i+1} (i < n-1), plus 200 (i > 0).
        let mut want = 0.0;
        if i + 1 < 12 {
            want += 2.0 + 1200.0 * x[i] * x[i] - 400.0 * x[i + 1];
        }
        if i > 0 {
            want += 200.0;
            assert_close("H[i][i-1]", h[i][i - 1], -400.0 * x[i - 1], 1e-13);
        }
        assert_close("H[i][i]", h[i][i], want, 1e-13);
    }
}

/// Literal factors on either side (multiplied through `Float::mul_const` on dual numbers),
/// a negative one, and a zero one times a term whose tangent is infinite at `x = 0`.
#[differentiable(jvp, hessian)]
fn literal_factors(x: f64, y: f64) -> f64 {
    3.0 * x * x * y + y * -0.5 * y + 0.0 * x.sqrt()
}

/// The same with a loop: `s += 0.5 · c_i · x_i²` with `c_i = 2.0 * (i + 1)`.
#[differentiable(jvp, hessian)]
fn literal_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let c = 2.0 * (i as f64 + 1.0);
        s += 0.5 * c * x[i] * x[i];
    }
    s
}

#[test]
fn products_by_literals_in_every_companion() {
    // f = 3x²y - y²/2 (+ 0 · sqrt x): f_x = 6xy, f_y = 3x² - y, f_xx = 6y, f_xy = 6x,
    // f_yy = -1.
    for &(x, y) in &[(0.7, -1.3), (2.0, 0.25), (1e-3, 4.0)] {
        let (tx, ty) = (0.3, -1.1);
        let (v, d) = literal_factors_jvp(x, y, tx, ty);
        assert_eq!(v.to_bits(), literal_factors(x, y).to_bits());
        assert_close("jvp", d, 6.0 * x * y * tx + (3.0 * x * x - y) * ty, 1e-14);
        let (v, gx, gy, hx, hy) = literal_factors_hvp(x, y, tx, ty);
        assert_eq!((v, gx, gy), literal_factors_grad(x, y));
        assert_close("H v x", hx, 6.0 * y * tx + 6.0 * x * ty, 1e-14);
        assert_close("H v y", hy, 6.0 * x * tx - ty, 1e-14);
        let (_, _, h) = literal_factors_hessian(x, y);
        assert_close("f_xx", h[0][0], 6.0 * y, 1e-14);
        assert_close("f_xy", h[0][1], 6.0 * x, 1e-14);
        assert_eq!(h[1][1], -1.0);
    }
    // At x = 0, sqrt's tangent is infinite; the literal zero factor keeps it out of the
    // directional derivative (the strong zero of `grad::Dual`): d = f_y · ty.
    let (_, d) = literal_factors_jvp(0.0, 2.0, 1.0, 0.5);
    assert_eq!(d, (0.0 - 2.0) * 0.5);
    // Σ (i + 1) x_i²: gradient 2 (i + 1) x_i, Hessian diagonal 2 (i + 1).
    let x = [0.5, -1.25, 2.0, 0.125];
    let t = [1.0, 0.5, -0.25, 2.0];
    let (v, d) = literal_loop_jvp(&x, &t);
    assert_eq!(v.to_bits(), literal_loop(&x).to_bits());
    let want: f64 = (0..4).map(|i| 2.0 * (i as f64 + 1.0) * x[i] * t[i]).sum();
    assert_close("loop jvp", d, want, 1e-14);
    let (_, g, hv) = literal_loop_hvp(&x, &t);
    assert_eq!(g, literal_loop_grad(&x).1);
    for i in 0..4 {
        assert_close("loop H v", hv[i], 2.0 * (i as f64 + 1.0) * t[i], 1e-14);
    }
}

/// Two inputs, many outputs: with `jvp`, the Jacobian takes one forward sweep per input.
#[differentiable(jvp)]
fn samples(p: [f64; 2], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for i in 0..n {
        let t = i as f64 * 0.1;
        out[i] = p[0] * (p[1] * t).exp();
    }
    out
}

#[test]
fn jacobian_by_forward_sweeps_where_cheaper() {
    let p = [1.5, -0.7];
    let (v, j) = samples_jacobian(p, 8);
    assert_eq!(v, samples(p, 8));
    for i in 0..8 {
        let t = i as f64 * 0.1;
        let e = (p[1] * t).exp();
        assert_close("d/dp0", j[i][0], e, 1e-15);
        assert_close("d/dp1", j[i][1], p[0] * t * e, 1e-15);
    }
    // The reverse sweeps give the same matrix.
    for i in 0..8 {
        let mut w = vec![0.0; 8];
        w[i] = 1.0;
        let (_, g) = samples_vjp(p, 8, &w);
        assert_close("row vs vjp 0", j[i][0], g[0], 1e-15);
        assert_close("row vs vjp 1", j[i][1], g[1], 1e-15);
    }
}

/// A helper writing through `&mut` and one returning an array: with `hessian` they get what
/// their callers need (no wrappers of their own).
#[differentiable(hessian)]
fn cell(w: &[f64], h: &mut [f64], x: f64) {
    for j in 0..h.len() {
        h[j] = (w[j] * h[j] + w[j + h.len()] * x).tanh();
    }
}

#[differentiable(hessian)]
fn pair(a: f64, b: f64) -> [f64; 2] {
    [a * b, a.exp() - b]
}

#[differentiable(hessian)]
fn recurrent(w: &[f64], xs: &[f64]) -> f64 {
    let mut h = [0.1, -0.2];
    for t in 0..xs.len() {
        cell(w, &mut h, xs[t]);
    }
    let q: [f64; 2] = pair(h[0], h[1]);
    q[0] + q[1] * q[1]
}

#[test]
fn hessians_through_mut_and_array_valued_helpers() {
    let w = [0.5, -0.3, 0.8, 0.4];
    let xs = [0.3, -0.6, 0.9];
    let (v, g, h) = recurrent_hessian(&w, &xs);
    assert_eq!(v.to_bits(), recurrent(&w, &xs).to_bits());
    let grad = |z: &[f64]| {
        let (_, gw, gx) = recurrent_grad(&z[..4], &z[4..]);
        let mut out = gw;
        out.extend(gx);
        out
    };
    let z: Vec<f64> = w.iter().chain(&xs).copied().collect();
    assert_eq!(g, grad(&z));
    check_hessian("recurrent", &h, &grad, &z);
}

const K: f64 = 0.75;

#[differentiable(hessian)]
fn dot3(a: &[f64], b: &[f64], scale: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s * scale
}

/// What the random programs found missing on dual numbers: typed float `let`s, constants of
/// the surrounding scope, float tests, constant float arguments to callees taking slices.
#[differentiable(hessian)]
fn twin_corners(x: f64, ys: &[f64]) -> f64 {
    let y: f64 = x * 2.0;
    let mut s = K - y + x.max(K);
    if (y - 1.0).is_sign_negative() {
        s += y * y;
    }
    s + dot3(ys, ys, 0.5) * x
}

#[test]
fn twins_of_typed_lets_constants_float_tests_and_constant_arguments() {
    for &x in &[0.2, 0.9] {
        let ys = [0.5, -1.0];
        let (v, g, h) = twin_corners_hessian(x, &ys);
        assert_eq!(v.to_bits(), twin_corners(x, &ys).to_bits());
        let grad = |z: &[f64]| {
            let (_, gx, gy) = twin_corners_grad(z[0], &z[1..]);
            let mut out = vec![gx];
            out.extend(gy);
            out
        };
        let z = [x, ys[0], ys[1]];
        assert_eq!(g, grad(&z));
        check_hessian("twin corners", &h, &grad, &z);
    }
}

const STEPS: usize = 3;
const GAIN: f64 = 1.25;

#[differentiable(hessian)]
fn scaled(x: f64, k: f64, n: usize) -> f64 {
    x * k * n as f64
}

#[differentiable(hessian)]
fn spread(xs: &[f64], k: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        s += xs[i] * xs[i] * k;
    }
    s
}

/// Constants of the surrounding scope passed to callees, on dual numbers.
#[differentiable(hessian)]
fn with_constant_arguments(x: f64, ys: &[f64]) -> f64 {
    scaled(x, GAIN, STEPS) * x + spread(ys, GAIN) * x
}

#[test]
fn constant_arguments_of_unknown_type_in_twins() {
    let ys = [0.5, -0.25];
    let (v, g, h) = with_constant_arguments_hessian(0.7, &ys);
    assert_eq!(v.to_bits(), with_constant_arguments(0.7, &ys).to_bits());
    let grad = |z: &[f64]| {
        let (_, gx, gy) = with_constant_arguments_grad(z[0], &z[1..]);
        let mut out = vec![gx];
        out.extend(gy);
        out
    };
    let z = [0.7, 0.5, -0.25];
    assert_eq!(g, grad(&z));
    check_hessian("constant arguments", &h, &grad, &z);
}

fn plain_helper(k: f64) -> f64 {
    k * k + 1.0
}

/// A plain helper of constants gives a constant float, lifted on dual numbers.
#[differentiable(hessian)]
fn with_plain_helper(x: f64) -> f64 {
    let c = plain_helper(GAIN) * 0.5;
    (x * c).sin()
}

#[test]
fn plain_helpers_of_constants_in_twins() {
    let (v, g, h) = with_plain_helper_hessian(0.4);
    let c = plain_helper(GAIN) * 0.5;
    assert_eq!(v.to_bits(), with_plain_helper(0.4).to_bits());
    assert_close("g", g[0], c * (0.4 * c).cos(), 1e-15);
    assert_close("h", h[0][0], -c * c * (0.4 * c).sin(), 1e-15);
}

/// At `x = (1, 1, 1)` every inner sum is exactly zero, so its adjoint is zero while its
/// tangent is not: the reverse of the inner loop must still run on dual numbers (the `skip`
/// pass tests both parts).
#[differentiable(hessian)]
fn zero_sums(x: &[f64]) -> f64 {
    let mut out = 0.0;
    for i in 0..2 {
        let mut s = 0.0;
        for j in 0..x.len() {
            s += x[j] * (j as f64 - 1.0);
        }
        out += s * s * (i as f64 + 1.0);
    }
    out
}

#[test]
fn a_zero_gradient_with_a_nonzero_tangent_still_flows_back() {
    let x = [1.0, 1.0, 1.0];
    let (value, gradient, h) = zero_sums_hessian(&x);
    assert_eq!(value, 0.0);
    assert_eq!(gradient, vec![0.0; 3]);
    // H = Σ_i 2 (i + 1) c cᵀ with c = (-1, 0, 1): 6 c cᵀ, exactly.
    let c = [-1.0, 0.0, 1.0];
    for i in 0..3 {
        for j in 0..3 {
            assert_eq!(h[i][j], 6.0 * c[i] * c[j], "H[{i}][{j}]");
        }
    }
    let (_, g, hv) = zero_sums_hvp(&x, &[1.0, 0.0, 0.0]);
    assert_eq!(g, vec![0.0; 3]);
    assert_eq!(hv, vec![6.0, 0.0, -6.0]);
}

/// `1.5e308 x y`: the two mixed partials are each above half the largest `f64`.
#[differentiable(hessian)]
fn huge_product(x: f64, y: f64) -> f64 {
    x * y * 1.5e308
}

/// The same in `f32`, near its largest value.
#[differentiable(hessian)]
fn huge_product_f32(x: f32, y: f32) -> f32 {
    x * y * 2e38
}

#[test]
fn symmetrizing_huge_mixed_partials_does_not_overflow() {
    let (_, _, h) = huge_product_hessian(0.5, 0.5);
    assert_eq!(h[0][1], 1.5e308);
    assert_eq!(h[1][0], 1.5e308);
    assert_eq!(h[0][0], 0.0);
    let (_, _, _, hx, hy) = huge_product_hvp(0.5, 0.5, 0.0, 1.0);
    assert_eq!((hx, hy), (1.5e308, 0.0));
    let (_, _, h) = huge_product_f32_hessian(0.5, 0.5);
    assert_eq!((h[0][1], h[1][0]), (2e38, 2e38));
}

/// No float parameter: every derivative is empty or zero.
#[differentiable(jvp, hessian)]
fn of_a_count(n: usize) -> f64 {
    n as f64 * 2.0
}

/// No float parameter, an array result.
#[differentiable(jvp)]
fn counts(n: usize) -> Vec<f64> {
    vec![n as f64, 2.0]
}

#[test]
fn a_function_without_float_parameters_has_empty_derivatives() {
    assert_eq!(counts_jvp(3), (vec![3.0, 2.0], vec![0.0, 0.0]));
    let (v, rows) = counts_jacobian(3);
    assert_eq!(v, vec![3.0, 2.0]);
    assert_eq!(rows, vec![Vec::<f64>::new(), Vec::new()]);
    assert_eq!(of_a_count_jvp(3), (6.0, 0.0));
    let (v, g, h) = of_a_count_hessian(3);
    assert_eq!(v, 6.0);
    assert!(g.is_empty() && h.is_empty());
    assert_eq!(of_a_count_grad(3), (6.0,));
}
