//! The shape of the companion `<name>_grad` for every kind of signature (`wrt(...)`, constant
//! parameters, slices, arrays, `f32`), and the binding forms of the body (shadowing, compound
//! assignment, constants). Every gradient is checked against central differences; the value
//! against the plain function bit for bit. The tuple types are written out, so a wrong shape
//! is a compile error here.

use grad::check::check_gradient;
use grad::prelude::*;

mod common;
use common::assert_close;

const FD_TOL: f64 = 1e-6;

#[track_caller]
fn fd(what: &str, f: impl Fn(&[f64]) -> f64, x: &[f64], grad: &[f64]) {
    if let Err(e) = check_gradient(f, x, grad, FD_TOL) {
        panic!("{what} at {x:?}: {e} (gradient {grad:?})");
    }
}

// ===== wrt(...) ==============================================================================

#[differentiable]
fn all_three(x: f64, y: f64, z: f64) -> f64 {
    x * y + y * z.sin() + x * z
}

#[differentiable(wrt(x, z))]
fn wrt_x_z(x: f64, y: f64, z: f64) -> f64 {
    x * y + y * z.sin() + x * z
}

/// The names in `wrt` are listed out of order: the tuple is still in parameter order.
#[differentiable(wrt(z, x))]
fn wrt_z_x(x: f64, y: f64, z: f64) -> f64 {
    x * y + y * z.sin() + x * z
}

#[differentiable(wrt(y))]
fn wrt_y(x: f64, y: f64, z: f64) -> f64 {
    x * y + y * z.sin() + x * z
}

#[test]
fn wrt_restricts_and_keeps_parameter_order() {
    let (x, y, z) = (1.5, -0.5, 2.0);
    let (v, dx, dy, dz): (f64, f64, f64, f64) = all_three_grad(x, y, z);
    assert_eq!(v.to_bits(), all_three(x, y, z).to_bits());
    fd(
        "all_three",
        |p| all_three(p[0], p[1], p[2]),
        &[x, y, z],
        &[dx, dy, dz],
    );

    let (v2, dx2, dz2): (f64, f64, f64) = wrt_x_z_grad(x, y, z);
    assert_eq!(v2.to_bits(), wrt_x_z(x, y, z).to_bits());
    assert_eq!((dx2, dz2), (dx, dz));

    let (v3, dx3, dz3): (f64, f64, f64) = wrt_z_x_grad(x, y, z);
    assert_eq!(v3.to_bits(), wrt_z_x(x, y, z).to_bits());
    assert_eq!((dx3, dz3), (dx, dz));

    let (v4, dy4): (f64, f64) = wrt_y_grad(x, y, z);
    assert_eq!(v4.to_bits(), wrt_y(x, y, z).to_bits());
    assert_eq!(dy4, dy);
}

#[differentiable(wrt(w))]
fn wrt_scalar_not_slice(xs: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for &x in xs {
        s += (w * x).tanh();
    }
    s
}

#[differentiable(wrt(xs))]
fn wrt_slice_not_scalar(xs: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for &x in xs {
        s += (w * x).tanh();
    }
    s
}

#[test]
fn wrt_with_slices() {
    let xs = [0.5, -1.0, 2.0];
    let w = 0.7;
    let (v, dw): (f64, f64) = wrt_scalar_not_slice_grad(&xs, w);
    assert_eq!(v.to_bits(), wrt_scalar_not_slice(&xs, w).to_bits());
    fd("wrt(w)", |p| wrt_scalar_not_slice(&xs, p[0]), &[w], &[dw]);

    let (v, dxs): (f64, Vec<f64>) = wrt_slice_not_scalar_grad(&xs, w);
    assert_eq!(v.to_bits(), wrt_slice_not_scalar(&xs, w).to_bits());
    assert_eq!(dxs.len(), 3);
    fd("wrt(xs)", |p| wrt_slice_not_scalar(p, w), &xs, &dxs);
}

// ===== constant parameters ===================================================================

#[differentiable]
fn int_params(x: f64, n: i32, k: usize, flag: bool, small: u8, big: i64) -> f64 {
    let y = x.powi(n) * k as f64;
    let z = if flag { y + x } else { y - n as f64 * x };
    z + small as f64 * x + big as f64
}

