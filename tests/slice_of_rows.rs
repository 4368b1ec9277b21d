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

/// A pair potential over positions given as rows, differentiated with respect to them: the
/// gradient is a `Vec<[f64; 2]>`, one row per position.
#[differentiable(jvp, hessian)]
fn soft_pairs(pos: &[[f64; 2]], k: f64) -> f64 {
    let mut e = 0.0;
    for i in 0..pos.len() {
        for j in i + 1..pos.len() {
            let dx = pos[i][0] - pos[j][0];
            let dy = pos[i][1] - pos[j][1];
            let r2 = dx * dx + dy * dy;
            e += k / (1.0 + r2);
        }
    }
    e
}

/// The same over `&Vec<[f64; 2]>`, a differentiable container the other tests check.
#[differentiable]
#[allow(clippy::ptr_arg)]
fn soft_pairs_vec(pos: &Vec<[f64; 2]>, k: f64) -> f64 {
    let mut e = 0.0;
    for i in 0..pos.len() {
        for j in i + 1..pos.len() {
            let dx = pos[i][0] - pos[j][0];
            let dy = pos[i][1] - pos[j][1];
            let r2 = dx * dx + dy * dy;
            e += k / (1.0 + r2);
        }
    }
    e
}

/// Rows in, an array out: `_vjp` and `_jacobian` with a `Vec<[f64; 2]>` gradient.
#[differentiable]
fn centroid(pos: &[[f64; 2]]) -> [f64; 2] {
    let mut c = [0.0, 0.0];
    for p in pos {
        c[0] += p[0] * p[0];
        c[1] += p[0] * p[1];
    }
    c
}

#[test]
fn rows_differentiated_have_a_gradient_per_row() {
    let pos = [[0.0, 0.0], [1.0, 0.5], [-0.5, 1.2], [0.3, -0.7]];
    let k = 1.7;
    let (v, dpos, dk) = soft_pairs_grad(&pos, k);
    let (v2, dpos2, dk2) = soft_pairs_vec_grad(&pos.to_vec(), k);
    assert_eq!(v.to_bits(), soft_pairs(&pos, k).to_bits());
    assert_eq!(v.to_bits(), v2.to_bits());
    assert_eq!(dpos.len(), pos.len());
    for i in 0..pos.len() {
        for c in 0..2 {
            assert_eq!(dpos[i][c].to_bits(), dpos2[i][c].to_bits());
        }
    }
    assert_eq!(dk.to_bits(), dk2.to_bits());
    let flat: Vec<f64> = pos.iter().flatten().copied().chain([k]).collect();
    let g: Vec<f64> = dpos.iter().flatten().copied().chain([dk]).collect();
    let at = |p: &[f64]| {
        let rows: Vec<[f64; 2]> = p[..8].chunks(2).map(|r| [r[0], r[1]]).collect();
        soft_pairs(&rows, p[8])
    };
    central_differences(at, &flat, &g, 1e-7);

    // Second order: the dense Hessian over (pos flattened, k), against differences of `_grad`.
    let (hv, hg, h) = soft_pairs_hessian(&pos, k);
    assert_eq!(hv.to_bits(), v.to_bits());
    for (a, b) in hg.iter().zip(&g) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    let grad_at = |p: &[f64]| {
        let rows: Vec<[f64; 2]> = p[..8].chunks(2).map(|r| [r[0], r[1]]).collect();
        let (_, d, dk) = soft_pairs_grad(&rows, p[8]);
        let mut out: Vec<f64> = d.iter().flatten().copied().collect();
        out.push(dk);
        out
    };
    for col in 0..9 {
        let (mut up, mut down) = (flat.clone(), flat.clone());
        up[col] += 1e-5;
        down[col] -= 1e-5;
        let (gu, gd) = (grad_at(&up), grad_at(&down));
        for row in 0..9 {
            close_to(h[row][col], (gu[row] - gd[row]) / 2e-5, 1e-6);
            assert_eq!(h[row][col].to_bits(), h[col][row].to_bits());
        }
    }
    // `_hvp` with a direction of rows, and `_jvp`, against the dense Hessian and the gradient.
    let vpos = [[0.2, -0.1], [0.0, 0.4], [1.0, 0.3], [-0.6, 0.5]];
    let vk = 0.25;
    let vflat: Vec<f64> = vpos.iter().flatten().copied().chain([vk]).collect();
    let (hv_v, hv_dpos, hv_dk, hv_pos, hv_k) = soft_pairs_hvp(&pos, k, &vpos, vk);
    assert_eq!(hv_v.to_bits(), v.to_bits());
    assert_eq!(hv_dpos, dpos);
    assert_eq!(hv_dk.to_bits(), dk.to_bits());
    let hv_flat: Vec<f64> = hv_pos.iter().flatten().copied().chain([hv_k]).collect();
    for row in 0..9 {
        let expected: f64 = (0..9).map(|c| h[row][c] * vflat[c]).sum();
        close_to(hv_flat[row], expected, 1e-12);
    }
    let (jv, dv) = soft_pairs_jvp(&pos, k, &vpos, vk);
    assert_eq!(jv.to_bits(), v.to_bits());
    let expected: f64 = g.iter().zip(&vflat).map(|(a, b)| a * b).sum();
    close_to(dv, expected, 1e-13);
}

