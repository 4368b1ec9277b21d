// A trait of the user's with its own `relu` on `f64` (a leaky one): the plain function calls
// it, so differentiating `x.relu()` as grad's would be wrong. rustc refuses the call as
// ambiguous in the generated code, under the user's tokens.
use grad::differentiable;

trait Leaky {
    fn relu(self) -> f64;
}

impl Leaky for f64 {
    fn relu(self) -> f64 {
        if self > 0.0 {
            self
        } else {
            0.01 * self
        }
    }
}

#[differentiable]
fn act(x: f64) -> f64 {
    x.relu() * 3.0
}

fn main() {}
