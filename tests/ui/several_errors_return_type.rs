#![allow(unused)]
// Without a float return type the body is still checked: every error is reported at once.
use grad::prelude::*;

#[differentiable]
fn f(x: f32, y: f32) -> (f32, f32) {
    let s = x.fract();
    let v = vec![x, y];
    (s, y)
}

fn main() {}
