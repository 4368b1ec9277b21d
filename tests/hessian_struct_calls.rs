//! `_hvp` and `_hessian` of functions that pass a struct, or a place inside one, to another
//! differentiable function: a method calling a method of a field (`self.l0.forward(x, &mut h)`),
//! a helper over a field's floats (`dot(&self.v, &h)`), a struct passed whole to a helper
//! (`energy(p, x)`), a place passed twice (`dot(&self.v, &self.v)`), and the same with the
//! struct left out by `wrt(...)`. Checked against closed forms, central differences of `_grad`
//! and `_grad` itself (the value and gradient bit for bit); every Hessian exactly symmetric.

#![allow(clippy::needless_range_loop)] // loops written as users write them

use grad::prelude::*;

#[differentiable(hessian)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[derive(Clone, Debug, Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: Vec<f64>,
    n_in: usize,
}

impl Layer {
    /// `out = tanh(W x + b)`.
    #[differentiable(hessian)]
    fn forward(&self, x: &[f64], out: &mut [f64]) {
        for j in 0..self.b.len() {
            let mut act = self.b[j];
            for i in 0..self.n_in {
                act += self.w[j * self.n_in + i] * x[i];
            }
            out[j] = act.tanh();
        }
    }

    /// A scalar method other methods call.
    #[differentiable(hessian)]
    fn bias_energy(&self) -> f64 {
        let mut s = 0.0;
        for j in 0..self.b.len() {
            s += self.b[j] * self.b[j] * (j + 1) as f64;
        }
        s
    }
}

#[derive(Clone, Debug, Differentiable)]
struct Net {
    l0: Layer,
    v: Vec<f64>,
    #[grad(skip)]
    scale: f64,
}

impl Net {
    #[differentiable(hessian)]
    fn score(&self, x: &[f64]) -> f64 {
        let mut h = [0.0; 3];
        self.l0.forward(x, &mut h);
        dot(&self.v, &h) * self.scale
    }

    /// A method calling a method, which calls a method of a field and a helper over fields.
    #[differentiable(hessian)]
    fn loss(&self, x: &[f64]) -> f64 {
        let s = self.score(x);
        s * s + dot(&self.v, &self.v) * 0.1 + self.l0.bias_energy()
    }

    /// The network's weights fixed: a Hessian over the input only.
    #[differentiable(hessian, wrt(x))]
    fn input_loss(&self, x: &[f64]) -> f64 {
        let s = self.score(x);
        (s - 0.25).powi(2) + dot(&self.v[1..3], &x[..2]) * x[1]
    }
}

/// `w₀ x² + sin(b₁) x`.
#[differentiable(hessian)]
fn energy(p: &Layer, x: f64) -> f64 {
    p.w[0] * x * x + p.b[1].sin() * x
}

/// A struct passed whole to a helper, twice, with a float of its own in between.
#[differentiable(hessian)]
fn outer(p: &Layer, x: f64) -> f64 {
    energy(p, x * 2.0) + p.w[1] * energy(p, x)
}

/// A field's floats passed to a helper, with the struct left out: `(w · x) (x · x)`.
#[derive(Clone, Debug, Differentiable)]
struct Weights {
    w: Vec<f64>,
}

impl Weights {
    #[differentiable(hessian, wrt(x))]
    fn cubic(&self, x: &[f64]) -> f64 {
        dot(&self.w, x) * dot(x, x)
    }

    /// The same field passed twice to one call: `Σ w²` (plain `#[differentiable]` had the
    /// adjoint of `self.w` borrowed twice, a borrow error in the generated code).
    #[differentiable(hessian)]
    fn norm2(&self, x: f64) -> f64 {
        dot(&self.w, &self.w) * x * x
    }
}

fn net() -> Net {
    Net {
        l0: Layer {
            w: vec![0.3, -0.2, 0.5, 0.1, 0.7, -0.4],
            b: vec![0.1, -0.3, 0.2],
            n_in: 2,
        },
        v: vec![0.5, -1.0, 0.8],
        scale: 1.5,
    }
}

fn layer() -> Layer {
    Layer {
        w: vec![0.6, -1.3],
        b: vec![0.4, 0.9],
        n_in: 1,
    }
}

