use grad::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y: f64;
    if x > 0.0 {
        y = x * 2.0;
    } else {
        y = x * x;
    }
    y
}

fn main() {
    assert_eq!(f_grad(3.0), (6.0, 2.0));
    assert_eq!(f_grad(-3.0), (9.0, -6.0));
}
