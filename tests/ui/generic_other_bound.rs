use grad::prelude::*;

#[differentiable]
fn f<T: Real + std::fmt::Debug>(x: T) -> T {
    x * x
}

#[differentiable]
fn g<T>(x: T) -> T
where
    T: Real,
    T: Default,
{
    x * x
}

#[differentiable]
fn h<T: grad::Float>(x: T) -> T {
    x * x
}

fn main() {}
