use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let sq = |t: f64| t * t;
    let g = sq;
    g(x)
}

fn main() {}
