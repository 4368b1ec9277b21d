use grad::prelude::*;

// A `Vec` cannot be assigned as a whole (its length could change); `[T; N]` locals can.
#[differentiable]
fn f(xs: &[f64]) -> f64 {
    let mut ys = vec![0.0; 2];
    ys = xs.to_vec();
    ys[0]
}

fn main() {}
