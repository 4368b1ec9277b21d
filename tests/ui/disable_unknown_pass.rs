use grad::differentiable;

// A misspelt pass name is refused under the name, with the list of passes.
#[differentiable(disable(cse, fusion))]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
