use grad::prelude::*;

#[differentiable]
fn f<T: Real>(x: T, k: i32) -> T {
    x * T::from_f64(k as f64) + T::from_f64(x.to_f64())
}

#[differentiable]
fn g<T: Real>(x: T, k: f64) -> T {
    x * x + T::from_f64(k)
}

fn main() {}
