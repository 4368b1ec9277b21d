//! Forms a probe of realistic workloads found refused, each against a closed form or central
//! differences: array values chosen by a `match` or an `if` (a function's tail, a `let`, a
//! shadowing `let` whose branches read the array it shadows), a `Vec` result ending in
//! `collect()`, `let (s, c) = x.sin_cos();`, and `xs[a..].len()`.

#![allow(clippy::needless_range_loop)] // loops written as users write them

use grad::prelude::*;

mod common;
use common::{central_differences, close, close_to};

/// A `match` at the tail of a function returning an array.
#[differentiable]
fn pick(x: f64, y: f64, q: usize) -> [f64; 2] {
    let s = x * y;
    match q {
        0 => [s, x],
        1 => {
            let t = s.sin();
            [t, y]
        }
        _ => [y, s],
    }
}

#[test]
fn a_match_chooses_the_returned_array() {
    let (x, y) = (0.5, 2.0);
    for q in 0..3 {
        let (v, jac) = pick_jacobian(x, y, q);
        assert_eq!(v, pick(x, y, q));
        let c = (x * y).cos();
        let want = match q {
            0 => [[y, x], [1.0, 0.0]],
            1 => [[c * y, c * x], [0.0, 1.0]],
            _ => [[0.0, 1.0], [y, x]],
        };
        for i in 0..2 {
            for j in 0..2 {
                close(jac[i][j], want[i][j]);
            }
        }
    }
}

/// `let p = if ..` of arrays (the branches reading the `p` it shadows), `let r = match ..`,
/// `sin_cos`.
#[differentiable(hessian)]
fn shadow(x: f64, y: f64, c: bool) -> f64 {
    let p = [x, y];
    let p = if c { [p[1], p[0] * 2.0] } else { p };
    let mut r = match c {
        true => [x * x, 1.0, 2.0],
        false => [y, y, y],
    };
    r[1] += p[0];
    let (s, co) = (x * y).sin_cos();
    p[0] * 3.0 + p[1] + r[1] * r[0] + s * co
}

#[test]
fn arrays_from_branches_in_a_let() {
    let (x, y) = (0.5, 2.0);
    for c in [true, false] {
        let (v, gx, gy) = shadow_grad(x, y, c);
        assert_eq!(v.to_bits(), shadow(x, y, c).to_bits());
        // s·co = sin(2xy) / 2.
        let w = (2.0 * x * y).cos();
        let (wx, wy) = if c {
            // p = [y, 2x], r = [x², 1 + y, 2]: 3y + 2x + (1 + y) x² + sin(2xy)/2.
            (2.0 + 2.0 * x * (1.0 + y) + y * w, 3.0 + x * x + x * w)
        } else {
            // p = [x, y], r = [y, y + x, y]: 3x + y + (y + x) y + sin(2xy)/2.
            (3.0 + y + y * w, 1.0 + 2.0 * y + x + x * w)
        };
        close(gx, wx);
        close(gy, wy);
        let (_, _, h) = shadow_hessian(x, y, c);
        let e = 1e-6;
        let gxp = shadow_grad(x + e, y, c);
        let gxm = shadow_grad(x - e, y, c);
        close_to(h[0][0], (gxp.1 - gxm.1) / (2.0 * e), 1e-7);
        close_to(h[1][0], (gxp.2 - gxm.2) / (2.0 * e), 1e-7);
    }
}

/// A `let p = if ..` inside a branch of another `let p = if ..` (each has its own temporary),
/// and a `match` choosing between local arrays.
#[differentiable]
fn nested_lets(x: f64, y: f64, c: bool, d: bool, k: usize) -> f64 {
    let p = if c {
        let p = if d { [x, y] } else { [y, x] };
        [p[0] * 2.0, p[1] + 1.0]
    } else {
        [x * y, y]
    };
    let a = [x, y];
    let b = [y * 2.0, x];
    let q = match k {
        0 => a,
        _ => b,
    };
    p[0] * 3.0 + p[1] + q[0] * q[1]
}

#[test]
fn nested_lets_of_arrays_keep_their_own_values() {
    let (x, y) = (0.4, 0.9);
    for c in [true, false] {
        for d in [true, false] {
            for k in 0..2 {
                let (v, gx, gy) = nested_lets_grad(x, y, c, d, k);
                assert_eq!(v.to_bits(), nested_lets(x, y, c, d, k).to_bits());
                let (px, py) = match (c, d) {
                    (true, true) => (6.0, 1.0),
                    (true, false) => (1.0, 6.0),
                    _ => (3.0 * y, 3.0 * x + 1.0),
                };
                let (qx, qy) = if k == 0 { (y, x) } else { (2.0 * y, 2.0 * x) };
                close(gx, px + qx);
                close(gy, py + qy);
            }
        }
    }
}

/// Residuals of an exponential decay, ending in `collect()`.
#[differentiable]
fn residuals(a: f64, k: f64, ts: &[f64], ys: &[f64]) -> Vec<f64> {
    ts.iter()
        .zip(ys)
        .map(|(t, y)| a * (-k * t).exp() - y)
        .collect()
}

#[test]
fn a_vec_result_ending_in_collect() {
    let (a, k) = (2.0, 0.5);
    let (ts, ys) = ([0.0, 1.0, 2.5], [1.9, 1.3, 0.5]);
    let (r, jac) = residuals_jacobian(a, k, &ts, &ys);
    assert_eq!(r, residuals(a, k, &ts, &ys));
    for (i, &t) in ts.iter().enumerate() {
        let e = (-k * t).exp();
        close(jac[i][0], e);
        close(jac[i][1], -a * t * e);
        // Columns: a, k, ts (3), ys (3).
        close(jac[i][2 + i], -a * k * e);
        close(jac[i][5 + i], -1.0);
    }
    let (_, ga, gk, _, _) = residuals_vjp(a, k, &ts, &ys, &[1.0, 1.0, 1.0]);
    close(ga, (0..3).map(|i| jac[i][0]).sum());
    close(gk, (0..3).map(|i| jac[i][1]).sum());
}

