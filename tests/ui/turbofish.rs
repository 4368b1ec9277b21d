use grad::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    let k = "2".parse::<f64>().unwrap();
    xs.iter().sum::<f64>() * k
}

fn main() {}
