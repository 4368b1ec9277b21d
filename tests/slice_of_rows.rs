//! Data as a slice of fixed-size rows (`xs: &[[f64; D]]`, the shape of points and samples in
//! Rust), left out of the gradient by `wrt(...)`: read `xs[i][j]`, row by row (`for x in xs`,
//! `xs.iter().zip(ys)`, `let x = &xs[i];`, `let x = xs[i];`), in every companion. Each form is
//! checked against the same loss over a flat slice (`xs[i * D + j]`), whose gradient the other
//! tests check, and against central differences.

#![allow(clippy::needless_range_loop, clippy::explicit_counter_loop)] // as users write them

mod common;

use common::{central_differences, close_to};
use grad::prelude::*;

const D: usize = 3;

/// The reference: the same logistic loss over a flat slice.
#[differentiable(wrt(w, b))]
fn flat(w: &[f64; D], b: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for i in 0..ys.len() {
        let mut z = b;
        for j in 0..D {
            z += w[j] * xs[i * D + j];
        }
        loss += (1.0 + (-ys[i] * z).exp()).ln();
    }
    loss / ys.len() as f64
}

#[differentiable(wrt(w, b), jvp, hessian)]
fn indexed(w: &[f64; D], b: f64, xs: &[[f64; D]], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for i in 0..ys.len() {
        let mut z = b;
        for j in 0..D {
            z += w[j] * xs[i][j];
        }
        loss += (1.0 + (-ys[i] * z).exp()).ln();
    }
    loss / ys.len() as f64
}

#[differentiable(wrt(w, b))]
fn zipped(w: &[f64; D], b: f64, xs: &[[f64; D]], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        let mut z = b;
        for j in 0..D {
            z += w[j] * x[j];
        }
        loss += (1.0 + (-y * z).exp()).ln();
    }
    loss / ys.len() as f64
}

#[differentiable(wrt(w, b))]
fn rows(w: &[f64; D], b: f64, xs: &[[f64; D]], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    let mut i = 0;
    for x in xs {
        let z = b + w[0] * x[0] + w[1] * x[1] + w[2] * x[2];
        loss += (1.0 + (-ys[i] * z).exp()).ln();
        i += 1;
    }
    loss / ys.len() as f64
}

#[differentiable(wrt(w, b))]
fn bound_rows(w: &[f64; D], b: f64, xs: &[[f64; D]], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for i in 0..xs.len() {
        let x = &xs[i];
        let copy: [f64; D] = xs[i];
        let z = b + w[0] * x[0] + w[1] * copy[1] + w[2] * x[2];
        loss += (1.0 + (-ys[i] * z).exp()).ln();
    }
    loss / ys.len() as f64
}

#[differentiable]
fn affine(w: &[f64; D], b: f64, x: &[f64; D]) -> f64 {
    b + w[0] * x[0] + w[1] * x[1] + w[2] * x[2]
}

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// Rows passed to differentiable helpers, as an array and as a slice.
#[differentiable(wrt(w, b))]
fn through_helpers(w: &[f64; D], b: f64, xs: &[[f64; D]], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for i in 0..xs.len() {
        let z = if i % 2 == 0 {
            affine(w, b, &xs[i])
        } else {
            dot(w, &xs[i]) + b
        };
        loss += (1.0 + (-ys[i] * z).exp()).ln();
    }
    loss / ys.len() as f64
}

/// Rows of rows: a batch of 2x2 matrices, each applied to `v`.
#[differentiable(wrt(v))]
fn batch_quadratic(v: [f64; 2], ms: &[[[f64; 2]; 2]]) -> f64 {
    let mut s = 0.0;
    for m in 0..ms.len() {
        for i in 0..2 {
            for j in 0..2 {
                s += v[i] * ms[m][i][j] * v[j];
            }
        }
    }
    s
}

#[differentiable(wrt(w))]
fn in_f32(w: &[f32; 2], xs: &[[f32; 2]]) -> f32 {
    let mut s = 0.0;
    for x in xs {
        s += (w[0] * x[0] - w[1] * x[1]).tanh();
    }
    s
}

fn data() -> (Vec<[f64; D]>, Vec<f64>) {
    let xs: Vec<[f64; D]> = (0..7)
        .map(|i| {
            let t = i as f64;
            [t.sin(), (0.7 * t).cos() - 0.2, 0.1 * t - 0.3]
        })
        .collect();
    let ys = (0..7)
        .map(|i| if i % 3 == 0 { 1.0 } else { -1.0 })
        .collect();
    (xs, ys)
}

const W: [f64; D] = [0.4, -1.3, 0.8];
const B: f64 = 0.25;

