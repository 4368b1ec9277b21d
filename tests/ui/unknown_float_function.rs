use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    f64::round_ties_even(x)
}

fn main() {}