/// The struct's floats (flatten order), then the extra inputs.
fn flat<S: Differentiable>(s: &S, x: &[f64]) -> Vec<f64> {
    let mut q = Vec::new();
    s.flatten(&mut q);
    q.extend_from_slice(x);
    q
}

fn unflat<S: Differentiable>(s: &S, q: &[f64]) -> (S, Vec<f64>) {
    let mut s = s.clone();
    let n = s.param_count();
    s.unflatten(&mut &q[..n]);
    (s, q[n..].to_vec())
}

/// Central differences of a gradient, column by column.
fn fd_hessian(g: &dyn Fn(&[f64]) -> Vec<f64>, q: &[f64]) -> Vec<Vec<f64>> {
    let n = q.len();
    let mut h = vec![vec![0.0; n]; n];
    for j in 0..n {
        let step = 1e-5 * (1.0 + q[j].abs());
        let (mut qp, mut qm) = (q.to_vec(), q.to_vec());
        qp[j] += step;
        qm[j] -= step;
        let (gp, gm) = (g(&qp), g(&qm));
        for i in 0..n {
            h[i][j] = (gp[i] - gm[i]) / (2.0 * step);
        }
    }
    h
}

fn assert_hessian_of(h: &[Vec<f64>], g: &dyn Fn(&[f64]) -> Vec<f64>, q: &[f64]) {
    assert_eq!(h.len(), q.len());
    let fd = fd_hessian(g, q);
    for i in 0..q.len() {
        for j in 0..q.len() {
            assert_eq!(
                h[i][j].to_bits(),
                h[j][i].to_bits(),
                "symmetry at ({i}, {j})"
            );
            let tol = 1e-6 * (1.0 + fd[i][j].abs());
            assert!(
                (h[i][j] - fd[i][j]).abs() < tol,
                "H[{i}][{j}] = {}, central differences {}",
                h[i][j],
                fd[i][j]
            );
        }
    }
}

#[test]
fn a_method_calling_methods_of_fields_has_the_hessian_of_its_gradient() {
    let (n, x) = (net(), [0.4, -0.9]);
    let (value, g, h) = n.loss_hessian(&x);
    let (v2, gn, gx) = n.loss_grad(&x);
    assert_eq!(value.to_bits(), n.loss(&x).to_bits());
    assert_eq!(value.to_bits(), v2.to_bits());
    assert_eq!(g, flat(&gn, &gx));
    let grad = |q: &[f64]| {
        let (n, x) = unflat(&n, q);
        let (_, gn, gx) = n.loss_grad(&x);
        flat(&gn, &gx)
    };
    assert_hessian_of(&h, &grad, &flat(&n, &x));
}

#[test]
fn hvp_through_methods_is_the_hessian_times_the_direction() {
    let (n, x) = (net(), [0.4, -0.9]);
    let (_, _, h) = n.loss_hessian(&x);
    let mut dir = n.clone();
    let m = dir.param_count();
    let d: Vec<f64> = (0..m).map(|k| 0.3 - 0.07 * k as f64).collect();
    dir.unflatten(&mut &d[..]);
    let dx = [0.5, -0.25];
    let (value, gn, gx, hn, hx) = n.loss_hvp(&x, &dir, &dx);
    let (v2, gn2, gx2) = n.loss_grad(&x);
    assert_eq!(value.to_bits(), v2.to_bits());
    assert_eq!(
        flat(&gn, &gx),
        flat(&gn2, &gx2),
        "the gradient of `_hvp` is `_grad`'s"
    );
    let full = flat(&dir, &dx);
    let hv = flat(&hn, &hx);
    for i in 0..full.len() {
        let want: f64 = (0..full.len()).map(|j| h[i][j] * full[j]).sum();
        assert!(
            (hv[i] - want).abs() < 1e-12 * (1.0 + want.abs()),
            "(H v)[{i}]"
        );
    }
}