#[test]
fn integer_and_bool_parameters_are_constants() {
    for flag in [true, false] {
        for n in [-2, 0, 1, 3] {
            for k in [0usize, 1, 4] {
                let x = 1.3;
                let (v, dx): (f64, f64) = int_params_grad(x, n, k, flag, 7, -20);
                assert_eq!(v.to_bits(), int_params(x, n, k, flag, 7, -20).to_bits());
                let nf = f64::from(n);
                let kf = k as f64;
                let want = nf * x.powi(n - 1) * kf + if flag { 1.0 } else { -nf } + 7.0;
                assert_close("int_params dx", dx, want, 1e-12);
                fd(
                    "int_params",
                    |p| int_params(p[0], n, k, flag, 7, -20),
                    &[x],
                    &[dx],
                );
            }
        }
    }
}

#[differentiable]
fn n_as_float(x: f64, n: u32) -> f64 {
    let m = n as f64;
    m * x * x + (n + 1) as f64 * x
}

#[test]
fn as_casts_from_integers() {
    for n in [0u32, 1, 5] {
        let (v, dx) = n_as_float_grad(2.0, n);
        assert_eq!(v.to_bits(), n_as_float(2.0, n).to_bits());
        assert_eq!(dx, 2.0 * f64::from(n) * 2.0 + f64::from(n + 1));
    }
}

// ===== slices and arrays ====================================================================

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiable]
fn by_array(a: [f64; 3]) -> f64 {
    a[0] * a[1] + a[2].sin() * a[0]
}

#[differentiable]
fn by_array_ref(a: &[f64; 3]) -> f64 {
    a[0] * a[1] + a[2].sin() * a[0]
}

const N: usize = 4;

// An index loop over a `const` length is the point here.
#[allow(clippy::needless_range_loop)]
#[differentiable]
fn by_array_const_len(a: [f64; N], scale: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        s += scale * a[i] * a[i];
    }
    s
}

#[test]
fn slices_give_vecs_and_arrays_give_arrays() {
    let a = [1.0, -2.0, 0.5];
    let b = [3.0, 0.25, -4.0];
    let (v, da, db): (f64, Vec<f64>, Vec<f64>) = dot_grad(&a, &b);
    assert_eq!(v.to_bits(), dot(&a, &b).to_bits());
    assert_eq!(da, b.to_vec());
    assert_eq!(db, a.to_vec());

    // An empty slice: value 0, empty gradients.
    let (v, da, db) = dot_grad(&[], &[]);
    assert_eq!(v, 0.0);
    assert!(da.is_empty() && db.is_empty());

    let (v, g): (f64, [f64; 3]) = by_array_grad(a);
    assert_eq!(v.to_bits(), by_array(a).to_bits());
    fd("by_array", |p| by_array([p[0], p[1], p[2]]), &a, &g);

    let (v2, g2): (f64, [f64; 3]) = by_array_ref_grad(&a);
    assert_eq!(v2.to_bits(), by_array_ref(&a).to_bits());
    assert_eq!(g2, g);

    let x = [1.0, 2.0, -3.0, 0.5];
    let (v, g, ds): (f64, [f64; N], f64) = by_array_const_len_grad(x, 1.5);
    assert_eq!(v.to_bits(), by_array_const_len(x, 1.5).to_bits());
    assert_eq!(g, [3.0, 6.0, -9.0, 1.5]);
    assert_eq!(ds, 1.0 + 4.0 + 9.0 + 0.25);
}

#[differentiable]
fn gather(xs: &[f64], idx: &[usize]) -> f64 {
    let mut s = 0.0;
    for k in 0..idx.len() {
        s += xs[idx[k]] * xs[idx[k]];
    }
    s
}

#[differentiable]
fn int_weights(xs: &[f64], ws: &[i32], mask: &[bool]) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        if mask[i] {
            s += ws[i] as f64 * xs[i].exp();
        }
    }
    s
}