#[test]
fn rows_in_an_array_out() {
    let pos = [[0.5, -1.0], [2.0, 0.25], [-1.5, 3.0]];
    let (value, jac) = centroid_jacobian(&pos);
    assert_eq!(value, centroid(&pos));
    // c0 = Σ x², c1 = Σ x y: row 0 is (2x, 0) per position, row 1 is (y, x).
    for (i, p) in pos.iter().enumerate() {
        assert_eq!(jac[0][2 * i], 2.0 * p[0]);
        assert_eq!(jac[0][2 * i + 1], 0.0);
        assert_eq!(jac[1][2 * i], p[1]);
        assert_eq!(jac[1][2 * i + 1], p[0]);
    }
    let (value, dpos) = centroid_vjp(&pos, [1.0, -2.0]);
    assert_eq!(value, centroid(&pos));
    for (i, p) in pos.iter().enumerate() {
        assert_eq!(dpos[i][0], 2.0 * p[0] - 2.0 * p[1]);
        assert_eq!(dpos[i][1], -2.0 * p[0]);
    }
}

/// Generic rows, differentiated, at `f32` and `f64`. (Second order of a generic function
/// with struct parameters, rows included, is refused: see the README.)
#[differentiable]
fn spread<T: Real>(pos: &[[T; 2]], s: T) -> T {
    let mut acc = T::ZERO;
    for p in pos {
        acc += (p[0] * s).sin() * p[1];
    }
    acc
}

#[test]
fn generic_rows_in_f32_and_f64() {
    let pos = [[0.3f64, 1.5], [-1.0, 0.5]];
    let s = 0.7f64;
    let (v, dpos, ds) = spread_grad(&pos, s);
    assert_eq!(v.to_bits(), spread(&pos, s).to_bits());
    for (i, p) in pos.iter().enumerate() {
        let (x, y) = (p[0], p[1]);
        close_to(dpos[i][0], (x * s).cos() * s * y, 1e-15);
        close_to(dpos[i][1], (x * s).sin(), 1e-15);
    }
    let expected: f64 = pos.iter().map(|p| (p[0] * s).cos() * p[0] * p[1]).sum();
    close_to(ds, expected, 1e-15);
    let pos32 = [[0.3f32, 1.5], [-1.0, 0.5]];
    let (v32, d32, _) = spread_grad(&pos32, 0.7f32);
    assert_eq!(v32.to_bits(), spread(&pos32, 0.7f32).to_bits());
    close_to(d32[1][1] as f64, (-0.7f64).sin(), 1e-6);
}

