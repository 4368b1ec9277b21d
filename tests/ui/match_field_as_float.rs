use grad::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Act {
    Relu,
    Tanh,
}

#[derive(Clone, Differentiable)]
pub struct Layer {
    pub w: f64,
    #[grad(skip)]
    pub act: Act,
}

impl Layer {
    #[differentiable]
    pub fn out(&self, x: f64) -> f64 {
        let z = self.w * x;
        let act = self.act;
        match act {
            Act::Relu => z.max(0.0),
            Act::Tanh => z.tanh(),
        }
    }
}

fn main() {}
