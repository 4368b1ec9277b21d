use grad::prelude::*;

#[differentiable]
fn f<T: Real, U: Real>(x: T, y: U) -> T {
    let _ = y;
    x * x
}

fn main() {}
