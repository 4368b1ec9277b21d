// A method of the user's named `len` returning a float: grad reads `.len()` on a struct as a
// length (an integer), so float arithmetic on it is refused rather than differentiated as a
// constant.
use grad::prelude::*;

#[derive(Clone, Debug, Differentiable)]
struct V3 {
    x: f64,
    y: f64,
    z: f64,
}

impl V3 {
    #[differentiable]
    fn len(&self) -> f64 {
        (self.x * self.x + self.y * self.y + self.z * self.z).sqrt()
    }
}

#[differentiable]
fn scaled(v: &V3, k: f64) -> f64 {
    v.len() * k
}

fn main() {}
