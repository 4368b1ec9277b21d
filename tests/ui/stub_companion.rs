use grad::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let t = x % y;
    t * x
}

fn main() {
    // The body of `f` is refused, but `f_grad` still exists with the right signature,
    // so these lines produce no further error.
    let (v, dx, dy): (f64, f64, f64) = f_grad(1.0, 2.0);
    let _ = (v, dx, dy, f(1.0, 2.0));
}