#[test]
fn a_method_with_its_struct_left_out_differentiates_the_input_only() {
    let (n, x) = (net(), [0.4, -0.9]);
    let (value, g, h) = n.input_loss_hessian(&x);
    let (v2, gx) = n.input_loss_grad(&x);
    assert_eq!(value.to_bits(), v2.to_bits());
    assert_eq!(g, gx);
    let grad = |q: &[f64]| n.input_loss_grad(q).1;
    assert_hessian_of(&h, &grad, &x);
}

#[test]
fn a_struct_passed_whole_to_a_helper_twice() {
    let (p, x) = (layer(), 0.7);
    let (value, g, h) = outer_hessian(&p, x);
    let (v2, gp, gx) = outer_grad(&p, x);
    assert_eq!(value.to_bits(), v2.to_bits());
    assert_eq!(g, flat(&gp, &[gx]));
    let grad = |q: &[f64]| {
        let (p, x) = unflat(&p, q);
        let (_, gp, gx) = outer_grad(&p, x[0]);
        flat(&gp, &[gx])
    };
    assert_hessian_of(&h, &grad, &flat(&p, &[x]));
    // Closed form in x: f = 4 w₀ x² + 2 sin(b₁) x + w₁ (w₀ x² + sin(b₁) x).
    let (w0, w1) = (p.w[0], p.w[1]);
    let n = h.len();
    let want = 8.0 * w0 + 2.0 * w1 * w0;
    assert!((h[n - 1][n - 1] - want).abs() < 1e-12, "∂²f/∂x²");
}

#[test]
fn a_field_of_a_constant_struct_passed_to_a_helper_matches_the_closed_form() {
    let (s, x) = (Weights { w: vec![1.0, 2.0] }, [0.3, -0.7]);
    let (value, g, h) = s.cubic_hessian(&x);
    let (wx, xx) = (0.3 - 1.4, 0.09 + 0.49);
    assert_eq!(value.to_bits(), s.cubic(&x).to_bits());
    // ∇ = w (x·x) + 2 x (w·x); H = 2 w xᵀ + 2 x wᵀ + 2 (w·x) I.
    for i in 0..2 {
        let gi = s.w[i] * xx + 2.0 * x[i] * wx;
        assert!((g[i] - gi).abs() < 1e-14, "g[{i}]");
        for j in 0..2 {
            let mut hij = 2.0 * s.w[i] * x[j] + 2.0 * x[i] * s.w[j];
            if i == j {
                hij += 2.0 * wx;
            }
            assert!((h[i][j] - hij).abs() < 1e-14, "H[{i}][{j}]");
        }
    }
}

#[test]
fn a_field_passed_twice_to_one_call() {
    let (s, x) = (
        Weights {
            w: vec![1.5, -0.5, 2.0],
        },
        0.8,
    );
    let (value, gs, gx) = s.norm2_grad(x);
    let n2: f64 = s.w.iter().map(|w| w * w).sum();
    assert_eq!(value.to_bits(), s.norm2(x).to_bits());
    for i in 0..3 {
        assert!((gs.w[i] - 2.0 * s.w[i] * x * x).abs() < 1e-14, "d/dw[{i}]");
    }
    assert!((gx - 2.0 * n2 * x).abs() < 1e-14);
    let (_, _, h) = s.norm2_hessian(x);
    // H = [[2 x² I, 4 x w], [4 x wᵀ, 2 Σ w²]].
    for i in 0..3 {
        for j in 0..3 {
            let want = if i == j { 2.0 * x * x } else { 0.0 };
            assert!((h[i][j] - want).abs() < 1e-14, "H[{i}][{j}]");
        }
        assert!((h[i][3] - 4.0 * x * s.w[i]).abs() < 1e-14);
        assert_eq!(h[i][3].to_bits(), h[3][i].to_bits());
    }
    assert!((h[3][3] - 2.0 * n2).abs() < 1e-14);
}

#[differentiable(hessian)]
fn cube(a: &[f64]) -> f64 {
    a[0] * a[0] * a[0]
}

#[derive(Clone, Debug, Differentiable)]
struct Cubed {
    w: Vec<f64>,
}

impl Cubed {
    /// A field's adjoint gathered by a helper, then added to by the caller.
    #[differentiable(hessian)]
    fn e(&self, t: f64) -> f64 {
        cube(&self.w) + self.w[0] * t
    }
}

