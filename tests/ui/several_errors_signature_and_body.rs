#![allow(unused)]
// Errors in the signature and in the body of one function are all reported in one build.
use grad::prelude::*;

#[differentiable(wrt(x, z))]
fn f<T>(x: f64, out: &mut [f64], y: &f64) -> f64 {
    let sq = (|t: f64| t * t)(x);
    let r = x % 2.0;
    let m = match x {
        _ => x,
    };
    f64::round_ties_even(x) + r
}

fn main() {}