#[differentiable]
fn int_array_param(x: f64, ks: [u8; 3]) -> f64 {
    let mut s = x;
    for &k in ks.iter() {
        s = s * k as f64 + x;
    }
    s
}

#[test]
fn slices_of_integers_are_constants() {
    let xs = [0.5, -1.5, 2.0, 3.0];
    // A repeated index accumulates: d/dx0 = 2 * 2 * x0.
    let idx = [0usize, 2, 0];
    let (v, g): (f64, Vec<f64>) = gather_grad(&xs, &idx);
    assert_eq!(v.to_bits(), gather(&xs, &idx).to_bits());
    assert_eq!(g, vec![4.0 * 0.5, 0.0, 4.0, 0.0]);

    let ws = [2, -3, 0, 5];
    let mask = [true, true, false, true];
    let (v, g): (f64, Vec<f64>) = int_weights_grad(&xs, &ws, &mask);
    assert_eq!(v.to_bits(), int_weights(&xs, &ws, &mask).to_bits());
    fd("int_weights", |p| int_weights(p, &ws, &mask), &xs, &g);
    assert_eq!(g[2], 0.0);

    let ks = [2u8, 0, 3];
    let (v, d): (f64, f64) = int_array_param_grad(1.25, ks);
    assert_eq!(v.to_bits(), int_array_param(1.25, ks).to_bits());
    // s = ((x*2 + x)*0 + x)*3 + x = 4x.
    assert_eq!(d, 4.0);
}

// ===== f32 ===================================================================================

#[differentiable]
fn f32_scalar(x: f32, y: f32, n: i32) -> f32 {
    (x * y).sin() + x.powi(n) - y / 2.0
}

#[differentiable]
fn f32_slice(xs: &[f32], w: f32) -> f32 {
    let mut s = 0.0;
    for &x in xs {
        s += (w * x).tanh();
    }
    s
}

#[differentiable]
fn f32_array(a: [f32; 2], b: &[f32; 2]) -> f32 {
    a[0] * b[1] - a[1] * b[0]
}

#[differentiable(wrt(y))]
fn f32_wrt(x: f32, y: f32) -> f32 {
    x * y * y
}

#[test]
fn f32_functions() {
    let (v, dx, dy): (f32, f32, f32) = f32_scalar_grad(0.5, 1.5, 3);
    assert_eq!(v.to_bits(), f32_scalar(0.5, 1.5, 3).to_bits());
    let c = (0.75f64).cos();
    assert_close("f32 dx", f64::from(dx), 1.5 * c + 3.0 * 0.25, 1e-6);
    assert_close("f32 dy", f64::from(dy), 0.5 * c - 0.5, 1e-6);

    let xs = [0.5f32, -1.0, 2.0];
    let (v, dxs, dw): (f32, Vec<f32>, f32) = f32_slice_grad(&xs, 0.7);
    assert_eq!(v.to_bits(), f32_slice(&xs, 0.7).to_bits());
    for (i, &x) in xs.iter().enumerate() {
        let t = (0.7 * f64::from(x)).tanh();
        assert_close("f32 slice dx", f64::from(dxs[i]), 0.7 * (1.0 - t * t), 1e-6);
    }
    let want_dw: f64 = xs
        .iter()
        .map(|&x| {
            let t = (0.7 * f64::from(x)).tanh();
            f64::from(x) * (1.0 - t * t)
        })
        .sum();
    assert_close("f32 slice dw", f64::from(dw), want_dw, 1e-6);

    let (v, da, db): (f32, [f32; 2], [f32; 2]) = f32_array_grad([1.0, 2.0], &[3.0, 4.0]);
    assert_eq!(v.to_bits(), f32_array([1.0, 2.0], &[3.0, 4.0]).to_bits());
    assert_eq!(v, -2.0);
    assert_eq!((da, db), ([4.0, -3.0], [-2.0, 1.0]));

    let (v, dy): (f32, f32) = f32_wrt_grad(2.0, 3.0);
    assert_eq!(v.to_bits(), f32_wrt(2.0, 3.0).to_bits());
    assert_eq!((v, dy), (18.0, 12.0));
}

// ===== gradients that are exactly zero =====================================================

