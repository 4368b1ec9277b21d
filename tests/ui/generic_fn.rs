use grad::prelude::*;

// A type parameter that is not a float bounded by `Real`.
#[differentiable]
fn f<T: Copy>(x: f64, _t: T) -> f64 {
    x * x
}

fn main() {}
