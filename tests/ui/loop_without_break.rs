#![allow(unreachable_code)]
use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut s = x;
    loop {
        s = s * 0.5;
    }
    s
}

fn main() {}