#[differentiable]
fn ignores_y(x: f64, _y: f64) -> f64 {
    x * 2.0
}

#[differentiable]
fn y_only_in_condition(x: f64, y: f64) -> f64 {
    if y > 0.0 {
        x * x
    } else {
        -x
    }
}

#[differentiable]
fn ignores_slice(x: f64, xs: &[f64], _unused: f64) -> f64 {
    x.sin() + xs.len() as f64
}

#[differentiable]
fn constant_result(x: f64) -> f64 {
    let _y = x * 3.0;
    2.5
}

#[differentiable]
fn identity(x: f64) -> f64 {
    x
}

#[differentiable]
fn second(_x: f64, y: f64) -> f64 {
    y
}

// `x - x` is the point here.
#[allow(clippy::eq_op)]
#[differentiable]
fn times_zero(x: f64) -> f64 {
    x * 0.0 + (x - x)
}

#[test]
fn inputs_that_do_not_matter_get_exactly_zero() {
    let (v, dx, dy) = ignores_y_grad(1.5, -4.0);
    assert_eq!(v.to_bits(), ignores_y(1.5, -4.0).to_bits());
    assert_eq!((v, dx), (3.0, 2.0));
    assert_eq!(dy.to_bits(), 0.0f64.to_bits());

    for y in [-1.0, 1.0] {
        let (v, dx, dy) = y_only_in_condition_grad(3.0, y);
        assert_eq!(v.to_bits(), y_only_in_condition(3.0, y).to_bits());
        assert_eq!(dx, if y > 0.0 { 6.0 } else { -1.0 });
        assert_eq!(dy.to_bits(), 0.0f64.to_bits());
    }

    let (v, dx, dxs, du) = ignores_slice_grad(0.5, &[1.0, 2.0, 3.0], 9.0);
    assert_eq!(
        v.to_bits(),
        ignores_slice(0.5, &[1.0, 2.0, 3.0], 9.0).to_bits()
    );
    assert_eq!(dx, 0.5f64.cos());
    assert_eq!(dxs, vec![0.0; 3]);
    assert_eq!(du.to_bits(), 0.0f64.to_bits());

    assert_eq!(constant_result_grad(7.0), (constant_result(7.0), 0.0));
    assert_eq!(identity_grad(-3.25), (identity(-3.25), 1.0));
    assert_eq!(second_grad(1.0, 2.0), (second(1.0, 2.0), 0.0, 1.0));
    assert_eq!(times_zero_grad(4.0), (times_zero(4.0), 0.0));
    assert_eq!(constant_result(7.0), 2.5);
    assert_eq!(times_zero(4.0), 0.0);
}

// ===== bindings ==============================================================================

// Plain reassignment (`w = w * x`) is the point here.
#[allow(clippy::assign_op_pattern)]
#[differentiable]
fn shadowing(x: f64, y: f64) -> f64 {
    let x = x * 2.0;
    let y = y + x;
    let x = x.sin() + y;
    let z = {
        let x = x * 3.0;
        x + y
    };
    let mut w = z;
    let w2 = w;
    w = w * x;
    let w = w + w2;
    w + x
}

#[test]
fn shadowing_works() {
    for (x, y) in [(0.3, -1.0), (1.2, 0.4)] {
        let (v, dx, dy) = shadowing_grad(x, y);
        assert_eq!(v.to_bits(), shadowing(x, y).to_bits());
        fd("shadowing", |p| shadowing(p[0], p[1]), &[x, y], &[dx, dy]);
    }
}

#[differentiable]
fn compound(x: f64, y: f64) -> f64 {
    let mut s = x;
    s += y;
    s *= x;
    s -= y * 0.5;
    s /= y;
    s += 1.0;
    s *= 2.0;
    s -= x;
    s /= 4.0;
    let mut h = [0.0; 3];
    h[0] += x;
    h[1] -= y;
    h[0] *= y;
    h[1] /= x;
    h[2] = h[0];
    h[2] += h[1] * s;
    s + h[2]
}

