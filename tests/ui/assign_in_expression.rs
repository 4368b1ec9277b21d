#![allow(unused)]
use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut s = 0.0;
    let a = (s = x);
    let b = (s += x);
    s
}

fn main() {}
