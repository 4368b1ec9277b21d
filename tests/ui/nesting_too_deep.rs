// Control flow nested deeper than rustc's parser can take in the generated code (a loop
// counts five levels, and the limit is 256) is refused, under the expression where the limit
// is passed, instead of crashing rustc.
use grad::prelude::*;

#[differentiable]
fn deep(x: f64) -> f64 {
    let mut s = x;
    for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { for _ in 0..1 { 
    s = s * 1.01 + x;
    }}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}
    s
}

fn main() {}
