#![allow(unused_variables)]
use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let a: f32 = 1.5;
    let b = x as f32;
    x * 2.0
}

fn main() {}