/// `xs[1..].len()` and `row[1..].is_empty()` of a view.
#[differentiable]
fn tail_weighted(xs: &[f64]) -> f64 {
    let n = xs[1..].len();
    let row = &xs[1..];
    let last = row[1..].is_empty();
    if last {
        xs[0]
    } else {
        xs[0] * n as f64 + row[0] * row[1..].len() as f64
    }
}

#[test]
fn lengths_of_sub_slices() {
    let (v, g) = tail_weighted_grad(&[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(v.to_bits(), tail_weighted(&[1.0, 2.0, 3.0, 4.0]).to_bits());
    assert_eq!(g, vec![3.0, 2.0, 0.0, 0.0]);
    assert_eq!(tail_weighted_grad(&[1.0, 2.0]).1, vec![1.0, 0.0]);
    // Out of range: both panic, as slicing does.
    assert!(std::panic::catch_unwind(|| tail_weighted(&[])).is_err());
    assert!(std::panic::catch_unwind(|| tail_weighted_grad(&[])).is_err());
}

/// A plain helper (no `#[differentiable]`), called on constants.
fn log_gamma_half(c: f64) -> f64 {
    c.ln() * 0.5 + 1.0
}

fn scaled(a: f64, n: usize) -> f64 {
    a * n as f64
}

/// Literals, `n as f64`, arithmetic on them and a parameter left out by `wrt(...)` as the
/// arguments of plain helpers: constants, in every companion.
#[differentiable(wrt(x), hessian)]
fn plain_helpers(x: f64, nu: f64, n: usize) -> f64 {
    let c = log_gamma_half(3.0) + scaled(2.5, n);
    x * x * c + log_gamma_half(n as f64) + x.sin() * log_gamma_half(nu * 0.5 + 1.0)
}

/// Constants only (no parameter left out), with `jvp` too.
#[differentiable(jvp, hessian)]
fn plain_constants(x: f64, n: usize) -> f64 {
    x * x * (log_gamma_half(3.0) + scaled(2.5, n)) + log_gamma_half(n as f64)
}

const K: f64 = 1.25;

/// A differentiable function called on constants only is a constant; held in a variable of no
/// written type, then used in float arithmetic (also in the twins).
#[differentiable(jvp, hessian)]
fn constant_call_in_a_variable(x: f64, n: usize) -> f64 {
    let mut v = plain_constants(K, n);
    v *= 0.5;
    v + x * x
}

#[test]
fn a_constant_call_held_in_a_variable() {
    let (x, n) = (0.4, 2);
    let (v, d) = constant_call_in_a_variable_grad(x, n);
    assert_eq!(v.to_bits(), constant_call_in_a_variable(x, n).to_bits());
    close(d, 2.0 * x);
    close(constant_call_in_a_variable_hessian(x, n).2[0][0], 2.0);
    assert_eq!(constant_call_in_a_variable_jvp(x, n, 1.0).1, d);
}

#[test]
fn plain_helpers_of_constants_are_constants() {
    let (x, nu, n) = (0.7, 2.0, 3);
    let c = log_gamma_half(3.0) + scaled(2.5, n);
    let k = log_gamma_half(nu * 0.5 + 1.0);
    let (v, d) = plain_helpers_grad(x, nu, n);
    assert_eq!(v.to_bits(), plain_helpers(x, nu, n).to_bits());
    close(d, 2.0 * x * c + x.cos() * k);
    let (_, _, h) = plain_helpers_hessian(x, nu, n);
    close(h[0][0], 2.0 * c - x.sin() * k);
    let (v, d) = plain_constants_grad(x, n);
    assert_eq!(v.to_bits(), plain_constants(x, n).to_bits());
    close(d, 2.0 * x * c);
    close(plain_constants_hessian(x, n).2[0][0], 2.0 * c);
    let (vj, t) = plain_constants_jvp(x, n, 2.0);
    assert_eq!(vj.to_bits(), v.to_bits());
    close(t, 2.0 * d);
}

/// A damped oscillator integrated by a method returning the next state (`s = self.step(s,
/// Self::DT);`).
#[derive(Clone, Debug, Differentiable)]
pub struct Oscillator {
    pub k: f64,
    pub c: f64,
}

impl Oscillator {
    const DT: f64 = 0.05;

    #[differentiable]
    pub fn deriv(&self, s: [f64; 2]) -> [f64; 2] {
        [s[1], -self.k * s[0] - self.c * s[1]]
    }

    #[differentiable]
    pub fn step(&self, s: [f64; 2], h: f64) -> [f64; 2] {
        let d = self.deriv(s);
        [s[0] + h * d[0], s[1] + h * d[1]]
    }

    #[differentiable]
    pub fn loss(&self, x: f64) -> f64 {
        let mut s = [x, 0.0];
        for _ in 0..10 {
            s = self.step(s, Self::DT);
        }
        s[0] * s[0] + s[1]
    }
}

/// `let [a, b] = *p;` of a `&[f64; 2]` parameter.
#[differentiable]
fn unpack(p: &[f64; 2]) -> f64 {
    let [a, b] = *p;
    a * b.sin()
}

#[test]
fn a_method_result_assigned_to_an_array_and_a_dereferenced_array_taken_apart() {
    let o = Oscillator { k: 2.0, c: 0.3 };
    let x = 0.7;
    let (v, g, dx) = o.loss_grad(x);
    assert_eq!(v.to_bits(), o.loss(x).to_bits());
    let e = 1e-6;
    close_to(dx, (o.loss(x + e) - o.loss(x - e)) / (2.0 * e), 1e-7);
    let at = |k: f64, c: f64| Oscillator { k, c }.loss(x);
    close_to(g.k, (at(2.0 + e, 0.3) - at(2.0 - e, 0.3)) / (2.0 * e), 1e-7);
    close_to(g.c, (at(2.0, 0.3 + e) - at(2.0, 0.3 - e)) / (2.0 * e), 1e-7);
    let (v, g) = unpack_grad(&[2.0, 3.0]);
    assert_eq!(v.to_bits(), unpack(&[2.0, 3.0]).to_bits());
    close(g[0], 3f64.sin());
    close(g[1], 2.0 * 3f64.cos());
}

/// Updates two buffers from each other.
#[differentiable]
fn mix(a: &mut [f64], b: &mut [f64]) {
    a[0] += b[0] * b[b.len() - 1];
    b[0] *= a[0].sin();
}

/// Both halves of a `split_at_mut` passed to one call, in either order, in a loop.
#[differentiable]
fn halves(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for k in 1..h.len() {
        let (l, r) = h.split_at_mut(k);
        if k % 2 == 0 {
            mix(l, r);
        } else {
            mix(r, l);
        }
    }
    h.iter().map(|v| v * v).sum()
}

/// The halves of a `&mut` slice parameter's split passed to one call.
#[differentiable]
fn in_place(h: &mut [f64]) {
    let (l, r) = h.split_at_mut(2);
    mix(r, l);
}

#[differentiable]
fn through_in_place(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    in_place(&mut h);
    h[2] * h[0] + h[3]
}

#[test]
fn both_halves_of_a_split_to_one_call() {
    let x = [0.5, 0.7, -0.3, 1.2];
    let (v, g) = through_in_place_grad(&x);
    assert_eq!(v.to_bits(), through_in_place(&x).to_bits());
    central_differences(through_in_place, &x, &g, 1e-7);
    let x = [0.3, -0.8, 1.1, 0.5];
    let (v, g) = halves_grad(&x);
    assert_eq!(v.to_bits(), halves(&x).to_bits());
    central_differences(halves, &x, &g, 1e-7);
}

/// A layer's weights as one flat field, read by rows: sub-slices of a field bound to a name,
/// passed to helpers (also `&mut`), and at the head of a chain.
#[derive(Clone, Debug, Differentiable)]
pub struct Flat {
    pub w: Vec<f64>,
    pub d: usize,
}

#[differentiable]
fn dot_rows(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[differentiable]
fn scale_all(a: &mut [f64], k: f64) {
    for v in a.iter_mut() {
        *v *= k;
    }
}

impl Flat {
    #[differentiable]
    pub fn rows(&self, x: &[f64]) -> f64 {
        let row = &self.w[self.d..2 * self.d];
        let mut s = 0.0;
        for j in 0..self.d {
            s += row[j] * x[j];
        }
        let mut t = 0.0;
        for i in 0..2 {
            t += dot_rows(&self.w[i * self.d..(i + 1) * self.d], x).tanh();
        }
        s + t + dot_rows(row, x) * 0.5 + self.w[2 * self.d..].iter().map(|v| v * v).sum::<f64>()
    }

    #[differentiable]
    pub fn shrink(&mut self, k: f64) -> f64 {
        scale_all(&mut self.w[1..=2], k);
        self.w.iter().sum::<f64>()
    }
}

#[test]
fn sub_slices_of_a_field() {
    let p = Flat {
        w: vec![0.5, -0.3, 0.8, 0.1, 0.2, -0.4, 0.9],
        d: 2,
    };
    let x = [0.7, -1.1];
    let (v, g, _) = p.rows_grad(&x);
    assert_eq!(v.to_bits(), p.rows(&x).to_bits());
    let mut q = p.clone();
    let (vs, gs, dk) = q.shrink_grad(1.5);
    let mut plain = p.clone();
    assert_eq!(vs.to_bits(), plain.shrink(1.5).to_bits());
    assert_eq!(q.w, plain.w);
    close(dk, p.w[1] + p.w[2]);
    let e = 1e-6;
    for i in 0..p.w.len() {
        let (mut up, mut down) = (p.clone(), p.clone());
        up.w[i] += e;
        down.w[i] -= e;
        close_to(g.w[i], (up.rows(&x) - down.rows(&x)) / (2.0 * e), 1e-7);
        let shrunk = |mut f: Flat| f.shrink(1.5);
        close_to(gs.w[i], (shrunk(up) - shrunk(down)) / (2.0 * e), 1e-7);
    }
}

mod quadrature {
    /// Weights of a three-point rule, reached by path.
    pub const WEIGHTS: [f64; 3] = [5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0];
}

/// `∫_{-1}^{1} sin(a t + b) dt` by Gauss-Legendre with the nodes an associated `const` array
/// and the weights a `const` array reached by path.
#[derive(Clone, Debug, Differentiable)]
pub struct Wave {
    pub a: f64,
}

impl Wave {
    const NODES: [f64; 3] = [-0.774_596_669_241_483_4, 0.0, 0.774_596_669_241_483_4];

    #[differentiable(hessian)]
    pub fn integral(&self, b: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..3 {
            s += quadrature::WEIGHTS[i] * (self.a * Self::NODES[i] + b).sin();
        }
        s + Self::NODES.iter().map(|t| t * t * b).sum::<f64>()
    }
}

#[test]
fn associated_and_path_const_arrays() {
    let (w, b) = (Wave { a: 0.8 }, 0.3);
    let (v, g, db) = w.integral_grad(b);
    assert_eq!(v.to_bits(), w.integral(b).to_bits());
    let nodes = [-0.774_596_669_241_483_4, 0.0, 0.774_596_669_241_483_4];
    let weights = quadrature::WEIGHTS;
    let da: f64 = (0..3)
        .map(|i| weights[i] * nodes[i] * (w.a * nodes[i] + b).cos())
        .sum();
    let dbw: f64 = (0..3)
        .map(|i| weights[i] * (w.a * nodes[i] + b).cos() + nodes[i] * nodes[i])
        .sum();
    close(g.a, da);
    close(db, dbw);
    let (_, _, h) = w.integral_hessian(b);
    let hbb: f64 = (0..3)
        .map(|i| -weights[i] * (w.a * nodes[i] + b).sin())
        .sum();
    close(h[1][1], hbb);
}

/// Associated functions without `self` that name `Self`, with `jvp` and `hessian`.
pub struct Terrain;

impl Terrain {
    const SCALE: f64 = 2.0;

    #[differentiable(jvp, hessian)]
    pub fn height(x: f64, y: f64) -> f64 {
        Self::SCALE * (x * y).sin() + x * x
    }

    #[differentiable(hessian)]
    pub fn slope(x: f64, y: f64) -> f64 {
        Self::height(x, y) * 2.0
    }
}

#[test]
fn second_order_of_associated_functions_naming_self() {
    let (x, y) = (0.5, 0.3);
    let (v, g, h) = Terrain::height_hessian(x, y);
    assert_eq!(v.to_bits(), Terrain::height(x, y).to_bits());
    let (s, c) = ((x * y).sin(), (x * y).cos());
    close(g[0], 2.0 * y * c + 2.0 * x);
    close(g[1], 2.0 * x * c);
    close(h[0][0], -2.0 * y * y * s + 2.0);
    close(h[0][1], 2.0 * (c - x * y * s));
    close(h[1][1], -2.0 * x * x * s);
    close(Terrain::height_jvp(x, y, 0.0, 1.0).1, g[1]);
    let (_, gs, hs) = Terrain::slope_hessian(x, y);
    close(gs[1], 2.0 * g[1]);
    close(hs[0][1], 2.0 * h[0][1]);
}

/// `sin_cos` in generic code (`Real::sin_cos`).
#[differentiable(hessian)]
fn turn<T: Real>(a: T, x: T) -> T {
    let (s, c) = a.sin_cos();
    s * x + c
}

#[test]
fn sin_cos_in_generic_code() {
    let (a, x): (f64, f64) = (0.5, 2.0);
    let (v, da, dx) = turn_grad(a, x);
    assert_eq!(v.to_bits(), turn(a, x).to_bits());
    close(da, a.cos() * x - a.sin());
    close(dx, a.sin());
    close(turn_hessian(a, x).2[0][0], -a.sin() * x - a.cos());
    let (v32, _, dx32) = turn_grad(0.5f32, 2.0);
    assert_eq!(v32.to_bits(), turn(0.5f32, 2.0).to_bits());
    assert_eq!(dx32, 0.5f32.sin());
}

/// Float methods called by path: `f64::max(a, b)`, `f64::sin(x)`, `f64::mul_add(a, b, c)`.
#[differentiable(hessian)]
fn by_path(a: f64, b: f64) -> f64 {
    f64::max(a, b) * f64::sin(a * b) + f64::mul_add(a, b, 1.0)
}

#[test]
fn float_functions_called_by_path() {
    for (a, b) in [(0.7, 0.2), (0.2, 0.7)] {
        let (v, da, db) = by_path_grad(a, b);
        assert_eq!(v.to_bits(), by_path(a, b).to_bits());
        let (m, dma, dmb) = if a > b { (a, 1.0, 0.0) } else { (b, 0.0, 1.0) };
        let (s, c) = ((a * b).sin(), (a * b).cos());
        close(da, dma * s + m * b * c + b);
        close(db, dmb * s + m * a * c + a);
        let (_, _, h) = by_path_hessian(a, b);
        close(
            h[0][1],
            dma * a * c + dmb * b * c + m * (c - a * b * s) + 1.0,
        );
    }
}

/// `vec![a, b, c]` locals, read, written and passed to a helper.
#[differentiable(hessian)]
fn listed(x: f64, y: f64) -> f64 {
    let v = vec![x * y, y, 2.0];
    let mut w = vec![x, x.sin(), y];
    w[2] += v[0];
    dot_pair(&v, &w) + v.iter().map(|t| t * t).sum::<f64>()
}

#[differentiable(hessian)]
fn dot_pair(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

#[test]
fn vec_literals() {
    let (x, y) = (0.5, 0.3);
    let (v, dx, dy) = listed_grad(x, y);
    assert_eq!(v.to_bits(), listed(x, y).to_bits());
    // v·w + |v|² = x²y + y sin x + 2y + 2xy + x²y² + y² + 4.
    close(dx, 2.0 * x * y + y * x.cos() + 2.0 * y + 2.0 * x * y * y);
    close(
        dy,
        x * x + x.sin() + 2.0 + 2.0 * x + 2.0 * x * x * y + 2.0 * y,
    );
    close(listed_hessian(x, y).2[1][1], 2.0 * x * x + 2.0);
}

/// A planar two-link arm: array-valued methods with `_vjp` and `_jacobian` (`self` first in
/// the columns), and a `Vec` result ending in `vec![..]`.
#[derive(Clone, Debug, Differentiable)]
pub struct Arm {
    pub l1: f64,
    pub l2: f64,
}

impl Arm {
    #[differentiable]
    pub fn tip(&self, q: &[f64]) -> [f64; 2] {
        let (s1, c1) = q[0].sin_cos();
        let (s12, c12) = (q[0] + q[1]).sin_cos();
        [self.l1 * c1 + self.l2 * c12, self.l1 * s1 + self.l2 * s12]
    }

    #[differentiable]
    pub fn tips(&self, q: &[f64]) -> Vec<f64> {
        let t = self.tip(q);
        vec![t[0], t[1], t[0] * t[1]]
    }
}

#[test]
fn jacobians_of_array_valued_methods() {
    let arm = Arm { l1: 1.0, l2: 0.5 };
    let q = [0.3, 0.7];
    let (v, jac) = arm.tip_jacobian(&q);
    assert_eq!(v, arm.tip(&q));
    let (s1, c1, s12, c12) = (
        q[0].sin(),
        q[0].cos(),
        (q[0] + q[1]).sin(),
        (q[0] + q[1]).cos(),
    );
    let want = [
        [c1, c12, -arm.l1 * s1 - arm.l2 * s12, -arm.l2 * s12],
        [s1, s12, arm.l1 * c1 + arm.l2 * c12, arm.l2 * c12],
    ];
    for i in 0..2 {
        for j in 0..4 {
            close(jac[i][j], want[i][j]);
        }
    }
    let (_, g_arm, gq) = arm.tip_vjp(&q, [2.0, -1.0]);
    close(g_arm.l1, 2.0 * want[0][0] - want[1][0]);
    close(gq[1], 2.0 * want[0][3] - want[1][3]);
    let (vs, rows) = arm.tips_jacobian(&q);
    assert_eq!(vs, arm.tips(&q));
    for j in 0..4 {
        close(rows[2][j], want[0][j] * v[1] + v[0] * want[1][j]);
    }
}

/// Settings left out by `wrt(...)`, read through their methods (a constant, also in the twins).
#[derive(Clone, Copy)]
pub struct Strength(pub f64);

impl Strength {
    fn get(&self) -> f64 {
        self.0
    }
}

#[derive(Clone, Debug, Differentiable)]
pub struct Settings {
    pub k: f64,
    pub scale: Vec<f64>,
}

impl Settings {
    fn strength(&self, i: usize) -> f64 {
        self.k * self.scale[i]
    }
}

#[differentiable(hessian, jvp, wrt(x))]
fn with_settings(x: f64, p: Strength, c: &Settings, i: usize) -> f64 {
    p.get() * x * x + c.strength(i) * x + c.k
}

/// `T::NEG_INFINITY` and `T::EPSILON` in generic code.
#[differentiable(hessian)]
fn log_sum_exp<T: Real>(xs: &[T]) -> T {
    let mut m = T::NEG_INFINITY;
    for &x in xs {
        m = m.max(x);
    }
    let mut s = T::ZERO;
    for &x in xs {
        s += (x - m).exp();
    }
    m + s.ln() + T::EPSILON * T::ZERO
}

/// A method of settings left out by `wrt(...)` with a loop index, under another name.
#[differentiable(hessian, jvp, wrt(x))]
fn settings_in_a_loop(x: f64, c: &Settings) -> f64 {
    let d = c;
    let mut s = 0.0;
    for i in 0..2 {
        s += x * x * d.strength(i);
    }
    s
}

#[test]
fn methods_of_settings_with_a_loop_index() {
    let c = Settings {
        k: 2.0,
        scale: vec![1.5, 3.0],
    };
    let x = 0.7;
    let (v, d) = settings_in_a_loop_grad(x, &c);
    assert_eq!(v.to_bits(), settings_in_a_loop(x, &c).to_bits());
    close(d, 2.0 * x * 9.0);
    close(settings_in_a_loop_hessian(x, &c).2[0][0], 18.0);
    close(settings_in_a_loop_jvp(x, &c, 1.0).1, d);
}

#[test]
fn methods_of_settings_and_float_constants_in_the_twins() {
    let c = Settings {
        k: 2.0,
        scale: vec![1.5, 3.0],
    };
    let (x, p) = (0.7, Strength(1.25));
    let (v, d) = with_settings_grad(x, p, &c, 1);
    assert_eq!(v.to_bits(), with_settings(x, p, &c, 1).to_bits());
    close(d, 2.5 * x + 6.0);
    close(with_settings_hessian(x, p, &c, 1).2[0][0], 2.5);
    close(with_settings_jvp(x, p, &c, 1, 2.0).1, 2.0 * d);
    let xs: [f64; 3] = [1.0, 2.0, 0.5];
    let (v, g) = log_sum_exp_grad(&xs);
    assert_eq!(v.to_bits(), log_sum_exp(&xs).to_bits());
    let z: f64 = xs.iter().map(|x| x.exp()).sum();
    let (_, _, h) = log_sum_exp_hessian(&xs);
    for i in 0..3 {
        let pi = xs[i].exp() / z;
        close(g[i], pi);
        close(h[i][i], pi - pi * pi);
    }
}

#[derive(Clone, Debug, Differentiable)]
pub struct Cell1 {
    pub w: f64,
    pub b: f64,
}

/// `for u in units` of a `&Vec<Cell1>` parameter.
#[differentiable]
fn cells(units: &Vec<Cell1>, x: f64) -> f64 {
    let mut s = 0.0;
    for u in units {
        s += (u.w * x + u.b).tanh();
    }
    s
}

#[test]
fn a_loop_over_a_vec_of_structs_by_name() {
    let us = vec![Cell1 { w: 0.5, b: 0.1 }, Cell1 { w: -0.3, b: 0.2 }];
    let x = 0.7;
    let (v, g, dx) = cells_grad(&us, x);
    assert_eq!(v.to_bits(), cells(&us, x).to_bits());
    let mut want_dx = 0.0;
    for (u, gu) in us.iter().zip(&g) {
        let s = 1.0 - (u.w * x + u.b).tanh().powi(2);
        close(gu.w, s * x);
        close(gu.b, s);
        want_dx += s * u.w;
    }
    close(dx, want_dx);
}

// ===== A call among a method's arguments; a `&mut` parameter passed twice =================

/// `a · b`.
#[differentiable]
fn dot2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A gain.
#[derive(Clone, Debug, Differentiable)]
struct Gain {
    k: f64,
}

impl Gain {
    /// `k z`.
    #[differentiable]
    fn apply(&self, z: f64) -> f64 {
        z * self.k
    }

    /// `k (x · x)`: the method's argument calls a slice helper.
    #[differentiable]
    fn energy(&self, x: &[f64]) -> f64 {
        self.apply(dot2(x, x))
    }
}

#[test]
fn a_call_inside_a_method_call() {
    let g = Gain { k: 1.5 };
    let x = [0.5, -2.0, 1.25];
    let (value, d_self, d_x) = g.energy_grad(&x);
    assert_eq!(value.to_bits(), g.energy(&x).to_bits());
    close(d_self.k, x.iter().map(|a| a * a).sum());
    for i in 0..3 {
        close(d_x[i], 2.0 * g.k * x[i]);
    }
}

/// Subtracts the mean square: the `&mut` parameter passed twice to a helper that reads it.
#[differentiable]
fn center(v: &mut [f64]) {
    let m = dot2(v, v) / v.len() as f64;
    for x in v.iter_mut() {
        *x -= m;
    }
}

/// A loss through [`center`].
#[differentiable]
fn centered_loss(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    center(&mut v);
    v[0] * v[1] + v[2].sin()
}

#[test]
fn a_mut_parameter_passed_twice_is_read() {
    let x = [1.0, 2.0, 4.0];
    let (value, g) = centered_loss_grad(&x);
    assert_eq!(value.to_bits(), centered_loss(&x).to_bits());
    central_differences(centered_loss, &x, &g, 1e-7);
}

// ===== A `Vec` reassigned from a call that changes its length ==============================

/// `tanh(W x + b)`, `b.len()` outputs on `n_in` inputs.
#[derive(Clone, Debug, Differentiable)]
struct Dense {
    w: Vec<f64>,
    b: Vec<f64>,
    n_in: usize,
}

impl Dense {
    #[differentiable]
    fn forward(&self, x: &[f64]) -> Vec<f64> {
        (0..self.b.len())
            .map(|j| {
                let row = &self.w[j * self.n_in..(j + 1) * self.n_in];
                (row.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + self.b[j]).tanh()
            })
            .collect()
    }
}

/// Layers of 2 -> 3 -> 2 -> 1: `h` grows, then shrinks.
#[derive(Clone, Debug, Differentiable)]
struct Stack {
    layers: Vec<Dense>,
}

impl Stack {
    #[differentiable]
    fn predict(&self, x: &[f64]) -> f64 {
        let mut h = x.to_vec();
        for layer in &self.layers {
            h = layer.forward(&h);
        }
        h[0]
    }
}

#[test]
fn a_vec_reassigned_with_another_length() {
    let dense = |n_in: usize, n_out: usize, k: f64| Dense {
        w: (0..n_in * n_out)
            .map(|i| (i as f64 * 0.7 + k).sin())
            .collect(),
        b: (0..n_out).map(|j| 0.1 * j as f64 - k * 0.05).collect(),
        n_in,
    };
    let net = Stack {
        layers: vec![dense(2, 3, 0.3), dense(3, 2, 1.1), dense(2, 1, 2.0)],
    };
    let x = [0.4, -0.9];
    let (value, d_net, d_x) = net.predict_grad(&x);
    assert_eq!(value.to_bits(), net.predict(&x).to_bits());
    central_differences(|x| net.predict(x), &x, &d_x, 1e-7);
    // Every weight and bias, against central differences of the plain function.
    let flat = |s: &Stack| {
        let mut out = Vec::new();
        grad::Differentiable::flatten(s, &mut out);
        out
    };
    let rebuilt = |q: &[f64]| {
        let mut s = net.clone();
        grad::Differentiable::unflatten(&mut s, &mut &q[..]);
        s.predict(&x)
    };
    central_differences(rebuilt, &flat(&net), &flat(&d_net), 1e-7);
}

// ===== `chunks` / `windows` of a field =====================================================

/// Rows of weights, one per output.
#[derive(Clone, Debug, Differentiable)]
struct Rows {
    w: Vec<f64>,
    b: Vec<f64>,
    n_in: usize,
}

impl Rows {
    /// `Σ_j tanh(row_j · x + b_j)`, the rows taken with `chunks`, each passed to a helper.
    #[differentiable]
    fn layer_sum(&self, x: &[f64]) -> f64 {
        self.w
            .chunks(self.n_in)
            .zip(&self.b)
            .map(|(row, &b)| (dot2(row, x) + b).tanh())
            .sum()
    }

    /// `Σ_j (row_j · x)²` over `chunks_exact`, the row read by index and by `iter().zip`.
    #[differentiable(hessian)]
    fn squares(&self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for row in self.w.chunks_exact(self.n_in) {
            let first = row[0] * x[0];
            let rest: f64 = row[1..].iter().zip(&x[1..]).map(|(a, b)| a * b).sum();
            s += (first + rest) * (first + rest);
        }
        s
    }

    /// `Σ_k w_k w_{k+1}` through `windows(2)`.
    #[differentiable]
    fn neighbours(&self) -> f64 {
        self.w.windows(2).map(|p| p[0] * p[1]).sum()
    }
}

#[test]
fn chunks_and_windows_of_a_field() {
    let r = Rows {
        w: vec![0.3, -0.8, 1.1, 0.5, -0.2, 0.9],
        b: vec![0.1, -0.4],
        n_in: 3,
    };
    let x = [0.7, -1.2, 0.4];
    let flat = |s: &Rows| {
        let mut out = Vec::new();
        grad::Differentiable::flatten(s, &mut out);
        out
    };
    let with = |q: &[f64]| {
        let mut s = r.clone();
        grad::Differentiable::unflatten(&mut s, &mut &q[..]);
        s
    };

    let (value, d_r, d_x) = r.layer_sum_grad(&x);
    assert_eq!(value.to_bits(), r.layer_sum(&x).to_bits());
    central_differences(|x| r.layer_sum(x), &x, &d_x, 1e-7);
    central_differences(|q| with(q).layer_sum(&x), &flat(&r), &flat(&d_r), 1e-7);
    let (value, d_r, d_x) = r.squares_grad(&x);
    assert_eq!(value.to_bits(), r.squares(&x).to_bits());
    central_differences(|x| r.squares(x), &x, &d_x, 1e-7);
    central_differences(|q| with(q).squares(&x), &flat(&r), &flat(&d_r), 1e-7);
    // The Hessian's x block: 2 Σ_rows row rowᵀ.
    let (_, _, h) = r.squares_hessian(&x);
    let n = flat(&r).len();
    for i in 0..3 {
        for j in 0..3 {
            let want: f64 = r.w.chunks(3).map(|row| 2.0 * row[i] * row[j]).sum();
            close(h[n + i][n + j], want);
        }
    }

    let (value, d_r) = r.neighbours_grad();
    assert_eq!(value.to_bits(), r.neighbours().to_bits());
    for k in 0..6 {
        let left = if k > 0 { r.w[k - 1] } else { 0.0 };
        let right = if k < 5 { r.w[k + 1] } else { 0.0 };
        close(d_r.w[k], left + right);
    }
}

/// `n` values of `sin(x[j mod len] c + j/10)`: another length than `x`'s.
#[differentiable]
fn resized(x: &[f64], n: usize, c: f64) -> Vec<f64> {
    (0..n)
        .map(|j| (x[j % x.len()] * c + j as f64 * 0.1).sin())
        .collect()
}

/// `h.len()` read before and after `h` is reassigned with another length, in a branch.
#[allow(clippy::needless_range_loop)] // the length read again is the point
#[differentiable]
fn length_after_branch(x: &[f64], c: f64, grow: bool) -> f64 {
    let mut h = x.to_vec();
    let mut s = h.len() as f64 * h[0];
    if grow {
        h = resized(&h, 7, c);
    }
    for i in 0..h.len() {
        s += h[i];
    }
    s
}

/// The same in a loop, `h` shrinking then growing, its last element read through `len`.
#[differentiable]
fn length_in_loop(x: &[f64], c: f64) -> f64 {
    let mut h = x.to_vec();
    let mut s = h.len() as f64;
    for k in 0..3 {
        h = resized(&h, k + 2, c);
        s += h[h.len() - 1];
    }
    s
}

#[test]
fn a_length_read_again_after_a_reassignment() {
    let (x, c) = ([0.3, -0.7, 1.1, 0.4], 0.8);
    let mut xc = x.to_vec();
    xc.push(c);
    for grow in [true, false] {
        let (value, d_x, d_c) = length_after_branch_grad(&x, c, grow);
        assert_eq!(value.to_bits(), length_after_branch(&x, c, grow).to_bits());
        let mut g = d_x.clone();
        g.push(d_c);
        central_differences(|z| length_after_branch(&z[..4], z[4], grow), &xc, &g, 1e-7);
    }
    let (value, d_x, d_c) = length_in_loop_grad(&x, c);
    assert_eq!(value.to_bits(), length_in_loop(&x, c).to_bits());
    let mut g = d_x.clone();
    g.push(d_c);
    central_differences(|z| length_in_loop(&z[..4], z[4]), &xc, &g, 1e-7);
}

/// `2f64` (an integer token with a float suffix) and `into_iter` over a call's `Vec`.
#[differentiable]
fn suffixed(y: f64) -> f64 {
    2f64.powf(y) + 3f64 * y
}

/// `2 x` elementwise.
#[differentiable]
fn doubled(x: &[f64]) -> Vec<f64> {
    x.iter().map(|t| 2.0 * t).collect()
}

/// `Σ 2 x_i²` through `into_iter` of a call's result.
#[differentiable]
fn into_iter_of_call(x: &[f64]) -> f64 {
    let y = doubled(x);
    y.into_iter().zip(x).map(|(a, b)| a * b).sum()
}

#[test]
fn suffixed_literals_and_into_iter() {
    let (value, d_y) = suffixed_grad(1.5);
    assert_eq!(value.to_bits(), suffixed(1.5).to_bits());
    close(d_y, 2f64.powf(1.5) * 2f64.ln() + 3.0);
    let x = [1.0, -2.0, 0.5];
    let (value, g) = into_iter_of_call_grad(&x);
    assert_eq!(value.to_bits(), into_iter_of_call(&x).to_bits());
    for i in 0..3 {
        close(g[i], 4.0 * x[i]);
    }
}

/// A view of a `&mut` parameter and the parameter itself passed to one call, then written.
#[differentiable]
fn view_and_name(v: &mut [f64]) {
    let c = dot2(&v[..2], v);
    v[1] *= c;
}

/// A loss through [`view_and_name`].
#[differentiable]
fn view_and_name_loss(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    view_and_name(&mut v);
    v[0] * v[1] + v[2]
}

#[test]
fn a_view_and_its_mut_parameter_in_one_call() {
    let x = [0.5, -2.0, 1.25, 0.7];
    let (value, g) = view_and_name_loss_grad(&x);
    assert_eq!(value.to_bits(), view_and_name_loss(&x).to_bits());
    central_differences(view_and_name_loss, &x, &g, 1e-7);
}

// ===== `for b in &mut self.bs` =============================================================

/// One body.
#[derive(Clone, Debug, Differentiable)]
struct Body2 {
    v: f64,
    u: f64,
}

/// Bodies.
#[derive(Clone, Debug, Differentiable)]
struct World2 {
    bs: Vec<Body2>,
}

impl World2 {
    /// Scales every body, through `&mut self.bs`.
    #[differentiable]
    fn scale(&mut self, k: f64) {
        for b in &mut self.bs {
            b.v *= k;
            b.u += b.v * k;
        }
    }
}

/// A loss after [`World2::scale`].
#[differentiable]
fn world_loss(w: &mut World2, k: f64) -> f64 {
    w.scale(k);
    w.bs[0].v * w.bs[1].u + w.bs[1].v
}

#[test]
fn a_loop_over_mut_borrowed_elements_of_a_field() {
    let w = World2 {
        bs: vec![Body2 { v: 0.5, u: 1.0 }, Body2 { v: -1.5, u: 2.0 }],
    };
    let k = 1.3;
    let (value, d_w, d_k) = world_loss_grad(&mut w.clone(), k);
    assert_eq!(value.to_bits(), world_loss(&mut w.clone(), k).to_bits());
    let flat = |s: &World2| {
        let mut out = Vec::new();
        grad::Differentiable::flatten(s, &mut out);
        out
    };
    let f = |q: &[f64]| {
        let mut s = w.clone();
        grad::Differentiable::unflatten(&mut s, &mut &q[..4]);
        world_loss(&mut s, q[4])
    };
    let mut q = flat(&w);
    q.push(k);
    let mut g = flat(&d_w);
    g.push(d_k);
    central_differences(f, &q, &g, 1e-7);
}

// ===== An array field copied whole =========================================================

/// A pose with an array field.
#[derive(Clone, Debug, Differentiable)]
struct Pose {
    rot: [f64; 2],
    scale: f64,
}

/// `[q₁, q₀]`.
#[differentiable]
fn flip(q: [f64; 2]) -> [f64; 2] {
    [q[1], q[0]]
}

/// `g₀ g₁ r₀ s` with `r` the field copied (`let r: [f64; 2] = p.rot;`) and `g = flip(r)`.
#[differentiable]
fn pose_loss(p: &Pose) -> f64 {
    let r: [f64; 2] = p.rot;
    let g: [f64; 2] = flip(r);
    g[0] * g[1] * r[0] * p.scale
}

#[test]
fn an_array_field_copied_whole() {
    let p = Pose {
        rot: [1.5, -0.5],
        scale: 2.0,
    };
    let (value, d_p) = pose_loss_grad(&p);
    assert_eq!(value.to_bits(), pose_loss(&p).to_bits());
    let [r0, r1] = p.rot;
    close(d_p.rot[0], 2.0 * r0 * r1 * p.scale);
    close(d_p.rot[1], r0 * r0 * p.scale);
    close(d_p.scale, r1 * r0 * r0);
}

/// `copy_from_slice` of sub-slices into a local array and a local `Vec`.
#[allow(clippy::useless_vec)] // a `Vec` on purpose
#[differentiable]
fn copied_parts(x: &[f64]) -> f64 {
    let mut h = [0.0; 2];
    h.copy_from_slice(&x[1..3]);
    let mut g = vec![0.0; 3];
    g.copy_from_slice(&x[..3]);
    h[0] * h[1] + g[2] * g[0]
}

#[test]
fn copy_from_slice_of_sub_slices() {
    let x = [1.0, 2.0, 3.0, 4.0];
    let (value, g) = copied_parts_grad(&x);
    assert_eq!(value.to_bits(), copied_parts(&x).to_bits());
    assert_eq!(g, vec![x[2], x[2], x[1] + x[0], 0.0]);
}

/// `h.copy_from_slice(&x[a..b])` with a range of another length than `h`.
#[differentiable]
fn copy_range(x: &[f64], a: usize, b: usize) -> f64 {
    let mut h = [0.0; 2];
    h.copy_from_slice(&x[a..b]);
    h[0] * h[1]
}

#[test]
#[should_panic(expected = "source slice length (1) does not match destination slice length (2)")]
fn copy_from_a_shorter_slice_panics_as_the_plain_function_does() {
    let x = [1.0, 2.0, 3.0];
    assert_eq!(copy_range_grad(&x, 1, 3), (6.0, vec![0.0, 3.0, 2.0]));
    assert!(std::panic::catch_unwind(|| copy_range(&x, 1, 2)).is_err());
    copy_range_grad(&x, 1, 2);
}

// ===== `break` and `continue` in a function returning nothing ==============================

/// Scales the leading elements up to the first above one.
#[differentiable]
fn scale_until(h: &mut [f64], k: f64) {
    for i in 0..h.len() {
        if h[i] > 1.0 {
            break;
        }
        h[i] *= k;
    }
}

/// Scales the elements at most one.
#[differentiable]
fn scale_small(h: &mut [f64], k: f64) {
    for i in 0..h.len() {
        if h[i] > 1.0 {
            continue;
        }
        h[i] *= k;
    }
}

/// A loss through both.
#[differentiable]
fn scaled_loss(x: &[f64], k: f64) -> f64 {
    let mut h = x.to_vec();
    scale_until(&mut h, k);
    scale_small(&mut h, k);
    h[0] * h[1] + h[2] * h[3]
}

#[test]
fn break_and_continue_in_a_function_returning_nothing() {
    let x = [0.5, 2.0, 0.3, 0.9];
    let k = 1.5;
    let (value, d_x, d_k) = scaled_loss_grad(&x, k);
    assert_eq!(value.to_bits(), scaled_loss(&x, k).to_bits());
    let mut q = x.to_vec();
    q.push(k);
    let mut g = d_x.clone();
    g.push(d_k);
    central_differences(|q| scaled_loss(&q[..4], q[4]), &q, &g, 1e-7);
}

// ===== Constant arrays passed to helpers (their slots are the companion's sinks) ============

/// `Σ a_i b_i c_i`.
#[differentiable]
fn dot3(a: &[f64], b: &[f64], c: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i] * c[i];
    }
    s
}

/// Rows of two constant matrices against a differentiated vector, in nested loops: two
/// constant arguments per call (two sinks), rows of several lengths.
#[differentiable(wrt(w))]
fn rows_loss(w: &[f64], x: &[f64], y: &[f64], d: usize) -> f64 {
    let mut loss = 0.0;
    for (r, (row, other)) in x.chunks_exact(d).zip(y.chunks_exact(d)).enumerate() {
        let z = dot3(w, row, other);
        loss += (z - r as f64 * 0.1).powi(2);
        for k in 1..d {
            loss += 0.5 * dot3(&w[..k], &row[..k], &other[..k]).tanh();
        }
    }
    loss
}

#[test]
fn constant_rows_passed_to_helpers() {
    let d = 3;
    let w = [0.4, -0.7, 1.1];
    let x: Vec<f64> = (0..12).map(|i| (i as f64 * 0.37).sin()).collect();
    let y: Vec<f64> = (0..12).map(|i| (i as f64 * 0.53).cos()).collect();
    let (value, g) = rows_loss_grad(&w, &x, &y, d);
    assert_eq!(value.to_bits(), rows_loss(&w, &x, &y, d).to_bits());
    central_differences(|w| rows_loss(w, &x, &y, d), &w, &g, 1e-7);
}

/// A loop over a sub-slice written with `&` (`for &z in &obs[1..]`), and a float method of a
/// `&mut f64` parameter (`acc.sqrt()`).
#[differentiable]
fn lagged(obs: &[f64], a: f64) -> f64 {
    let mut s = 0.0;
    for &z in &obs[1..] {
        s += (z * a).sin();
    }
    for z in &obs[..2] {
        s += z * a * a;
    }
    s
}

#[differentiable]
fn root_into(x: &[f64], acc: &mut f64) {
    *acc += x[0] * x[0] + x[1] * x[1];
    *acc = acc.sqrt() + acc.ln();
}

#[differentiable]
fn through_root(x: &[f64]) -> f64 {
    let mut acc = 0.5;
    root_into(x, &mut acc);
    acc * x[2]
}

#[test]
fn loops_over_borrowed_sub_slices_and_methods_of_a_mut_float() {
    let (obs, a) = ([0.3, -1.1, 0.8, 2.0], 0.7);
    let (v, g_obs, g_a) = lagged_grad(&obs, a);
    assert_eq!(v.to_bits(), lagged(&obs, a).to_bits());
    let mut q = obs.to_vec();
    q.push(a);
    let mut g = g_obs.clone();
    g.push(g_a);
    central_differences(|q| lagged(&q[..4], q[4]), &q, &g, 1e-7);
    // d/d obs[0] = a², d/d obs[1] = a cos(obs[1] a) + a².
    close(g_obs[0], a * a);
    close(g_obs[1], a * (obs[1] * a).cos() + a * a);
    let x = [0.6, -0.8, 1.5];
    let (v, gx) = through_root_grad(&x);
    assert_eq!(v.to_bits(), through_root(&x).to_bits());
    central_differences(through_root, &x, &gx, 1e-7);
}
