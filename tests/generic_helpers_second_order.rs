//! A concrete function with `jvp` / `hessian` calling generic helpers (`fn dotg<T: Real>`)
//! that have them too: over slices (through the helper's pullback) and over floats, at f64
//! and f32, against closed forms.

use grad::prelude::*;

#[differentiable(jvp, hessian)]
fn dotg<T: Real>(a: &[T], b: &[T]) -> T {
    let mut s = T::ZERO;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiable(jvp, hessian)]
fn wave<T: Real>(x: T) -> T {
    x * x.sin()
}

/// `x0³ + x0 x1² + x1 sin x1`.
#[differentiable(jvp, hessian)]
fn f(x: &[f64]) -> f64 {
    dotg(x, x) * x[0] + wave(x[1])
}

/// The same at f32.
#[differentiable(jvp, hessian)]
fn f32_version(x: &[f32]) -> f32 {
    dotg(x, x) * x[0] + wave(x[1])
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn generic_helpers_under_a_concrete_hessian() {
    for &(x0, x1) in &[(1.0, 2.0), (-0.7, 0.3), (1.5, -2.5)] {
        let x = [x0, x1];
        let (s, c) = f64::sin_cos(x1);
        let (v, g, h) = f_hessian(&x);
        assert_eq!(v, f(&x));
        assert!(close(v, x0 * x0 * x0 + x0 * x1 * x1 + x1 * s, 1e-14));
        let (_, g_ref) = f_grad(&x);
        assert_eq!(g, g_ref);
        assert!(close(g[0], 3.0 * x0 * x0 + x1 * x1, 1e-14));
        assert!(close(g[1], 2.0 * x0 * x1 + s + x1 * c, 1e-14));
        let want = [
            [6.0 * x0, 2.0 * x1],
            [2.0 * x1, 2.0 * x0 + 2.0 * c - x1 * s],
        ];
        for i in 0..2 {
            for j in 0..2 {
                assert!(close(h[i][j], want[i][j], 1e-14), "h[{i}][{j}]");
            }
        }
        assert_eq!(h[0][1], h[1][0]);
        // Along (1, -2): g · v.
        let (vj, d) = f_jvp(&x, &[1.0, -2.0]);
        assert_eq!(vj, v);
        assert!(close(d, g[0] - 2.0 * g[1], 1e-14));
    }
    let (v, g, h) = f32_version_hessian(&[1.0, 2.0]);
    assert_eq!(v, f32_version(&[1.0, 2.0]));
    assert!(
        (g[0] - 7.0).abs() < 1e-5 && (h[0][0] - 6.0).abs() < 1e-5 && (h[0][1] - 4.0).abs() < 1e-5
    );
}

struct Model;

impl Model {
    const MASS: f64 = 2.0;

    /// A generic associated function without `self` under `hessian` (naming `Self`, as an
    /// associated function's companions need): its twin names are copies, valid inside the
    /// `impl` as outside.
    #[differentiable(jvp, hessian)]
    fn energy<T: Real>(q: &[T]) -> T {
        q[0] * q[0] * q[1] * T::from_f64(Self::MASS)
    }
}

#[test]
fn a_generic_associated_function_keeps_compiling() {
    let (v, g, h) = Model::energy_hessian(&[2.0, 3.0]);
    assert_eq!(v, 24.0);
    assert_eq!(g, vec![24.0, 8.0]);
    assert_eq!(h, vec![vec![12.0, 8.0], vec![8.0, 0.0]]);
}
