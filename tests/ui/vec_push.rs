use grad::prelude::*;

// A `Vec` that grows with `push` is refused with what to write instead.
#[differentiable]
fn squares(x: &[f64]) -> f64 {
    let mut out = Vec::new();
    for i in 0..x.len() {
        out.push(x[i] * x[i]);
    }
    out[0]
}

fn main() {}
