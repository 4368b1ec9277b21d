use grad::prelude::*;

// A function returning an array cannot leave a loop early yet: the error is under the first
// exit, a `while` loop's condition included.
#[differentiable]
fn with_while(a: f64, n: usize) -> [f64; 2] {
    let mut o = [0.0; 2];
    let mut k = 0;
    while k < n {
        o[k % 2] += a * a;
        k += 1;
    }
    o
}

#[differentiable]
fn with_break(x: &[f64]) -> Vec<f64> {
    let mut o = vec![0.0; x.len()];
    for i in 0..x.len() {
        if x[i] > 1.0 {
            break;
        }
        o[i] = x[i] * x[i];
    }
    o
}

fn main() {}
