//! `_hvp` and `_hessian` of functions with struct parameters (issue 14): the struct's floats
//! are inputs like any other (flattened in `Differentiable::flatten` order for `_hessian`),
//! `#[grad(skip)]` fields and integer fields are constants. Checked against closed forms,
//! central differences of `_grad`, and `_grad` itself (the gradient in `_hvp` bit for bit).

#![allow(clippy::needless_range_loop)] // loops written as users write them

use grad::prelude::*;

#[derive(Clone, Debug, Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: f64,
    #[grad(skip)]
    scale: f64,
}

#[derive(Clone, Debug, Differentiable)]
struct Model {
    layers: Vec<Layer>,
    out: [f64; 2],
    steps: usize,
}

/// `(b + scale Σ w_i x_i)²`: every second derivative has a closed form.
#[differentiable(jvp, hessian)]
fn square(layer: &Layer, x: &[f64]) -> f64 {
    let mut a = layer.b;
    for i in 0..x.len() {
        a += layer.w[i] * x[i] * layer.scale;
    }
    a * a
}

/// A two-layer network over a `Vec` of structs, an array field, an integer field and a
/// branch, the model taken by value (the target `t` a constant).
#[differentiable(hessian, wrt(m, x))]
fn network(m: Model, x: &[f64], t: f64) -> f64 {
    let mut s = 0.0;
    for (k, layer) in m.layers.iter().enumerate() {
        let mut a = layer.b;
        for (w, xi) in layer.w.iter().zip(x) {
            a += w * xi;
        }
        let h = if a > 0.0 { a.tanh() } else { 0.5 * a.sin() };
        s += m.out[k] * h * layer.scale;
    }
    let reps = m.steps as f64;
    (s - t).powi(2) * reps + (m.out[0] * m.out[1]).exp()
}

/// The struct left out: only `x` is differentiated, the struct's floats are constants.
#[differentiable(hessian, wrt(x))]
fn constant_struct(layer: &Layer, x: &[f64]) -> f64 {
    let mut a = layer.b;
    for i in 0..x.len() {
        a += (layer.w[i] * x[i]).sin();
    }
    a * x[0]
}

impl Layer {
    /// A method: `self` is differentiated like a struct parameter.
    #[differentiable(jvp, hessian)]
    fn energy(&self, x: &[f64], k: f64) -> f64 {
        let mut e = self.b * k;
        for i in 0..x.len() {
            e += (self.w[i] * x[i] * self.scale).sin() * k * k;
        }
        e
    }

    /// `self` by value, left out of the differentiation.
    #[differentiable(hessian, wrt(x))]
    fn weighted(self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += self.w[i] * x[i] * x[i] * x[0];
        }
        s
    }
}

fn layer() -> Layer {
    Layer {
        w: vec![0.3, -0.7, 1.1],
        b: 0.2,
        scale: 0.9,
    }
}

fn model() -> Model {
    Model {
        layers: vec![
            Layer {
                w: vec![0.4, -0.3],
                b: 0.1,
                scale: 1.5,
            },
            Layer {
                w: vec![-0.6, 0.2],
                b: -0.5,
                scale: 0.7,
            },
        ],
        out: [0.8, -0.4],
        steps: 3,
    }
}

/// The struct's floats, then the slice.
fn flat<S: Differentiable>(s: &S, x: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    s.flatten(&mut out);
    out.extend_from_slice(x);
    out
}

fn unflat<S: Differentiable>(s: &S, q: &[f64]) -> (S, Vec<f64>) {
    let mut out = s.clone();
    let mut rest = q;
    out.unflatten(&mut rest);
    (out, rest.to_vec())
}

/// Central differences of a flattened gradient.
fn fd_hessian(g: &dyn Fn(&[f64]) -> Vec<f64>, q: &[f64]) -> Vec<Vec<f64>> {
    let n = q.len();
    let mut h = vec![vec![0.0; n]; n];
    for j in 0..n {
        let e = 1e-6 * q[j].abs().max(1.0);
        let (mut a, mut b) = (q.to_vec(), q.to_vec());
        a[j] += e;
        b[j] -= e;
        let (ga, gb) = (g(&a), g(&b));
        for i in 0..n {
            h[i][j] = (ga[i] - gb[i]) / (2.0 * e);
        }
    }
    h
}

