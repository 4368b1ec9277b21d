use grad::prelude::*;

// Rows `&[[f64; 2]]` are indexed `m[i][j]` (tests/slice_of_rows.rs); a slice of `Vec`s has no
// gradient type: the error says to take `&Vec<Vec<f64>>`.
#[differentiable]
fn f(m: &[Vec<f64>], i: usize, j: usize) -> f64 {
    m[i][j] * 2.0
}

// A local array of arrays is refused where it is indexed twice.
#[differentiable]
fn g(x: f64) -> f64 {
    let m = [[x, 1.0], [2.0, x]];
    m[0][1] * m[1][1]
}

fn main() {}