#[test]
fn compound_assignment() {
    for (x, y) in [(0.7, 1.9), (-1.5, 0.6)] {
        let (v, dx, dy) = compound_grad(x, y);
        assert_eq!(v.to_bits(), compound(x, y).to_bits());
        fd("compound", |p| compound(p[0], p[1]), &[x, y], &[dx, dy]);
    }
}

mod uses_imported_constants {
    use grad::prelude::*;
    use std::f64::consts::{E, FRAC_PI_2, PI};

    #[differentiable]
    pub fn imported(x: f64) -> f64 {
        (PI * x).sin() + E * x + (x + FRAC_PI_2).cos()
    }
}

#[differentiable]
fn by_path(x: f64) -> f64 {
    let two_pi = 2.0 * std::f64::consts::PI;
    (two_pi * x).cos() + core::f64::consts::TAU * x + f64::EPSILON * x + std::f64::consts::LN_2
}

#[test]
fn float_constants() {
    use std::f64::consts::{E, FRAC_PI_2, PI, TAU};
    for x in [0.1, 0.75, -2.0] {
        let (v, d) = uses_imported_constants::imported_grad(x);
        assert_eq!(v.to_bits(), uses_imported_constants::imported(x).to_bits());
        assert_close(
            "imported constants",
            d,
            PI * (PI * x).cos() + E - (x + FRAC_PI_2).sin(),
            1e-13,
        );

        let (v, d) = by_path_grad(x);
        assert_eq!(v.to_bits(), by_path(x).to_bits());
        assert_close(
            "constants by path",
            d,
            -TAU * (TAU * x).sin() + TAU + f64::EPSILON,
            1e-13,
        );
    }
}

const K: f64 = 1.5;
const SHIFT: f64 = -0.25;
static SCALE: f64 = 3.0;

#[differentiable]
fn user_consts(x: f64) -> f64 {
    let c = K;
    let k2 = K * K;
    K * x + x.powf(K) + c.sin() * x + k2 * x * x + (x + SHIFT).exp() + SCALE * x
}

#[test]
fn user_const() {
    for x in [0.5, 2.0] {
        let (v, d) = user_consts_grad(x);
        assert_eq!(v.to_bits(), user_consts(x).to_bits());
        let want = K + K * x.powf(K - 1.0) + K.sin() + 2.0 * K * K * x + (x + SHIFT).exp() + SCALE;
        assert_close("user const", d, want, 1e-13);
        fd("user_consts", |p| user_consts(p[0]), &[x], &[d]);
    }
}

// ===== visibility and paths ==================================================================

mod model {
    use grad::prelude::*;

    #[differentiable]
    pub fn public(x: f64, y: f64) -> f64 {
        x.hypot(y)
    }

    pub(crate) mod deeper {
        use grad::prelude::*;

        #[differentiable]
        pub(crate) fn crate_visible(x: f64) -> f64 {
            x.exp2()
        }
    }
}

#[test]
fn companions_have_the_functions_visibility() {
    let (v, dx, dy) = model::public_grad(3.0, 4.0);
    assert_eq!((v, dx, dy), (model::public(3.0, 4.0), 0.6, 0.8));
    let (v, d) = model::deeper::crate_visible_grad(3.0);
    assert_eq!(v, model::deeper::crate_visible(3.0));
    assert_eq!(v, 8.0);
    assert_close("exp2'", d, 8.0 * std::f64::consts::LN_2, 1e-15);
}

// ===== typed `let` ==========================================================================

#[differentiable]
fn typed_let_active(x: f64, n: usize) -> f64 {
    let c: f64 = x * 2.0;
    let mut acc: f64 = 0.0;
    for _ in 0..n {
        acc += c;
    }
    let k: i32 = 2;
    acc.powi(k) + c
}

#[test]
fn typed_lets() {
    for n in [0usize, 1, 8] {
        let x = 1.5;
        let (v, d) = typed_let_active_grad(x, n);
        assert_eq!(v.to_bits(), typed_let_active(x, n).to_bits());
        let nf = n as f64;
        // (2 n x)^2 + 2x
        assert_close("typed let", d, 8.0 * nf * nf * x + 2.0, 1e-13);
    }
}