#[differentiable(wrt(w))]
fn inner_data(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for x in xs {
        s += (w[0] * x[0] + w[1] * x[1]).tanh();
    }
    s
}

#[differentiable]
fn inner_rows(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for x in xs {
        s += (w[0] * x[0] + w[1] * x[1]).tanh();
    }
    s
}

/// Rows passed whole to helpers: one that leaves them out, one that differentiates them.
#[differentiable(wrt(w))]
fn outer_data(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    inner_data(w, xs) * w[0] + inner_rows(w, xs)
}

/// The same with the rows differentiated in the caller: through `inner_rows` they get a
/// gradient, through `inner_data` none (it leaves them out, so they are data there).
#[differentiable]
fn outer_rows(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    inner_rows(w, xs) * w[1]
}

#[test]
fn rows_passed_whole_to_helpers() {
    let w = [0.6, -0.4];
    let xs = [[1.0, 2.0], [-0.5, 0.3], [0.2, -1.1]];
    let (v, dw) = outer_data_grad(&w, &xs);
    assert_eq!(v.to_bits(), outer_data(&w, &xs).to_bits());
    central_differences(|p| outer_data(&[p[0], p[1]], &xs), &w, &dw, 1e-7);
    let (v, dw, dxs) = outer_rows_grad(&w, &xs);
    assert_eq!(v.to_bits(), outer_rows(&w, &xs).to_bits());
    let mut g = dw.to_vec();
    g.extend(dxs.iter().flatten());
    let flat: Vec<f64> = w.iter().chain(xs.iter().flatten()).copied().collect();
    let at = |p: &[f64]| {
        let rows: Vec<[f64; 2]> = p[2..].chunks(2).map(|r| [r[0], r[1]]).collect();
        outer_rows(&[p[0], p[1]], &rows)
    };
    central_differences(at, &flat, &g, 1e-7);
}

#[differentiable]
fn affine_by_value(w: &[f64; 2], x: [f64; 2]) -> f64 {
    w[0] * x[0] - w[1] * x[1]
}

/// Rows copied and passed by value (`f(w, x)` after `let x = xs[i];`, and `f(w, xs[i])`),
/// rows differentiated or data.
#[differentiable]
fn copies_by_value(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        let x = xs[i];
        s += affine_by_value(w, x).sin() + affine_by_value(w, xs[i]) * x[1];
    }
    s
}

#[differentiable(wrt(w))]
fn copies_of_data(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        let x: [f64; 2] = xs[i];
        s += affine_by_value(w, x).sin() + affine_by_value(w, xs[i]) * x[1];
    }
    s
}

#[test]
fn rows_copied_and_passed_by_value() {
    let w = [0.6, -0.4];
    let xs = [[1.0, 2.0], [-0.5, 0.3], [0.2, -1.1]];
    let (v, dw) = copies_of_data_grad(&w, &xs);
    assert_eq!(v.to_bits(), copies_of_data(&w, &xs).to_bits());
    central_differences(|p| copies_of_data(&[p[0], p[1]], &xs), &w, &dw, 1e-7);
    let (v2, dw2, dxs) = copies_by_value_grad(&w, &xs);
    assert_eq!(v2.to_bits(), copies_by_value(&w, &xs).to_bits());
    assert_eq!(v2.to_bits(), v.to_bits());
    let mut g = dw2.to_vec();
    g.extend(dxs.iter().flatten());
    let flat: Vec<f64> = w.iter().chain(xs.iter().flatten()).copied().collect();
    let at = |p: &[f64]| {
        let rows: Vec<[f64; 2]> = p[2..].chunks(2).map(|r| [r[0], r[1]]).collect();
        copies_by_value(&[p[0], p[1]], &rows)
    };
    central_differences(at, &flat, &g, 1e-7);
}
