//! Programs as people write them (issue 12): iterator chains and closures, array values,
//! constants and items. Every function is checked at several points: the value bit for bit
//! against the plain function, the gradient against central differences and, where a tape
//! version is written, against the tape engine. Empty slices and zero-trip chains included.
// `;;` and a trailing `if c { return a; } else { return b; }` are forms under test.
#![allow(redundant_semicolons, clippy::needless_return)]

mod common;

use grad::prelude::*;
use grad::tape::Value;

use common::check_point as check;

/// Points of several lengths, including the empty slice.
fn points() -> Vec<Vec<f64>> {
    vec![
        vec![],
        vec![0.7],
        vec![1.3, -0.4],
        vec![0.5, 1.5, -2.0, 0.25, 3.0],
        vec![-1.1, 0.3, 2.2, -0.7, 0.9, 1.4, -0.2],
    ]
}

fn tape_sum(xs: impl Iterator<Item = Value>) -> Value {
    xs.fold(Value::new(-0.0), |a, b| a + b)
}

// ===== sum, product, map, zip ================================================================

#[differentiable]
fn sum_squares(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>()
}

#[differentiable]
fn sum_plain(x: &[f64]) -> f64 {
    let s: f64 = x.iter().sum();
    s * 2.0
}

#[differentiable]
fn product_copied(x: &[f64]) -> f64 {
    x.iter().copied().product::<f64>()
}

#[test]
fn sum_and_product() {
    for x in points() {
        check(
            "sum_squares",
            &x,
            sum_squares_grad(&x),
            sum_squares,
            Some(&|t: &[Value]| tape_sum(t.iter().map(|v| v * v))),
            true,
        );
        check(
            "sum_plain",
            &x,
            sum_plain_grad(&x),
            sum_plain,
            Some(&|t: &[Value]| tape_sum(t.iter().cloned()) * 2.0),
            true,
        );
        check(
            "product_copied",
            &x,
            product_copied_grad(&x),
            product_copied,
            Some(&|t: &[Value]| t.iter().fold(Value::new(1.0), |a, b| a * b)),
            true,
        );
    }
    // Empty: std's sum of floats is -0.0, its product 1.0.
    assert!(sum_squares_grad(&[]).0.is_sign_negative());
    assert_eq!(product_copied_grad(&[]).0, 1.0);
}

#[differentiable]
fn cross_entropy(ygold: &[f64], ypred: &[f64]) -> f64 {
    let mx = ypred.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lse = ypred.iter().map(|y| (y - mx).exp()).sum::<f64>().ln() + mx;
    ygold
        .iter()
        .zip(ypred)
        .map(|(g, y)| g * (y - lse))
        .sum::<f64>()
}

fn cross_entropy_tape(x: &[Value]) -> Value {
    let n = x.len() / 2;
    let (ygold, ypred) = (&x[..n], &x[n..]);
    let mut mx = Value::new(f64::NEG_INFINITY);
    for y in ypred {
        mx = mx.max(y);
    }
    let lse = tape_sum(ypred.iter().map(|y| (y - &mx).exp())).ln() + &mx;
    tape_sum(ygold.iter().zip(ypred).map(|(g, y)| g * (y - &lse)))
}

fn cross_entropy_flat(x: &[f64]) -> f64 {
    let n = x.len() / 2;
    cross_entropy(&x[..n], &x[n..])
}

#[test]
fn zip_map_sum_fold_max() {
    for x in [
        vec![0.2, 0.5, 0.3, 1.0, -0.5, 2.0],
        vec![1.0, 0.0, 0.3, 0.4],
        vec![],
    ] {
        let n = x.len() / 2;
        let (v, g, p) = cross_entropy_grad(&x[..n], &x[n..]);
        let grad: Vec<f64> = g.into_iter().chain(p).collect();
        check(
            "cross_entropy",
            &x,
            (v, grad),
            cross_entropy_flat,
            Some(&cross_entropy_tape),
            n > 0,
        );
    }
}

#[differentiable]
fn dot_zip(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b.iter()) {
        s += x * y;
    }
    s + a.iter().zip(b).map(|(&x, &y)| x - y).sum::<f64>()
}