/// A typed `let` on a value that does not depend on the inputs, then a float method on it.
/// (Found by these tests: the companion lost the annotation and `c.sqrt()` was an ambiguous
/// `{float}`, E0689; fixed in 04093c2 "float constants carry the float type".)
#[differentiable]
fn typed_let_constant(x: f64) -> f64 {
    let c: f64 = 4.0;
    x * c.sqrt()
}

#[differentiable]
fn typed_let_constant_loop(x: f64, n: usize) -> f64 {
    let mut acc: f64 = 0.0;
    for _ in 0..n {
        acc += 2.0;
    }
    x * acc.sqrt() + acc.ln_1p()
}

#[test]
fn typed_let_on_a_constant_keeps_its_type() {
    assert_eq!(typed_let_constant_grad(1.5), (typed_let_constant(1.5), 2.0));
    for n in [0usize, 1, 8] {
        let (v, d) = typed_let_constant_loop_grad(1.5, n);
        assert_eq!(v.to_bits(), typed_let_constant_loop(1.5, n).to_bits());
        assert_eq!(d, (2.0 * n as f64).sqrt());
    }
}

/// `f64::from(k)` is the lossless conversion clippy recommends; it is `k as f64`.
#[differentiable]
#[allow(clippy::useless_conversion)]
fn f64_from(x: f64, k: u8, y: f64) -> f64 {
    x * f64::from(k) + f64::from(y) * x
}

#[test]
fn f64_from_is_a_conversion() {
    for (x, k, y) in [(0.7, 3u8, -1.5), (-2.0, 0, 0.25)] {
        let (v, dx, dy) = f64_from_grad(x, k, y);
        assert_eq!(v.to_bits(), f64_from(x, k, y).to_bits());
        assert_close("d/dx", dx, f64::from(k) + y, 1e-15);
        assert_close("d/dy", dy, x, 1e-15);
        fd("f64_from", |p| f64_from(p[0], k, p[1]), &[x, y], &[dx, dy]);
    }
}

// ===== `mut` parameters and `let _` ========================================================

#[differentiable]
fn mut_params(mut x: f64, mut n: usize, xs: &[f64]) -> f64 {
    x *= 2.0;
    let mut s = 0.0;
    while n > 0 {
        s += x.sin() * xs[n % xs.len()];
        x *= 1.1;
        n -= 1;
    }
    s + x * xs.len() as f64
}

#[differentiable]
fn let_underscore(x: f64) -> f64 {
    let _ = x.sin();
    let _unused = x.cos();
    x * 2.0
}

#[test]
fn mut_parameters_are_assignable() {
    let xs = [0.5, -1.5, 2.0];
    for n in [0usize, 1, 4] {
        let x = 0.7;
        let (v, dx, dxs) = mut_params_grad(x, n, &xs);
        assert_eq!(v.to_bits(), mut_params(x, n, &xs).to_bits());
        fd(
            "mut_params",
            |p| mut_params(p[0], n, &p[1..]),
            &[x, xs[0], xs[1], xs[2]],
            &[dx, dxs[0], dxs[1], dxs[2]],
        );
    }
    assert_eq!(let_underscore_grad(1.5), (let_underscore(1.5), 2.0));
}

// ===== user constants flowing into float variables, arrays and if-expressions ==============
// (found by grad-fuzz: the `_graph` companion did not compile)

const START: f64 = 0.5;

#[differentiable]
fn constants_into_floats(x: f64, c: bool) -> f64 {
    let mut v = START;
    v += x;
    let mut h = [0.0; 2];
    h[0] = START;
    h[1] = x * v;
    let t = if c { START } else { x };
    v * t + h[0] + h[1]
}

#[test]
fn user_constants_flow_into_float_variables() {
    for (x, c) in [(0.7, true), (-1.2, false)] {
        let (v, d) = constants_into_floats_grad(x, c);
        assert_eq!(v.to_bits(), constants_into_floats(x, c).to_bits());
        fd(
            "constants_into_floats",
            |p| constants_into_floats(p[0], c),
            &[x],
            &[d],
        );
        let g = constants_into_floats_graph(x, c);
        assert_eq!(g.data().to_bits(), v.to_bits());
    }
}
