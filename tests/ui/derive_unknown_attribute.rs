use grad::Differentiable;

// A misspelt or unknown `#[grad(...)]` is refused under the word, with what is accepted; on
// the struct itself it is refused too (it belongs on a field).
#[derive(Clone, Differentiable)]
#[grad(skip)]
struct Model {
    w: Vec<f64>,
    #[grad(nonsense)]
    temperature: f64,
    #[grad(skip = true)]
    seed: u64,
}

fn main() {}
