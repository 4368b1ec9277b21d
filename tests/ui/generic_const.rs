use grad::prelude::*;

#[differentiable]
fn f<T: Real, const N: usize>(x: T, w: [T; N]) -> T {
    x * w[0]
}

fn main() {}