#[test]
fn the_gradient_of_hvp_and_hessian_is_grads_bit_for_bit_through_field_slots() {
    // Adjoints added into a field's slot by a helper and by the caller, in `_grad`'s order
    // (a review found 1 ulp on 377 of 1,000 inputs when the helper's part was added last).
    let mut u = 0.113f64;
    for _ in 0..1000 {
        u = (u * 7919.0 + 0.137).fract();
        let (s, t) = (Cubed { w: vec![u - 0.5] }, 1.3 - u);
        let (v, g, _) = s.e_hessian(t);
        let (v2, gs, gt) = s.e_grad(t);
        assert_eq!(v.to_bits(), v2.to_bits());
        assert_eq!(g, flat(&gs, &[gt]), "at w = {}, t = {t}", s.w[0]);
        let dir = Cubed { w: vec![0.5] };
        let (_, hs, ht, _, _) = s.e_hvp(t, &dir, 0.25);
        assert_eq!(flat(&hs, &[ht]), g);
    }
}

#[derive(Clone, Debug, Differentiable)]
struct V3 {
    x: f64,
    y: f64,
    z: f64,
}

#[differentiable(hessian)]
fn vdot(a: &V3, b: &V3) -> f64 {
    a.x * b.x + a.y * b.y + a.z * b.z
}

/// A call of structs alone, its result used first (nothing else fixes its float type).
#[differentiable(hessian)]
fn vnorm(a: &V3) -> f64 {
    vdot(a, a).sqrt()
}

#[test]
fn a_call_of_structs_alone_at_second_order() {
    let a = V3 {
        x: 1.0,
        y: 2.0,
        z: 2.0,
    };
    let (v, g, h) = vnorm_hessian(&a);
    assert_eq!(v, 3.0);
    let p = [1.0, 2.0, 2.0];
    // ∇|a| = a / |a|, H = (I - a aᵀ / |a|²) / |a|.
    for i in 0..3 {
        assert!((g[i] - p[i] / 3.0).abs() < 1e-15);
        for j in 0..3 {
            let want = (if i == j { 1.0 } else { 0.0 } - p[i] * p[j] / 9.0) / 3.0;
            assert!((h[i][j] - want).abs() < 1e-15, "H[{i}][{j}]");
        }
    }
}

#[differentiable(hessian)]
fn gather(w: &[f64], idx: &[usize], x: f64) -> f64 {
    let mut s = 0.0;
    for k in 0..idx.len() {
        s += w[idx[k]] * w[idx[k]] * x;
    }
    s
}

#[derive(Clone, Debug, Differentiable)]
struct Sparse {
    w: Vec<f64>,
    idx: Vec<usize>,
}

impl Sparse {
    /// A `Vec<usize>` field passed on with a float field (its slot is `()`).
    #[differentiable(hessian)]
    fn f(&self, x: f64) -> f64 {
        gather(&self.w, &self.idx, x) * x
    }
}

#[test]
fn an_index_field_passed_to_a_helper() {
    let (s, x) = (
        Sparse {
            w: vec![0.3, -0.8, 1.1],
            idx: vec![2, 0, 2],
        },
        0.6,
    );
    // f = x² (2 w₂² + w₀²).
    let (v, gs, gx) = s.f_grad(x);
    assert_eq!(v.to_bits(), s.f(x).to_bits());
    let (w0, w2) = (s.w[0], s.w[2]);
    assert!((gs.w[0] - 2.0 * w0 * x * x).abs() < 1e-15);
    assert_eq!(gs.w[1], 0.0);
    assert!((gs.w[2] - 4.0 * w2 * x * x).abs() < 1e-15);
    assert_eq!(gs.idx, s.idx);
    assert!((gx - 2.0 * x * (2.0 * w2 * w2 + w0 * w0)).abs() < 1e-15);
    let (_, g, h) = s.f_hessian(x);
    assert_eq!(g, flat(&gs, &[gx]));
    let grad = |q: &[f64]| {
        let (s, x) = unflat(&s, q);
        let (_, gs, gx) = s.f_grad(x[0]);
        flat(&gs, &[gx])
    };
    assert_hessian_of(&h, &grad, &flat(&s, &[x]));
}
