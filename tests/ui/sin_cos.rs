#![allow(unused_variables)]
use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let sc = x.sin_cos();
    x
}

fn main() {}