#[test]
fn every_row_form_has_the_flat_losss_gradient() {
    let (xs, ys) = data();
    let flat_xs: Vec<f64> = xs.iter().flatten().copied().collect();
    let (v, dw, db) = flat_grad(&W, B, &flat_xs, &ys);
    type Grad = fn(&[f64; D], f64, &[[f64; D]], &[f64]) -> (f64, [f64; D], f64);
    type Plain = fn(&[f64; D], f64, &[[f64; D]], &[f64]) -> f64;
    let forms: [(&str, Grad, Plain); 5] = [
        ("indexed", indexed_grad, indexed),
        ("zipped", zipped_grad, zipped),
        ("rows", rows_grad, rows),
        ("bound_rows", bound_rows_grad, bound_rows),
        ("through_helpers", through_helpers_grad, through_helpers),
    ];
    for (name, grad, plain) in forms {
        let (v2, dw2, db2) = grad(&W, B, &xs, &ys);
        assert_eq!(v2.to_bits(), plain(&W, B, &xs, &ys).to_bits(), "{name}");
        close_to(v2, v, 1e-14);
        for j in 0..D {
            close_to(dw2[j], dw[j], 1e-13);
        }
        close_to(db2, db, 1e-13);
        let mut g = dw2.to_vec();
        g.push(db2);
        central_differences(
            |p| plain(&[p[0], p[1], p[2]], p[3], &xs, &ys),
            &[W[0], W[1], W[2], B],
            &g,
            1e-7,
        );
    }
}

#[test]
fn the_second_order_companions_read_rows_too() {
    let (xs, ys) = data();
    let (v, dw, db) = indexed_grad(&W, B, &xs, &ys);
    let (hv, hg, hh) = indexed_hessian(&W, B, &xs, &ys);
    assert_eq!(hv.to_bits(), v.to_bits());
    assert_eq!(hg.len(), D + 1);
    for j in 0..D {
        assert_eq!(hg[j].to_bits(), dw[j].to_bits());
    }
    assert_eq!(hg[D].to_bits(), db.to_bits());
    // Each Hessian column by central differences of the gradient.
    let grad_at = |p: &[f64]| {
        let (_, dw, db) = indexed_grad(&[p[0], p[1], p[2]], p[3], &xs, &ys);
        [dw[0], dw[1], dw[2], db]
    };
    let p0 = [W[0], W[1], W[2], B];
    for k in 0..=D {
        let (mut up, mut down) = (p0, p0);
        up[k] += 1e-5;
        down[k] -= 1e-5;
        let (gu, gd) = (grad_at(&up), grad_at(&down));
        for r in 0..=D {
            close_to(hh[r][k], (gu[r] - gd[r]) / 2e-5, 1e-7);
            assert_eq!(hh[r][k].to_bits(), hh[k][r].to_bits());
        }
    }
    // The directional derivative along t is the gradient's dot product with t.
    let (t, tb) = ([0.3, -0.1, 0.7], -0.4);
    let (jv, dv) = indexed_jvp(&W, B, &xs, &ys, &t, tb);
    assert_eq!(jv.to_bits(), v.to_bits());
    close_to(
        dv,
        dw[0] * t[0] + dw[1] * t[1] + dw[2] * t[2] + db * tb,
        1e-14,
    );
}

#[test]
fn rows_of_rows_and_f32_rows() {
    let ms = [[[1.0, 2.0], [0.5, -1.0]], [[0.0, 1.5], [-2.0, 3.0]]];
    let v = [0.3, -0.8];
    let (value, dv) = batch_quadratic_grad(v, &ms);
    assert_eq!(value.to_bits(), batch_quadratic(v, &ms).to_bits());
    // d(vᵀ M v)/dv = (M + Mᵀ) v, summed over the batch.
    for i in 0..2 {
        let mut expected = 0.0;
        for m in &ms {
            for j in 0..2 {
                expected += (m[i][j] + m[j][i]) * v[j];
            }
        }
        close_to(dv[i], expected, 1e-14);
    }
    let xs = [[0.5f32, 1.0], [-1.0, 0.25], [2.0, -0.5]];
    let w = [0.7f32, -0.2];
    let (value, dw) = in_f32_grad(&w, &xs);
    assert_eq!(value.to_bits(), in_f32(&w, &xs).to_bits());
    for k in 0..2 {
        let mut expected = 0.0f64;
        for x in &xs {
            let z = (w[0] * x[0] - w[1] * x[1]) as f64;
            let sech2 = 1.0 - z.tanh() * z.tanh();
            expected += sech2 * if k == 0 { x[0] as f64 } else { -(x[1] as f64) };
        }
        close_to(dw[k] as f64, expected, 1e-5);
    }
}
