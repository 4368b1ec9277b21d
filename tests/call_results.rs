//! A call's array result used as an array, whatever the call's arguments: `let p =
//! polar(r, t);` of a helper of scalars, then `p[i]`, `&p`, `p.iter()`, `for v in p`; and
//! a chain straight on a call (`sq_all(x).iter().sum()`). The macro tells an array result
//! by the binding's uses in its scope, so a float of the same name elsewhere stays a float.
//! Checked against closed forms, the second-order companions against their own closed forms.

use grad::prelude::*;

#[differentiable(jvp, hessian)]
fn polar(r: f64, t: f64) -> [f64; 2] {
    [r * t.cos(), r * t.sin()]
}

#[differentiable(jvp, hessian)]
fn norm2(v: &[f64]) -> f64 {
    v[0] * v[0] + v[1] * v[1]
}

/// `x y` of the point at polar `(r, t)`: `r² cos t sin t = r² sin(2t) / 2`.
#[differentiable(jvp, hessian)]
fn product(r: f64, t: f64) -> f64 {
    let p = polar(r, t);
    p[0] * p[1]
}

/// `|p|² = r²`, through a borrow of the result.
#[differentiable(jvp, hessian)]
fn radius2(r: f64, t: f64) -> f64 {
    let p = polar(r, t);
    norm2(&p)
}

/// `|p|² = r²`, through an iterator chain over the result.
#[differentiable(jvp, hessian)]
fn radius2_chain(r: f64, t: f64) -> f64 {
    let p = polar(r, t);
    p.iter().map(|v| v * v).sum()
}

/// `x + y = r (cos t + sin t)`, through a loop over the result by value.
#[differentiable(jvp, hessian)]
fn coordinate_sum(r: f64, t: f64) -> f64 {
    let q = polar(r, t);
    let mut s = 0.0;
    for v in q {
        s += v;
    }
    s
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn an_array_result_of_scalar_arguments_is_an_array() {
    for &(r, t) in &[(1.3, 0.4), (0.7, -2.1), (2.0, 3.0)] {
        let (v, dr, dt) = product_grad(r, t);
        assert_eq!(v, product(r, t));
        assert!(close(v, r * r * (2.0 * t).sin() / 2.0));
        assert!(close(dr, r * (2.0 * t).sin()));
        assert!(close(dt, r * r * (2.0 * t).cos()));

        for f in [radius2_grad, radius2_chain_grad] {
            let (v, dr, dt) = f(r, t);
            assert!(close(v, r * r), "{v} vs {}", r * r);
            assert!(close(dr, 2.0 * r));
            assert!(dt.abs() <= 1e-12 * r * r, "{dt}");
        }

        let (v, dr, dt) = coordinate_sum_grad(r, t);
        assert_eq!(v, coordinate_sum(r, t));
        assert!(close(v, r * (t.cos() + t.sin())));
        assert!(close(dr, t.cos() + t.sin()));
        assert!(close(dt, r * (t.cos() - t.sin())));
    }
}

#[test]
fn second_order_through_an_array_result_of_scalar_arguments() {
    let (r, t) = (1.3, 0.4);
    // Hessian of r² sin(2t) / 2.
    let (v, g, h) = product_hessian(r, t);
    assert_eq!(v, product(r, t));
    let (_, dr, dt) = product_grad(r, t);
    assert_eq!(g, vec![dr, dt]);
    let (s, c) = (2.0 * t).sin_cos();
    let want = [[s, 2.0 * r * c], [2.0 * r * c, -2.0 * r * r * s]];
    for i in 0..2 {
        for j in 0..2 {
            assert!(close(h[i][j], want[i][j]), "h[{i}][{j}] = {}", h[i][j]);
        }
    }
    assert_eq!(h[0][1], h[1][0]);
    // r (cos t + sin t) along (1, 2): (cos t + sin t) + 2 r (cos t - sin t).
    let (v, d) = coordinate_sum_jvp(r, t, 1.0, 2.0);
    assert_eq!(v, coordinate_sum(r, t));
    assert!(close(
        d,
        (t.cos() + t.sin()) + 2.0 * r * (t.cos() - t.sin())
    ));
    // r² has Hessian diag(2, 0).
    for f in [radius2_hessian, radius2_chain_hessian] {
        let (_, _, h) = f(r, t);
        assert!(close(h[0][0], 2.0));
        assert!(h[0][1].abs() < 1e-12 && h[1][1].abs() < 1e-12, "{h:?}");
    }
}

#[differentiable]
fn scale(x: f64, k: f64) -> f64 {
    x * k
}

/// A float `w` of a helper of scalars, and an array `w` in an inner block: each binding is
/// what its own uses say. `3 x + 2 x² + 2 x`.
#[differentiable]
fn shadowed(x: f64) -> f64 {
    let w = scale(x, 3.0);
    let mut s = w;
    {
        let w = polar(x, 0.0);
        s += w[0] * w[0] * 2.0;
    }
    let w = polar(x, 0.0);
    s + 2.0 * w[0]
}

#[test]
fn a_float_and_an_array_of_one_name_are_told_apart() {
    for &x in &[0.5, -1.25, 2.0] {
        let (v, d) = shadowed_grad(x);
        assert_eq!(v, shadowed(x));
        assert!(close(v, 5.0 * x + 2.0 * x * x));
        assert!(close(d, 5.0 + 4.0 * x));
    }
}

#[differentiable]
fn sq_all(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v * v).collect()
}

