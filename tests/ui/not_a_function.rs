use grad::prelude::*;

#[differentiable]
struct S;

fn main() {}
