use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut s = x;
    while let Some(_) = Some(1) {
        s = s * x;
        break;
    }
    s
}

fn main() {}