#[test]
fn zip_of_unequal_lengths_stops_at_the_shorter() {
    let a = [1.0, 2.0, 3.0, 4.0];
    let b = [0.5, -1.5];
    let (v, da, db) = dot_zip_grad(&a, &b);
    assert_eq!(v.to_bits(), dot_zip(&a, &b).to_bits());
    assert_eq!(da, vec![1.5, -0.5, 0.0, 0.0]);
    assert_eq!(db, vec![0.0, 1.0]);
    for (a, b) in [(vec![], vec![1.0]), (vec![0.3, 0.2], vec![0.9, -0.1, 4.0])] {
        let mut x = a.clone();
        x.extend(&b);
        let na = a.len();
        let (v, da, db) = dot_zip_grad(&a, &b);
        check(
            "dot_zip",
            &x,
            (v, da.into_iter().chain(db).collect()),
            |x| dot_zip(&x[..na], &x[na..]),
            None,
            true,
        );
    }
}

// ===== positional adapters, enumerate, filter ================================================

#[differentiable]
fn positional(x: &[f64]) -> f64 {
    let a = x
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &v)| (i as f64 + 1.0) * v)
        .sum::<f64>();
    let b = x.iter().skip(1).step_by(2).map(|v| v.sin()).sum::<f64>();
    let c = x
        .iter()
        .take(3)
        .rev()
        .skip(1)
        .fold(0.5, |acc, &v| acc * v + 1.0);
    let d: f64 = x
        .iter()
        .zip(x.iter().skip(1))
        .map(|(p, q)| (q - p) * (q - p))
        .sum();
    a + b + c + d
}

fn positional_tape(x: &[Value]) -> Value {
    let n = x.len();
    let a = tape_sum(
        x.iter()
            .rev()
            .enumerate()
            .map(|(i, v)| (i as f64 + 1.0) * v),
    );
    let b = tape_sum(x.iter().skip(1).step_by(2).map(|v| v.sin()));
    let c = x
        .iter()
        .take(3)
        .rev()
        .skip(1)
        .fold(Value::new(0.5), |acc, v| acc * v + 1.0);
    let d = tape_sum((0..n.saturating_sub(1)).map(|i| {
        let e = &x[i + 1] - &x[i];
        &e * &e
    }));
    a + b + c + d
}

#[differentiable]
fn filtered(x: &[f64]) -> f64 {
    let pos = x.iter().filter(|&&v| v > 0.0).map(|v| v.ln()).sum::<f64>();
    let n = x.iter().filter(|v| **v < 0.0).count();
    let mut s = pos + n as f64;
    for (i, v) in x.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        s += v * i as f64;
    }
    s
}

fn filtered_tape(x: &[Value]) -> Value {
    let pos = tape_sum(x.iter().filter(|v| v.data() > 0.0).map(|v| v.ln()));
    let n = x.iter().filter(|v| v.data() < 0.0).count();
    let mut s = pos + n as f64;
    for (i, v) in x.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        s += v * i as f64;
    }
    s
}

#[test]
fn positional_and_filtered_chains() {
    for x in points() {
        check(
            "positional",
            &x,
            positional_grad(&x),
            positional,
            Some(&positional_tape),
            true,
        );
        check(
            "filtered",
            &x,
            filtered_grad(&x),
            filtered,
            Some(&filtered_tape),
            true,
        );
    }
}

// ===== ranges, for loops over chains, for_each ===============================================

#[differentiable]
fn over_ranges(x: &[f64], n: usize) -> f64 {
    let a = (0..n).map(|i| x[i] * x[i]).sum::<f64>();
    let b = (1..=n)
        .rev()
        .step_by(2)
        .map(|i| x[i - 1] / i as f64)
        .sum::<f64>();
    let mut c = 0.0;
    for (i, v) in (0..n).zip(x.iter()) {
        c += v * (i as f64);
    }
    (0..n).skip(1).take(2).for_each(|i| c += x[i].cos());
    let mut d = 1.0;
    x.iter().for_each(|&v| {
        d *= 1.0 + v * v;
    });
    a + b + c + d.ln()
}

fn over_ranges_tape(x: &[Value], n: usize) -> Value {
    let a = tape_sum((0..n).map(|i| &x[i] * &x[i]));
    let b = tape_sum((1..=n).rev().step_by(2).map(|i| &x[i - 1] / i as f64));
    let mut c = Value::new(0.0);
    for (i, v) in (0..n).zip(x.iter()) {
        c += v * (i as f64);
    }
    for i in (0..n).skip(1).take(2) {
        c += x[i].cos();
    }
    let mut d = Value::new(1.0);
    for v in x {
        d *= 1.0 + v * v;
    }
    a + b + c + d.ln()
}

