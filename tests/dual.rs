//! Forward over reverse: a generic `#[differentiable]` function's companion, instantiated at
//! `Dual<f64>`, returns the gradient in the values and a Hessian-vector product in the
//! tangents; the plain function at `Dual<f64>` gives directional derivatives.

use grad::prelude::*;
use grad::Dual;

#[differentiable]
fn f<T: Real>(x: T, y: T) -> T {
    let mut s = T::ZERO;
    for k in 1..4 {
        s += (x * T::from_i32(k)).sin() * y.powi(k);
    }
    s + (x * y).exp() + x.max(y).sigmoid()
}

#[differentiable]
fn g<T: Real>(xs: &[T]) -> T {
    let mut s = T::ZERO;
    for i in 0..xs.len() - 1 {
        let a = T::ONE - xs[i];
        let b = xs[i + 1] - xs[i] * xs[i];
        s += a * a + T::from_f64(100.0) * b * b;
    }
    s
}

/// Central difference of `h` at 0.
fn central(h: impl Fn(f64) -> f64) -> f64 {
    let e = 1e-6;
    (h(e) - h(-e)) / (2.0 * e)
}

#[track_caller]
fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-6 * want.abs().max(1.0),
        "{what}: {got:e} vs {want:e}"
    );
}

#[test]
fn companion_at_duals_gives_hessian_vector_products() {
    let (x, y) = (0.4, 0.9);
    for (vx, vy) in [(1.0, 0.0), (0.0, 1.0), (0.6, -0.8)] {
        let (value, dx, dy) = f_grad(Dual::new(x, vx), Dual::new(y, vy));
        let (value64, dx64, dy64) = f_grad::<f64>(x, y);
        assert_eq!(value.v.to_bits(), value64.to_bits());
        assert_eq!(
            (dx.v.to_bits(), dy.v.to_bits()),
            (dx64.to_bits(), dy64.to_bits())
        );
        close("directional derivative", value.d, dx64 * vx + dy64 * vy);
        let hx = central(|t| f_grad::<f64>(x + t * vx, y + t * vy).1);
        let hy = central(|t| f_grad::<f64>(x + t * vx, y + t * vy).2);
        close("(H v)_x", dx.d, hx);
        close("(H v)_y", dy.d, hy);
    }
}

#[test]
fn slices_of_duals_give_hessian_vector_products() {
    let x = [0.5, -1.2, 0.8, 1.1];
    let v = [1.0, 0.5, -0.25, 2.0];
    let xd: Vec<Dual<f64>> = x.iter().zip(&v).map(|(&a, &b)| Dual::new(a, b)).collect();
    let (value, grad) = g_grad(&xd);
    let (value64, grad64) = g_grad::<f64>(&x);
    assert_eq!(value.v.to_bits(), value64.to_bits());
    for i in 0..x.len() {
        assert_eq!(grad[i].v.to_bits(), grad64[i].to_bits());
        let h = central(|t| {
            let xt: Vec<f64> = x.iter().zip(&v).map(|(&a, &b)| a + t * b).collect();
            g_grad::<f64>(&xt).1[i]
        });
        close(&format!("(H v)[{i}]"), grad[i].d, h);
    }
    let plain = g(&xd);
    assert_eq!(plain.v.to_bits(), value64.to_bits());
}
