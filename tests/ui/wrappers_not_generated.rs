// `jvp` / `hessian` on a function with a `&mut` parameter, or returning `()` or an array,
// generate its twins (for callers with `jvp` / `hessian`) but not the wrappers: a call of one
// is an error saying why, not rustc's "cannot find function".
use grad::prelude::*;

#[differentiable(jvp, hessian)]
fn fill_and_sum(x: &[f64], buf: &mut [f64]) -> f64 {
    for i in 0..x.len() {
        buf[i] = x[i] * x[i];
    }
    buf[0] * x[0]
}

#[differentiable(hessian)]
fn twice(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v * 2.0).collect()
}

fn main() {
    let x = [0.5, 2.0];
    let mut buf = [0.0; 2];
    let _ = fill_and_sum_grad(&x, &mut buf);
    let _ = fill_and_sum_jvp(&x, &mut buf, &[1.0, 0.0], &[0.0, 0.0]);
    let _ = fill_and_sum_hessian(&x, &mut buf);
    let _ = twice_hvp(&x, &[1.0, 0.0]);
}