#[test]
fn range_chains() {
    for x in points() {
        for n in 0..=x.len() {
            check(
                &format!("over_ranges n={n}"),
                &x,
                over_ranges_grad(&x, n),
                |x| over_ranges(x, n),
                Some(&|t: &[Value]| over_ranges_tape(t, n)),
                true,
            );
        }
    }
}

// ===== windows, chunks, chunks_exact =========================================================

#[differentiable]
fn slices(x: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for w in x.windows(2) {
        s += (w[1] - w[0]).powi(2);
    }
    let tv = x
        .windows(3)
        .map(|w| w[0] * w[w.len() - 1] + w[1])
        .sum::<f64>();
    for c in x.chunks(k) {
        let m = c.iter().sum::<f64>() / c.len() as f64;
        s += m * m;
    }
    let e = x
        .chunks_exact(k)
        .enumerate()
        .map(|(j, c)| c.iter().map(|v| v * j as f64).sum::<f64>())
        .sum::<f64>();
    s + tv + e
}

fn slices_tape(x: &[Value], k: usize) -> Value {
    let mut s = Value::new(0.0);
    for w in x.windows(2) {
        s += (&w[1] - &w[0]).powi(2);
    }
    let tv = tape_sum(x.windows(3).map(|w| &w[0] * &w[w.len() - 1] + &w[1]));
    for c in x.chunks(k) {
        let m = tape_sum(c.iter().cloned()) / c.len() as f64;
        s += &m * &m;
    }
    let e = tape_sum(
        x.chunks_exact(k)
            .enumerate()
            .map(|(j, c)| tape_sum(c.iter().map(|v| v * j as f64))),
    );
    s + tv + e
}

#[test]
fn windows_and_chunks() {
    for x in points() {
        for k in 1..=3 {
            check(
                &format!("slices k={k}"),
                &x,
                slices_grad(&x, k),
                |x| slices(x, k),
                Some(&|t: &[Value]| slices_tape(t, k)),
                true,
            );
        }
    }
}

// ===== max_by, min_by, count, all, any, position =============================================

#[differentiable]
fn extremes(x: &[f64]) -> f64 {
    let hi = x.iter().max_by(|a, b| a.total_cmp(b)).copied().unwrap();
    let lo = *x.iter().min_by(|a, b| a.total_cmp(b)).unwrap();
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let q = x.iter().map(|v| v * v).fold(f64::INFINITY, f64::min);
    let p = *x.iter().max_by(|a, b| a.partial_cmp(b).unwrap()).unwrap();
    let r = x
        .iter()
        .copied()
        .min_by(|a, b| b.partial_cmp(a).unwrap())
        .unwrap();
    hi * 2.0 + lo + m * q + 0.5 * p + 0.25 * r
}

#[differentiable]
fn searches(x: &[f64], t: f64) -> f64 {
    let all = x.iter().all(|&v| v > t);
    let any = x.iter().any(|v| *v > 2.0 * t);
    let p = x.iter().position(|&v| v > t).unwrap_or(0);
    let c = (0..x.len()).filter(|&i| x[i] > t).count();
    let mut s = t * c as f64;
    if all {
        s += x[0];
    }
    if any {
        s += t * t;
    }
    s + x[p] * 3.0
}

#[test]
fn extremes_and_searches() {
    for x in [
        vec![0.7],
        vec![1.3, -0.4],
        vec![0.5, 1.5, -2.0, 0.25, 3.0],
        vec![-1.1, 0.3, 2.2, -0.7, 0.9, 1.4, -0.2],
    ] {
        check("extremes", &x, extremes_grad(&x), extremes, None, true);
        for t in [-3.0, 0.1, 1.0, 5.0] {
            let (v, g, gt) = searches_grad(&x, t);
            let mut p = x.clone();
            p.push(t);
            let mut grad = g;
            grad.push(gt);
            check(
                &format!("searches t={t}"),
                &p,
                (v, grad),
                |p| searches(&p[..p.len() - 1], p[p.len() - 1]),
                None,
                true,
            );
        }
    }
}