/// `Σ x²`, summed straight off the helper's `Vec`.
#[differentiable]
fn sum_of_squares(x: &[f64]) -> f64 {
    sq_all(x).iter().sum()
}

/// The same through `into_iter()`.
#[differentiable]
fn sum_of_squares_owned(x: &[f64]) -> f64 {
    sq_all(x).into_iter().sum()
}

#[differentiable]
fn step(s: [f64; 2], h: f64) -> [f64; 2] {
    [s[0] + h * s[1], s[1] - h * s[0]]
}

/// `|step([x, 1], 0.1)|² = (x + 0.1)² + (1 - 0.1 x)²`, a chain with a closure and `sum::<f64>()`.
#[differentiable]
fn stepped_norm(x: f64) -> f64 {
    step([x, 1.0], 0.1).iter().map(|v| v * v).sum::<f64>()
}

#[test]
fn a_chain_straight_on_a_call() {
    let x = [1.0, -2.0, 0.5];
    for f in [sum_of_squares_grad, sum_of_squares_owned_grad] {
        let (v, d) = f(&x);
        assert_eq!(v, 1.0 + 4.0 + 0.25);
        assert_eq!(d, vec![2.0, -4.0, 1.0]);
    }
    for &x in &[0.3, -1.7] {
        let (v, d) = stepped_norm_grad(x);
        assert_eq!(v, stepped_norm(x));
        assert!(close(
            v,
            (x + 0.1) * (x + 0.1) + (1.0 - 0.1 * x) * (1.0 - 0.1 * x)
        ));
        assert!(close(d, 2.0 * (x + 0.1) - 0.2 * (1.0 - 0.1 * x)));
    }
}

#[differentiable]
fn deriv(s: [f64; 2]) -> [f64; 2] {
    [s[1], -s[0]]
}

/// A step fed its own result without a type: `deriv(deriv(s)) = -s`, so `-s0 s1`.
#[differentiable]
fn twice_rotated(s: [f64; 2]) -> f64 {
    let e = deriv(s);
    let d = deriv(e);
    -(d[0] * d[1])
}

#[derive(Clone, Debug, grad::Differentiable)]
struct P {
    w: Vec<f64>,
    b: f64,
}