/// `h` against central differences of the flattened gradient `g` at `q` (to 1e-6), and
/// exactly symmetric.
fn assert_hessian_of(h: &[Vec<f64>], g: &dyn Fn(&[f64]) -> Vec<f64>, q: &[f64]) {
    assert_eq!(h.len(), q.len());
    let fd = fd_hessian(g, q);
    for i in 0..q.len() {
        for j in 0..q.len() {
            assert_close(h[i][j], fd[i][j], 1e-6, &format!("H[{i}][{j}]"));
            assert_eq!(h[i][j].to_bits(), h[j][i].to_bits(), "symmetric");
        }
    }
}

fn assert_close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn hessian_with_a_struct_matches_the_closed_form() {
    let (l, x) = (layer(), [0.5, 1.5, -0.25]);
    let (value, gradient, h) = square_hessian(&l, &x);
    assert_eq!(value.to_bits(), square(&l, &x).to_bits());
    // Inputs: w0 w1 w2 b x0 x1 x2 (the skipped scale is a constant).
    let c = l.scale;
    let a = l.b + c * (0..3).map(|i| l.w[i] * x[i]).sum::<f64>();
    let mut u = [0.0; 7]; // ∂a/∂input
    for i in 0..3 {
        u[i] = c * x[i];
        u[4 + i] = c * l.w[i];
    }
    u[3] = 1.0;
    for i in 0..7 {
        assert_close(gradient[i], 2.0 * a * u[i], 1e-14, "gradient");
        for j in 0..7 {
            // ∂²(a²) = 2 u uᵀ + 2 a ∂²a, and ∂²a/∂w_i∂x_i = scale.
            let mut expect = 2.0 * u[i] * u[j];
            if (i < 3 && j == i + 4) || (j < 3 && i == j + 4) {
                expect += 2.0 * a * c;
            }
            assert_close(h[i][j], expect, 1e-14, &format!("H[{i}][{j}]"));
            assert_eq!(h[i][j].to_bits(), h[j][i].to_bits(), "symmetric");
        }
    }
    // Inputs that do not interact give exact zeros: w0 with w1, x0 with x1.
    assert_eq!(h[0][1], 2.0 * u[0] * u[1]);
    assert_eq!(h[4][5], 2.0 * u[4] * u[5]);
}

#[test]
fn hvp_with_a_struct_is_the_hessian_times_the_direction() {
    let (l, x) = (layer(), [0.5, 1.5, -0.25]);
    // The direction's skipped field holds anything: a constant is not a direction.
    let v = Layer {
        w: vec![0.5, 0.25, -1.0],
        b: -0.4,
        scale: 123.0,
    };
    let vx = [0.1, -0.2, 0.3];
    let (value, d_l, d_x, hv_l, hv_x) = square_hvp(&l, &x, &v, &vx);
    let (value_g, d_l_g, d_x_g) = square_grad(&l, &x);
    assert_eq!(value.to_bits(), value_g.to_bits());
    assert_eq!(
        flat(&d_l, &d_x),
        flat(&d_l_g, &d_x_g),
        "the gradient is _grad's"
    );
    // The constant comes back as in `_grad`'s gradient.
    assert_eq!(hv_l.scale, l.scale);
    let (_, _, h) = square_hessian(&l, &x);
    let dir = {
        let mut d = Vec::new();
        v.flatten(&mut d);
        d.extend_from_slice(&vx);
        d
    };
    let hv = flat(&hv_l, &hv_x);
    for i in 0..7 {
        let expect: f64 = (0..7).map(|j| h[i][j] * dir[j]).sum();
        assert_close(hv[i], expect, 1e-13, &format!("(H v)[{i}]"));
    }
    // `_jvp` (from the gradient) agrees with the same direction.
    let (_, dv) = square_jvp(&l, &x, &v, &vx);
    let g = flat(&d_l, &d_x);
    assert_close(dv, (0..7).map(|i| g[i] * dir[i]).sum(), 1e-14, "jvp");
}