#[test]
fn max_by_keeps_the_last_maximum_and_min_by_the_first_minimum() {
    // Ties: the gradient goes to the element std returns.
    let x = [1.0, 3.0, 3.0, -2.0, -2.0];
    let (v, g) = extremes_grad(&x);
    assert_eq!(v.to_bits(), extremes(&x).to_bits());
    // hi = x[2] (last of the two maxima), lo = x[3] (first of the two minima); `f64::max`
    // keeps its receiver on ties (its own rule), so m = x[1]; min of squares q = x[0]^2.
    // p (partial_cmp max_by) is x[2] too; r (min_by with the comparison flipped: the first
    // maximum) is x[1].
    assert_eq!(g[2], 2.0 + 0.5);
    assert_eq!(g[1], 1.0 + 0.25);
    assert_eq!(g[0], 3.0 * 2.0 * 1.0);
    assert_eq!(g[3], 1.0);
    assert_eq!(g[4], 0.0);
    // Signed zeros and NaN are ordered by total_cmp, as std does.
    for x in [[0.0, -0.0], [-0.0, 0.0]] {
        assert_eq!(extremes_grad(&x).0.to_bits(), extremes(&x).to_bits());
    }
}

#[differentiable]
fn partial_extremes(x: &[f64]) -> f64 {
    let hi = x
        .iter()
        .max_by(|a, b| a.partial_cmp(b).unwrap())
        .copied()
        .unwrap();
    let lo = *x.iter().min_by(|a, b| a.partial_cmp(b).unwrap()).unwrap();
    hi * 2.0 + lo
}

#[test]
fn partial_cmp_ties_follow_std() {
    // Ties between -0.0 and 0.0 are equal under partial_cmp: max_by keeps the last, min_by
    // the first; the value's sign bit shows which.
    for x in [[0.0, -0.0], [-0.0, 0.0]] {
        assert_eq!(
            partial_extremes_grad(&x).0.to_bits(),
            partial_extremes(&x).to_bits()
        );
    }
    let x = [1.0, 3.0, 3.0, -2.0, -2.0];
    let (v, g) = partial_extremes_grad(&x);
    assert_eq!(v.to_bits(), partial_extremes(&x).to_bits());
    assert_eq!(g, vec![0.0, 0.0, 2.0, 1.0, 0.0]);
}

// ===== closures bound to locals, iter_mut ====================================================

#[differentiable]
fn local_closures(a: f64, b: f64) -> f64 {
    let k = 3.0;
    let f = |t: f64| t * t;
    let g = |x: f64, y: f64| -> f64 { x * k + f(y) };
    let mut h = [0.0; 3];
    for (i, e) in h.iter_mut().enumerate() {
        *e = g(a, b) * i as f64;
    }
    for e in h.iter_mut() {
        *e += f(a);
    }
    let by_name = [a, b].iter().copied().map(f).sum::<f64>();
    f(a) + f(b) + g(b, a) + h.iter().sum::<f64>() + by_name
}

fn local_closures_tape(x: &[Value]) -> Value {
    let (a, b) = (&x[0], &x[1]);
    let f = |t: &Value| t * t;
    let g = |x: &Value, y: &Value| x * 3.0 + f(y);
    let mut h = [Value::new(0.0), Value::new(0.0), Value::new(0.0)];
    for (i, e) in h.iter_mut().enumerate() {
        *e = g(a, b) * i as f64;
    }
    for e in h.iter_mut() {
        *e = &*e + f(a);
    }
    let by_name = tape_sum([a, b].into_iter().map(f));
    f(a) + f(b) + g(b, a) + tape_sum(h.into_iter()) + by_name
}

#[test]
fn closures_bound_to_locals() {
    for (a, b) in [(0.5, -1.5), (2.0, 0.25), (-0.3, 0.0)] {
        let (v, da, db) = local_closures_grad(a, b);
        check(
            "local_closures",
            &[a, b],
            (v, vec![da, db]),
            |x| local_closures(x[0], x[1]),
            Some(&local_closures_tape),
            true,
        );
    }
}

// ===== array values ==========================================================================

/// One RK4-style step over a state array: literals, destructuring, copies, reassignment.
#[differentiable]
fn rk4ish(s0: [f64; 4], h: f64) -> f64 {
    let mut s = s0;
    let prev = s;
    for _ in 0..3 {
        let [x, y, vx, vy] = s;
        let k = [vx, vy, -x * 0.5, -y - 0.1 * vy];
        let mut next = [0.0; 4];
        for i in 0..4 {
            next[i] = s[i] + h * k[i];
        }
        s = next;
    }
    let mut t = s;
    t.swap(0, 3);
    t[1] *= 2.0;
    let lit = [t[0], 4.0, prev[2], ONE];
    let mut acc = 0.0;
    for v in [t[0], 4.0, h] {
        acc += v * lit[0];
    }
    acc + t.iter().sum::<f64>() + prev[0] * s[1] + lit[3]
}

const ONE: f64 = 1.0;

