use grad::Differentiable;

// A field whose type does not implement `Differentiable` (a user struct without the derive)
// is rustc's trait error, under the field's type, saying how to fix it.
#[derive(Clone)]
struct Config {
    rate: f64,
}

#[derive(Clone, Differentiable)]
struct Model {
    w: Vec<f64>,
    config: Config,
}

fn main() {}
