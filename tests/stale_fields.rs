//! A call reads a field of a `&mut` struct parameter (`dot(&self.w, x)`), and the body writes
//! that field afterwards: the call's pullback, run in the reverse sweep, must see the field as
//! it was at the call (a copy kept by the forward sweep), not as the body left it. Before the
//! fix these gradients were silently wrong (`d_x` read `w` after the write). Checked against
//! closed forms and central differences of the plain function.

#![allow(clippy::needless_range_loop)] // loops written as users write them

mod common;

use common::central_differences;
use grad::prelude::*;

#[derive(Clone, Debug, Differentiable)]
struct S {
    w: Vec<f64>,
    c: f64,
}

#[derive(Clone, Debug, Differentiable)]
struct Two {
    s: S,
    k: f64,
}

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiable]
fn sdot(p: &S, x: &[f64]) -> f64 {
    p.w[0] * x[0] + p.w[1] * x[1] + p.c
}

#[differentiable]
fn bump(h: &mut [f64], k: f64) {
    for i in 0..h.len() {
        h[i] *= k;
    }
}

impl S {
    #[differentiable]
    fn field_then_write(&mut self, x: &[f64]) -> f64 {
        let t = dot(&self.w, x);
        self.w[0] = 5.0;
        t
    }

    #[differentiable]
    fn subslice_then_write(&mut self, x: &[f64]) -> f64 {
        let t = dot(&self.w[..2], x);
        self.w[1] = 5.0;
        t
    }

    #[differentiable]
    fn call_then_mut_call(&mut self, x: &[f64]) -> f64 {
        let t = dot(&self.w, x);
        bump(&mut self.w, 3.0);
        t * self.w[0]
    }

    /// A few gradient steps on the weights between evaluations of the loss.
    #[differentiable]
    fn unrolled_updates(&mut self, x: &[f64], lr: f64) -> f64 {
        let mut total = 0.0;
        for _ in 0..3 {
            let l = dot(&self.w, x);
            total += l * l;
            for i in 0..self.w.len() {
                self.w[i] -= lr * l * x[i];
            }
        }
        total
    }
}

impl S {
    /// Reads its field through a call and never writes it: no copy needed, same gradients.
    #[differentiable]
    fn read_only(&mut self, x: &[f64]) -> f64 {
        let t = dot(&self.w, x);
        t * t + self.c
    }
}

impl Two {
    #[differentiable]
    fn struct_arg_then_write(&mut self, x: &[f64]) -> f64 {
        let t = sdot(&self.s, x);
        self.s.w[0] = 5.0;
        self.s.c = 1.0;
        t * self.k
    }
}

#[differentiable]
fn free_mut_struct(p: &mut S, x: &[f64]) -> f64 {
    let t = dot(&p.w, x);
    p.w[0] = 5.0;
    t
}

const X: [f64; 2] = [2.0, 3.0];

fn s0() -> S {
    S {
        w: vec![0.5, 0.25],
        c: 0.0,
    }
}

#[test]
fn a_field_written_after_a_call_reads_it() {
    let mut s = s0();
    let (v, ds, dx) = s.field_then_write_grad(&X);
    assert_eq!(v, 1.75);
    assert_eq!(ds.w, vec![2.0, 3.0]);
    assert_eq!(dx, vec![0.5, 0.25]);
    let mut s = s0();
    let (_, ds, dx) = s.subslice_then_write_grad(&X);
    assert_eq!((ds.w, dx), (vec![2.0, 3.0], vec![0.5, 0.25]));
    let mut s = s0();
    let (_, ds, dx) = free_mut_struct_grad(&mut s, &X);
    assert_eq!((ds.w, dx), (vec![2.0, 3.0], vec![0.5, 0.25]));
    let mut t = Two { s: s0(), k: 2.0 };
    let (v, dt, dx) = t.struct_arg_then_write_grad(&X);
    assert_eq!(v, 3.5);
    assert_eq!((dt.s.w, dt.s.c, dt.k), (vec![4.0, 6.0], 2.0, 1.75));
    assert_eq!(dx, vec![1.0, 0.5]);
}

#[test]
fn a_field_changed_by_a_mut_call_after_a_call_reads_it() {
    let mut s = s0();
    let (v, ds, dx) = s.call_then_mut_call_grad(&X);
    let t = 1.75;
    assert_eq!(v, t * 1.5);
    // v = (w·x) · 3 w0: d/dw = 3 w0 x + (w·x) 3 e0, d/dx = 3 w0 w.
    assert_eq!(ds.w, vec![1.5 * 2.0 + 3.0 * t, 1.5 * 3.0]);
    assert_eq!(dx, vec![1.5 * 0.5, 1.5 * 0.25]);
}

#[test]
fn weight_updates_between_evaluations_match_central_differences() {
    let base = s0();
    let (x, lr) = (X, 0.05);
    let mut s = base.clone();
    let (v, ds, dx, dlr) = s.unrolled_updates_grad(&x, lr);
    assert_eq!(v.to_bits(), base.clone().unrolled_updates(&x, lr).to_bits());
    let f = |w: &[f64], x: &[f64], lr: f64| {
        let mut q = S {
            w: w.to_vec(),
            c: 0.0,
        };
        q.unrolled_updates(x, lr)
    };
    central_differences(|w| f(w, &x, lr), &base.w, &ds.w, 1e-6);
    central_differences(|xs| f(&base.w, xs, lr), &x, &dx, 1e-6);
    central_differences(|p| f(&base.w, &x, p[0]), &[lr], &[dlr], 1e-6);
}

#[test]
fn a_mut_parameter_the_body_never_writes() {
    let mut s = s0();
    let (v, ds, dx) = s.read_only_grad(&X);
    let t = 1.75;
    assert_eq!(v, t * t);
    assert_eq!((ds.w, ds.c), (vec![2.0 * t * 2.0, 2.0 * t * 3.0], 1.0));
    assert_eq!(dx, vec![2.0 * t * 0.5, 2.0 * t * 0.25]);
}
