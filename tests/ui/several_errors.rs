#![allow(unused)]
// Every refused construct in one function is reported in the same build, each under its own
// tokens (and the user's function and the stub companion are still emitted).
use grad::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let sq = (|t: f64| t * t)(x);
    println!("{}", x);
    let ((a, b), _c) = ((x, y), x);
    let r = x % 2.0;
    let m = match x {
        _ => y,
    };
    let g = x.round_ties_even();
    let u = unsafe { x * 2.0 };
    f64::round_ties_even(x) + y
}

fn main() {}
