use grad::prelude::*;

#[differentiable]
fn upd(a: &mut [f64], b: &mut [f64], k: f64) {
    for i in 0..a.len() {
        let t = a[i];
        a[i] = a[i] * k + b[i];
        b[i] = t - b[i] * k;
    }
}

#[differentiable]
fn f(x: &[f64], k: f64) -> f64 {
    let mut buf = vec![0.0; x.len()];
    buf.copy_from_slice(x);
    upd(&mut buf[1..3], &mut [0.5, 0.5], k);
    buf[0] + buf[1]
}

fn main() {}
