//! Deep graphs: backward, zero_grad and drop are iterative, so a chain of a million operations
//! neither overflows the stack nor takes long.

use grad_runtime::tape::Value;

#[test]
fn million_node_chain_backward_and_drop() {
    const N: i32 = 1_000_000;
    let k = 1.000001;
    let x0 = Value::new(1.0);
    let mut x = x0.clone();
    for _ in 0..N {
        x = &x * k + 0.0;
    }
    x.backward();
    // x = k^N · x0, so dx/dx0 = k^N (≈ e); repeated rounding keeps it within a few ulps · N.
    let expected = k.powi(N);
    assert!((x.data() - expected).abs() < 1e-9, "{}", x.data());
    assert!((x0.grad() - expected).abs() < 1e-9, "{}", x0.grad());
    drop(x); // the whole chain hangs off `x`; `x0` stays alive
    assert_eq!(x0.data(), 1.0);
}

/// 250,000 levels of `x + sin(x / 10⁶)`: `zero_grad` is iterative too, and the chain can be
/// dropped through any handle. Each level multiplies the derivative by `1 + cos(x / 10⁶) / 10⁶`.
#[test]
fn deep_chain_zero_grad_and_drop_from_a_clone() {
    let x0 = Value::new(0.5);
    let mut x = x0.clone();
    let mut plain = 0.5f64;
    let mut derivative = 1.0;
    for _ in 0..250_000 {
        derivative *= 1.0 + (plain * 1e-6).cos() * 1e-6;
        plain += (plain * 1e-6).sin();
        x = (&x * 1e-6).sin() + &x;
    }
    x.backward();
    assert_eq!(x.data(), plain);
    assert!((x0.grad() / derivative - 1.0).abs() < 1e-9, "{}", x0.grad());
    assert!(derivative > 1.28, "{derivative}"); // ≈ e^0.25: nothing underflowed
    x.zero_grad();
    assert_eq!(x0.grad(), 0.0);
    let y = x.clone();
    drop(x);
    assert_eq!(y.data(), plain);
    drop(y);
    assert_eq!(x0.data(), 0.5);
}
