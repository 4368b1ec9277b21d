//! User names that collide with what generated code might use must not break it.
#![allow(dead_code)]

use grad::prelude::*;

struct Result;
struct Option;
struct Vec;
struct Box;
struct Stack;
struct Default;

#[differentiable]
fn f(x: f64, y: f64, v: &[f64]) -> f64 {
    let grad = x * y;
    let tmp = grad.sin();
    let d_x = tmp + x;
    let mut out = 0.0;
    for i in 0..v.len() {
        out += v[i] * d_x;
    }
    let __grad_v0 = out * y;
    let __grad_s0 = 1.0;
    let d_y = __grad_v0 + __grad_s0;
    d_y
}

fn main() {
    let (x, y) = (0.7, -1.3);
    let v = [1.0, 2.0, 3.0];
    let (val, d_x, d_y, d_v) = f_grad(x, y, &v);
    assert_eq!(val, f(x, y, &v));
    // f = sum(v) * (sin(x y) + x) * y + 1
    let s: f64 = v.iter().sum();
    let c = (x * y).cos();
    let ex = s * (c * y + 1.0) * y;
    let ey = s * ((c * x) * y + (x * y).sin() + x);
    assert!((d_x - ex).abs() < 1e-12, "{d_x} vs {ex}");
    assert!((d_y - ey).abs() < 1e-12, "{d_y} vs {ey}");
    let dv = ((x * y).sin() + x) * y;
    for g in d_v {
        assert!((g - dv).abs() < 1e-12);
    }
}
