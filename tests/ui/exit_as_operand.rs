#![allow(unreachable_code)]
use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = 2.0 * return x;
    y
}

fn main() {}
