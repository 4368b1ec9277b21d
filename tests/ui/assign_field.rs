#![allow(unused)]
use grad::prelude::*;

struct Stats {
    last: f64,
}

#[differentiable]
fn f(x: f64, mut stats: Stats) -> f64 {
    stats.last = x;
    x * x
}

fn main() {}