fn rk4ish_tape(p: &[Value]) -> Value {
    let h = &p[4];
    let mut s: Vec<Value> = p[..4].to_vec();
    let prev = s.clone();
    for _ in 0..3 {
        let (x, y, vx, vy) = (s[0].clone(), s[1].clone(), s[2].clone(), s[3].clone());
        let k = [vx, vy.clone(), -(&x) * 0.5, -(&y) - 0.1 * &vy];
        let next: Vec<Value> = (0..4).map(|i| &s[i] + h * &k[i]).collect();
        s = next;
    }
    let mut t = s.clone();
    t.swap(0, 3);
    t[1] = &t[1] * 2.0;
    let lit0 = t[0].clone();
    let mut acc = Value::new(0.0);
    for v in [t[0].clone(), Value::new(4.0), h.clone()] {
        acc += v * &lit0;
    }
    acc + tape_sum(t.into_iter()) + &prev[0] * &s[1] + 1.0
}

#[test]
fn array_values() {
    for p in [
        [0.5, -1.0, 0.3, 0.8, 0.1],
        [1.5, 0.2, -0.7, 0.0, 0.05],
        [-0.4, 2.0, 1.1, -1.3, 0.3],
    ] {
        let s0 = [p[0], p[1], p[2], p[3]];
        let (v, ds, dh) = rk4ish_grad(s0, p[4]);
        let mut g = ds.to_vec();
        g.push(dh);
        check(
            "rk4ish",
            &p,
            (v, g),
            |p| rk4ish([p[0], p[1], p[2], p[3]], p[4]),
            Some(&rk4ish_tape),
            true,
        );
    }
}

#[differentiable]
fn vec_values(x: &[f64], w: f64) -> f64 {
    let mut v = x.to_vec();
    let c = v.clone();
    v.fill(w);
    let mut u = [0.0; 3];
    u.copy_from_slice(&[w, 2.0 * w, x.len() as f64]);
    let r = &c;
    let q = &w;
    let mut s = *q;
    for i in 0..v.len() {
        s += v[i] * r[i];
    }
    let mut z = [1.0, 2.0, 3.0];
    let z0 = z[0];
    z = u;
    s + z[0] * z[1] + u[2] + z0
}

fn vec_values_tape(p: &[Value]) -> Value {
    let (x, w) = (&p[..p.len() - 1], &p[p.len() - 1]);
    let mut s = w.clone();
    for xi in x {
        s += w * xi;
    }
    s + w * (2.0 * w) + x.len() as f64 + 1.0
}

#[test]
fn vec_copies_fill_copy_from_slice_references() {
    for x in points() {
        for w in [0.5, -1.25] {
            let (v, g, gw) = vec_values_grad(&x, w);
            let mut p = x.clone();
            p.push(w);
            let mut grad = g;
            grad.push(gw);
            check(
                "vec_values",
                &p,
                (v, grad),
                |p| vec_values(&p[..p.len() - 1], p[p.len() - 1]),
                Some(&vec_values_tape),
                true,
            );
        }
    }
}

// ===== constants and items ===================================================================

const WEIGHTS: [f64; 5] = [0.5, -1.0, 2.0, 0.25, 3.0];

#[differentiable]
fn constants_and_items(x: &[f64], k: usize) -> f64 {
    const SCALE: f64 = 1.5;
    static OFFSETS: [f64; 3] = [0.1, 0.2, 0.3];;
    let mut s = 0.0;
    for i in 0..x.len() {
        s += WEIGHTS[(i + k) % 5] * x[i] * SCALE + OFFSETS[i % 3];
    }
    if s > 1.0 {
        return s * 2.0;
    } else {
        return s - WEIGHTS[k % 5];
    }
}

fn constants_and_items_tape(x: &[Value], k: usize) -> Value {
    let offsets = [0.1, 0.2, 0.3];
    let mut s = Value::new(0.0);
    for (i, xi) in x.iter().enumerate() {
        s += WEIGHTS[(i + k) % 5] * xi * 1.5 + offsets[i % 3];
    }
    if s.data() > 1.0 {
        s * 2.0
    } else {
        s - WEIGHTS[k % 5]
    }
}

#[test]
fn const_arrays_items_and_trailing_if_return() {
    for x in points() {
        for k in [0usize, 3, 7] {
            check(
                &format!("constants_and_items k={k}"),
                &x,
                constants_and_items_grad(&x, k),
                |x| constants_and_items(x, k),
                Some(&|t: &[Value]| constants_and_items_tape(t, k)),
                true,
            );
        }
    }
}

