use grad::prelude::*;

#[differentiable(jvp, hessian)]
fn f(x: f64, y: f64) -> f64 {
    let t = x % y;
    t * x
}

#[differentiable]
fn g(x: f64) -> [f64; 2] {
    let t = x % 2.0;
    [t, x]
}

fn main() {
    // The bodies are refused, but the wrappers still exist with their signatures, so these
    // lines produce no further error.
    let (v, g1, h): (f64, Vec<f64>, Vec<Vec<f64>>) = f_hessian(1.0, 2.0);
    let (w, d): (f64, f64) = f_jvp(1.0, 2.0, 0.5, 0.5);
    let (u, rows): ([f64; 2], Vec<Vec<f64>>) = g_jacobian(1.0);
    let _ = (v, g1, h, w, d, u, rows);
}