#[test]
fn hessian_of_a_network_of_structs_matches_differences_of_the_gradient() {
    let (m, x, t) = (model(), [0.7, -1.2], 0.3);
    let (value, gradient, h) = network_hessian(m.clone(), &x, t);
    assert_eq!(value.to_bits(), network(m.clone(), &x, t).to_bits());
    let q = flat(&m, &x);
    assert_eq!(h.len(), q.len());
    assert_eq!(q.len(), 2 * 3 + 2 + 2, "two layers of (w0, w1, b), out, x");
    let grad_at = |q: &[f64]| {
        let (mq, xq) = unflat(&m, q);
        let (_, dm, dx) = network_grad(mq, &xq, t);
        flat(&dm, &dx)
    };
    assert_eq!(gradient, grad_at(&q), "the gradient is _grad's");
    assert_hessian_of(&h, &grad_at, &q);
    // The branch's other side: the second layer's activation goes negative.
    let mut m2 = m.clone();
    m2.layers[0].b = -3.0;
    let q2 = flat(&m2, &x);
    let grad_at2 = |q: &[f64]| {
        let (mq, xq) = unflat(&m2, q);
        let (_, dm, dx) = network_grad(mq, &xq, t);
        flat(&dm, &dx)
    };
    let (_, _, h2) = network_hessian(m2.clone(), &x, t);
    assert_hessian_of(&h2, &grad_at2, &q2);
}

#[test]
fn a_struct_left_out_of_wrt_is_a_constant_in_the_hessian() {
    let (l, x) = (layer(), [0.5, 1.5, -0.25]);
    let (value, gradient, h) = constant_struct_hessian(&l, &x);
    assert_eq!(value.to_bits(), constant_struct(&l, &x).to_bits());
    assert_eq!(h.len(), 3);
    let grad_at = |q: &[f64]| constant_struct_grad(&l, q).1;
    assert_eq!(gradient, grad_at(&x));
    assert_hessian_of(&h, &grad_at, &x);
}

#[test]
fn methods_take_self_like_a_struct_parameter() {
    let (l, x, k) = (layer(), [0.5, 1.5, -0.25], 0.8);
    let (value, gradient, h) = l.energy_hessian(&x, k);
    assert_eq!(value.to_bits(), l.energy(&x, k).to_bits());
    // Inputs: self (w0 w1 w2 b), x0 x1 x2, k.
    let mut q = flat(&l, &x);
    q.push(k);
    let grad_at = |q: &[f64]| {
        let (lq, rest) = unflat(&l, q);
        let (_, dl, dx, dk) = lq.energy_grad(&rest[..3], rest[3]);
        let mut g = flat(&dl, &dx);
        g.push(dk);
        g
    };
    assert_eq!(gradient, grad_at(&q), "the gradient is _grad's");
    assert_hessian_of(&h, &grad_at, &q);
    // `_hvp` along self's direction only: the column combination of the Hessian.
    let v = Layer {
        w: vec![0.0, 1.0, 0.0],
        b: 2.0,
        scale: -50.0,
    };
    let (_, _, _, _, hv_self, hv_x, hv_k) = l.energy_hvp(&x, k, &v, &[0.0; 3], 0.0);
    let mut hv = flat(&hv_self, &hv_x);
    hv.push(hv_k);
    for i in 0..q.len() {
        assert_close(
            hv[i],
            h[i][1] + 2.0 * h[i][3],
            1e-13,
            &format!("(H v)[{i}]"),
        );
    }
    let (_, _, hx) = l.clone().weighted_hessian(&x);
    assert_hessian_of(&hx, &|q: &[f64]| l.clone().weighted_grad(q).1, &x);
}

// ===== Structs as the only inputs, and directions of the wrong shape =======================

