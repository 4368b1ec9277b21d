use grad::prelude::*;

#[derive(Clone, Differentiable)]
struct P {
    w: Vec<f64>,
}

impl P {
    #[differentiable(hessian)]
    fn method(&mut self, x: f64) -> f64 {
        self.w[0] * x * x
    }
}

#[differentiable(hessian)]
fn array_valued(x: f64) -> [f64; 2] {
    [x * x, x.sin()]
}

#[differentiable(jvp, nonsense)]
fn unknown_argument(x: f64) -> f64 {
    x
}

// `jvp` with a struct goes through the gradient: a float result, the struct not `&mut`.
#[differentiable(jvp)]
fn struct_array_result(p: &P, x: f64) -> [f64; 2] {
    [p.w[0] * x, x]
}

#[differentiable(jvp)]
fn struct_by_mut(p: &mut P, x: f64) -> f64 {
    p.w[0] * x
}

#[derive(Clone, Differentiable)]
struct G<T: Real> {
    a: T,
}

// `hessian` of a generic function instantiates it at dual numbers; a struct of `T` cannot
// carry its tangent there.
#[differentiable(hessian)]
fn generic_struct<T: Real>(p: &G<T>, x: T) -> T {
    p.a * x * x
}

fn main() {}
