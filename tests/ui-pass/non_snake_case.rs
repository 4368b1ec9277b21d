//! Companions of functions whose names are not snake case, or whose companion names are not
//! (`f_` → `f__grad`), compile without warnings; snake-case ones carry no `non_snake_case`
//! allowance (`tests/good_citizen.rs` forbids the lint).
#![deny(warnings)]

use grad::prelude::*;

#[allow(non_snake_case)]
#[differentiable]
fn Energy(x: f64) -> f64 {
    x * x
}

#[differentiable]
fn scaled_(x: f64) -> f64 {
    3.0 * x
}

fn main() {
    assert_eq!(Energy_grad(3.0), (9.0, 6.0));
    assert_eq!(scaled__grad(2.0), (6.0, 3.0));
    assert_eq!(Energy_graph(3.0).data(), Energy(3.0));
    assert_eq!(scaled__graph(2.0).data(), scaled_(2.0));
}
