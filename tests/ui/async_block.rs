#![allow(unused)]
use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = async { x };
    x * x
}

fn main() {}