// ===== more chain sources: constant arrays, views, iter_mut with for_each, move closures =====

const TABLE: [f64; 4] = [1.0, -0.5, 0.25, 2.0];

#[differentiable]
fn sources(x: &[f64], t: f64) -> f64 {
    let a = TABLE.iter().zip(x).map(|(w, v)| w * v).sum::<f64>();
    let mut b = 0.0;
    for &w in TABLE.iter().rev() {
        b = b * t + w;
    }
    for &w in &TABLE {
        b += w;
    }
    let mut h = [0.0; 4];
    h.iter_mut()
        .enumerate()
        .for_each(|(i, e)| *e = t * i as f64);
    h.iter_mut().for_each(|e| *e *= t);
    let mut c = 0.0;
    for w in x.windows(2) {
        for &v in w {
            c += v * w.len() as f64;
        }
        c += w.iter().map(|q| q * q).sum::<f64>();
    }
    let r = &t;
    let mut s = 2.0;
    let f = move |y: f64| y * s;
    s = 3.0;
    let g = |y: f64| y * s;
    let p = x.iter().position(|&v| v > 0.0).unwrap_or(0);
    let q = x
        .iter()
        .map(|v| v.abs())
        .position(|v| v > 10.0)
        .unwrap_or(7);
    a + b + c + h.iter().sum::<f64>() + f(*r) + g(*r) + p as f64 + q as f64
}

#[test]
fn constant_arrays_views_iter_mut_move_closures() {
    for x in points() {
        for t in [0.5, -1.5] {
            let (v, g, gt) = sources_grad(&x, t);
            let mut p = x.clone();
            p.push(t);
            let mut grad = g;
            grad.push(gt);
            check(
                "sources",
                &p,
                (v, grad),
                |p| sources(&p[..p.len() - 1], p[p.len() - 1]),
                None,
                true,
            );
        }
    }
}

#[differentiable]
fn integer_sums(x: &[f64]) -> f64 {
    let n: usize = x.iter().map(|&v| if v > 0.0 { 2 } else { 1 }).sum();
    let m = (1..4).map(|i| i * 3).product::<i32>();
    let total = x
        .iter()
        .fold(0usize, |c, &v| c + if v < 0.0 { 1 } else { 0 });
    x.iter().map(|v| v * n as f64).sum::<f64>() + f64::from(m) + total as f64
}

#[test]
fn sums_of_integers_start_from_integer_zero() {
    for x in points() {
        check(
            "integer_sums",
            &x,
            integer_sums_grad(&x),
            integer_sums,
            None,
            true,
        );
    }
}

#[test]
fn graphs_of_chains_have_the_plain_value() {
    for x in points() {
        let same = |g: f64, p: f64| assert_eq!(g.to_bits(), p.to_bits(), "at {x:?}");
        same(sum_squares_graph(&x).data(), sum_squares(&x));
        same(positional_graph(&x).data(), positional(&x));
        same(filtered_graph(&x).data(), filtered(&x));
        same(slices_graph(&x, 2).data(), slices(&x, 2));
        same(integer_sums_graph(&x).data(), integer_sums(&x));
        same(sources_graph(&x, 0.5).data(), sources(&x, 0.5));
        same(vec_values_graph(&x, 0.5).data(), vec_values(&x, 0.5));
        same(
            constants_and_items_graph(&x, 3).data(),
            constants_and_items(&x, 3),
        );
        if !x.is_empty() {
            same(extremes_graph(&x).data(), extremes(&x));
            same(searches_graph(&x, 0.1).data(), searches(&x, 0.1));
        }
    }
    let s0 = [0.5, -1.0, 0.3, 0.8];
    assert_eq!(
        rk4ish_graph(s0, 0.1).data().to_bits(),
        rk4ish(s0, 0.1).to_bits()
    );
}

const STRIDE: usize = 2;

#[differentiable]
fn integer_literals(x: &[f64]) -> f64 {
    let idx = [0, STRIDE, 1];
    let mut s = 0.0;
    for &i in idx.iter() {
        if i < x.len() {
            s += x[i] * (i + 1) as f64;
        }
    }
    let [a, b] = [s, 2.0];
    a * b
}

#[test]
fn integer_array_literals_with_constants() {
    for x in points() {
        check(
            "integer_literals",
            &x,
            integer_literals_grad(&x),
            integer_literals,
            None,
            true,
        );
    }
}