/// Operators, fields of the name, and names bound again by a loop or a closure are no uses
/// of a float result as an array: `2x` stays a float in each.
#[differentiable]
fn float_results_stay_floats(x: f64, ys: &[f64], p: &P) -> f64 {
    let m = scale(x, 2.0);
    let a = if x > 0.0 && m > 1.0 { m * m } else { x };
    let w = scale(x, 3.0);
    let n = p.w.len() as f64;
    let mut s = w * n + p.b * p.w[0];
    for w in ys.chunks(2) {
        s += w[0] * w[1];
    }
    let t: f64 = ys.chunks(2).map(|w| w[0] + w[1]).sum();
    let q = polar(x, 0.5);
    let r = if x < 0.0 || ys[0] < 0.0 {
        0.0
    } else {
        q[0] * q[1]
    };
    a + s + t + w + r
}

#[test]
fn results_fed_back_and_floats_beside_arrays() {
    let (v, d) = twice_rotated_grad([0.7, -1.1]);
    assert_eq!(v, twice_rotated([0.7, -1.1]));
    assert!(close(v, -(0.7 * -1.1)));
    assert_eq!(d, [1.1, -0.7]);

    let p = P {
        w: vec![0.5, -0.25, 2.0],
        b: 1.5,
    };
    let ys = [0.3, -0.4, 1.2, 0.6];
    for &x in &[0.8, 1.3] {
        let (v, dx, dys, dp) = float_results_stay_floats_grad(x, &ys, &p);
        assert_eq!(v, float_results_stay_floats(x, &ys, &p));
        // (2x)² (x > 0.5) + 3x·3 + b w0 + Σ pairs + Σ ys + 3x + x² sin(0.5) cos(0.5)
        let (s, c) = 0.5f64.sin_cos();
        let want = 4.0 * x * x
            + 9.0 * x
            + 1.5 * 0.5
            + (0.3 * -0.4 + 1.2 * 0.6)
            + 1.7
            + 3.0 * x
            + x * x * s * c;
        assert!(close(v, want), "{v} vs {want}");
        assert!(close(dx, 8.0 * x + 9.0 + 3.0 + 2.0 * x * s * c), "{dx}");
        assert_eq!(dys, vec![-0.4 + 1.0, 0.3 + 1.0, 0.6 + 1.0, 1.2 + 1.0]);
        assert_eq!(dp.w, vec![1.5, 0.0, 0.0]);
        assert_eq!(dp.b, 0.5);
    }
}

mod m1 {
    use grad::prelude::*;

    #[differentiable]
    pub fn f(s: [f64; 2]) -> f64 {
        s[0] * s[1]
    }
}

mod m2 {
    use grad::prelude::*;

    #[differentiable]
    pub fn f(y: f64) -> f64 {
        y * y
    }
}

#[derive(Clone, Debug, grad::Differentiable)]
struct K {
    k: f64,
}

impl K {
    #[differentiable]
    fn f(&self, y: f64) -> f64 {
        self.k * y * y
    }
}

/// `e` is a float passed to another `f` (by path, as a method): not fed back, so a float.
/// `(x0 x1)² + k (x0 x1)²`.
#[differentiable(wrt(x))]
fn same_names_elsewhere(x: [f64; 2], p: &K) -> f64 {
    let e = m1::f(x);
    let d = m2::f(e);
    d + p.f(e)
}

/// `e` of `g(x)` is a float; the `e` passed back to `m1::f` inside the `if` is another
/// binding, an array: `x0 x1 + x1 x0`.
#[differentiable]
fn fed_back_hidden(x: [f64; 2]) -> f64 {
    let e = m1::f(x);
    let mut acc = e;
    if x[0] > 0.0 {
        let e = [x[1], x[0]];
        acc += m1::f(e);
    }
    acc
}

#[test]
fn fed_back_means_the_same_function_and_the_same_binding() {
    let p = K { k: 2.0 };
    let (v, d) = same_names_elsewhere_grad([1.5, 2.0], &p);
    assert_eq!(v, 27.0);
    assert_eq!(d, [36.0, 27.0]);
    let (v, d) = fed_back_hidden_grad([1.5, 2.0]);
    assert_eq!(v, 6.0);
    assert_eq!(d, [4.0, 3.0]);
}
