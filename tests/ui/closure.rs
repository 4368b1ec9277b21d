use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let sq = |t: f64| {
        return t * t;
    };
    x + sq(x)
}

fn main() {}