/// Two floats, the only differentiable inputs of the functions below.
#[derive(Clone, Debug, Differentiable)]
struct Pair {
    a: f64,
    b: f64,
}

impl Pair {
    /// `a sin b`, a method with `&self` its only parameter.
    #[differentiable(jvp, hessian)]
    fn wave(&self) -> f64 {
        self.a * self.b.sin()
    }
}

/// `a² b`: no float, slice or array parameter fixes the dual type of the twin.
#[differentiable(jvp, hessian)]
fn only_struct(p: &Pair) -> f64 {
    p.a * p.a * p.b
}

/// `a b n`: a struct and an integer.
#[differentiable(hessian)]
fn struct_and_count(p: &Pair, n: usize) -> f64 {
    p.a * p.b * n as f64
}

#[test]
fn a_struct_as_the_only_input_has_a_hessian() {
    let p = Pair { a: 1.5, b: -0.75 };
    let (v, g, h) = only_struct_hessian(&p);
    assert_eq!(v.to_bits(), only_struct(&p).to_bits());
    assert_eq!(g, vec![2.0 * p.a * p.b, p.a * p.a]);
    assert_eq!(h, vec![vec![2.0 * p.b, 2.0 * p.a], vec![2.0 * p.a, 0.0]]);
    // H v along (1, 2): (2b + 4a, 2a).
    let (_, gp, hv) = only_struct_hvp(&p, &Pair { a: 1.0, b: 2.0 });
    assert_eq!((gp.a, gp.b), (g[0], g[1]));
    assert_eq!((hv.a, hv.b), (2.0 * p.b + 4.0 * p.a, 2.0 * p.a));

    let (v, g, h) = p.wave_hessian();
    let (s, c) = p.b.sin_cos();
    assert_eq!(v.to_bits(), p.wave().to_bits());
    close(g[0], s);
    close(g[1], p.a * c);
    close(h[0][0], 0.0);
    close(h[0][1], c);
    assert_eq!(h[0][1], h[1][0]);
    close(h[1][1], -p.a * s);

    let (v, _, h) = struct_and_count_hessian(&p, 3);
    assert_eq!(v.to_bits(), struct_and_count(&p, 3).to_bits());
    assert_eq!(h, vec![vec![0.0, 3.0], vec![3.0, 0.0]]);
}

fn close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * (1.0 + want.abs()),
        "{got} vs {want}"
    );
}

/// `Σ x³` over a slice, for the shape checks.
#[differentiable(jvp, hessian)]
fn cubes(x: &[f64]) -> f64 {
    x.iter().map(|a| a * a * a).sum()
}

/// A struct with a `Vec` field, for the shape checks.
#[derive(Clone, Debug, Differentiable)]
struct Weights {
    w: Vec<f64>,
}

/// `w₀ w₁`.
#[differentiable(jvp, hessian)]
fn product(q: &Weights) -> f64 {
    q.w[0] * q.w[1]
}

#[test]
#[should_panic(expected = "grad: `tangent_x` must have one element per element of `x`")]
fn a_longer_tangent_is_refused() {
    cubes_jvp(&[1.0, 2.0], &[1.0, 1.0, 1.0]);
}

#[test]
#[should_panic(expected = "grad: `v_x` must have one element per element of `x`")]
fn a_shorter_direction_is_refused() {
    cubes_hvp(&[1.0, 2.0], &[1.0]);
}

#[test]
#[should_panic(expected = "grad: `tangent_q` must have the shape of `q`")]
fn a_struct_tangent_of_another_shape_is_refused() {
    product_jvp(&Weights { w: vec![1.0, 2.0] }, &Weights { w: vec![1.0] });
}

#[test]
#[should_panic(expected = "grad: `v_q` must have the shape of `q`")]
fn a_struct_direction_of_another_shape_is_refused() {
    product_hvp(
        &Weights { w: vec![1.0, 2.0] },
        &Weights {
            w: vec![1.0, 2.0, 3.0],
        },
    );
}

