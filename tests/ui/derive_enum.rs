use grad::Differentiable;

// An enum has no one shape for its gradient: refused under `enum Params`, pointing to structs.
#[derive(Clone, Differentiable)]
enum Params {
    Line { slope: f64, intercept: f64 },
    Constant(f64),
}

fn main() {}
