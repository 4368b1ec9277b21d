#![allow(unused_variables)]
use grad::prelude::*;

#[differentiable(wrt(x, z), order = 2)]
fn f<T>(x: f64, y: f32, out: &mut [f64]) -> f64 {
    x * 2.0
}

fn main() {}