/// Two `f32` floats.
#[derive(Clone, Debug, Differentiable)]
struct PairF32 {
    a: f32,
    b: f32,
}

/// `a x² + sin b` in `f32`: a struct and a float.
#[differentiable(hessian)]
fn mixed_f32(p: &PairF32, x: f32) -> f32 {
    p.a * x * x + p.b.sin()
}

#[test]
fn an_f32_function_of_a_struct_has_a_hessian() {
    let (p, x) = (PairF32 { a: 1.5, b: 2.0 }, 0.5_f32);
    let (v, g, h) = mixed_f32_hessian(&p, x);
    assert_eq!(v.to_bits(), mixed_f32(&p, x).to_bits());
    let want_g = [x * x, p.b.cos(), 2.0 * p.a * x];
    let want_h = [
        [0.0, 0.0, 2.0 * x],
        [0.0, -p.b.sin(), 0.0],
        [2.0 * x, 0.0, 2.0 * p.a],
    ];
    for i in 0..3 {
        assert!((g[i] - want_g[i]).abs() <= 1e-6, "{g:?}");
        for j in 0..3 {
            assert!((h[i][j] - want_h[i][j]).abs() <= 1e-6, "{h:?}");
        }
    }
}

#[derive(Clone, Debug, Differentiable)]
struct Lin {
    a: f64,
    b: f64,
}

/// `a x² + x sin b`, the struct taken by value.
#[differentiable(jvp, hessian)]
fn energy_owned(p: Lin, x: f64) -> f64 {
    p.a * x * x + p.b.sin() * x
}

/// `[a x, b x²]`, the struct taken by value: `_vjp` and `_jacobian` read it after a sweep.
#[differentiable]
fn lin2_owned(p: Lin, x: f64) -> [f64; 2] {
    [p.a * x, p.b * x * x]
}

#[test]
fn a_struct_taken_by_value_has_every_companion() {
    let (p, x) = (Lin { a: 0.5, b: -1.5 }, 0.3);
    let (v, j) = lin2_owned_jacobian(p.clone(), x);
    assert_eq!(v, lin2_owned(p.clone(), x));
    assert_eq!(j, vec![vec![x, 0.0, p.a], vec![0.0, x * x, 2.0 * p.b * x]]);
    let (_, gp, gx) = lin2_owned_vjp(p.clone(), x, [1.0, 2.0]);
    assert_eq!((gp.a, gp.b), (x, 2.0 * x * x));
    assert_eq!(gx, p.a + 2.0 * 2.0 * p.b * x);

    let y = 0.7;
    let (v, g, h) = energy_owned_hessian(p.clone(), y);
    assert_eq!(v.to_bits(), energy_owned(p.clone(), y).to_bits());
    let want_g = [y * y, p.b.cos() * y, 2.0 * p.a * y + p.b.sin()];
    let want_h = [
        [0.0, 0.0, 2.0 * y],
        [0.0, -p.b.sin() * y, p.b.cos()],
        [2.0 * y, p.b.cos(), 2.0 * p.a],
    ];
    for i in 0..3 {
        assert!((g[i] - want_g[i]).abs() <= 1e-15, "{g:?}");
        for j in 0..3 {
            assert!((h[i][j] - want_h[i][j]).abs() <= 1e-15, "{h:?}");
        }
    }
    let (_, gp, gx, hp, hx) = energy_owned_hvp(p.clone(), y, &Lin { a: 0.0, b: 0.0 }, 1.0);
    let (_, gp_grad, gx_grad) = energy_owned_grad(p.clone(), y);
    assert_eq!((gp.a, gp.b, gx), (gp_grad.a, gp_grad.b, gx_grad));
    assert!((hp.a - 2.0 * y).abs() <= 1e-15 && (hp.b - p.b.cos()).abs() <= 1e-15);
    assert!((hx - 2.0 * p.a).abs() <= 1e-15);
    let (_, d) = energy_owned_jvp(p, y, &Lin { a: 1.0, b: 0.0 }, 0.0);
    assert!((d - y * y).abs() <= 1e-15);
}
