//! The main job of `grad`: put `#[differentiable]` on a function, get its gradient.
//!
//! Run with `cargo run --release --example seed`. It prints the value and gradient of
//! micrograd's seed expression and of a tanh neuron, computed by the compiled companion
//! functions, and the same numbers from the tape engine.

use grad::prelude::*;
use grad::tape::Value;

/// micrograd's seed expression.
#[differentiable]
fn loss(x1: f64, x2: f64, x3: f64) -> f64 {
    let a = x1 * x2;
    a.ln() + (x1 * x3).sin() + x2 * x3
}

/// A neuron with two inputs and a tanh activation.
#[differentiable]
fn neuron(x1: f64, x2: f64, w1: f64, w2: f64, b: f64) -> f64 {
    (x1 * w1 + x2 * w2 + b).tanh()
}

fn main() {
    let (x1, x2, x3) = (2.0, 3.0, 4.0);
    let (value, d_x1, d_x2, d_x3) = loss_grad(x1, x2, x3);
    assert_eq!(
        value,
        loss(x1, x2, x3),
        "the value is the plain function's, bit for bit"
    );
    println!("L = ln(x1*x2) + sin(x1*x3) + x2*x3 at (2, 3, 4)");
    println!(
        "  compiled: L = {value:.6}, dL/dx1 = {d_x1:.6}, dL/dx2 = {d_x2:.6}, dL/dx3 = {d_x3:.6}"
    );

    let (t1, t2, t3) = (Value::new(x1), Value::new(x2), Value::new(x3));
    let a = &t1 * &t2;
    let l = a.ln() + (&t1 * &t3).sin() + &t2 * &t3;
    l.backward();
    println!(
        "  tape:     L = {:.6}, dL/dx1 = {:.6}, dL/dx2 = {:.6}, dL/dx3 = {:.6}",
        l.data(),
        t1.grad(),
        t2.grad(),
        t3.grad()
    );

    let b = 6.881_373_587_019_543;
    let (o, d_x1, d_x2, d_w1, d_w2, d_b) = neuron_grad(2.0, 0.0, -3.0, 1.0, b);
    assert_eq!(o, neuron(2.0, 0.0, -3.0, 1.0, b));
    println!("\nneuron tanh(x1*w1 + x2*w2 + b) at x1=2, x2=0, w1=-3, w2=1, b={b}");
    println!(
        "  compiled: o = {o:.4}, dx1 = {d_x1:.4}, dx2 = {d_x2:.4}, dw1 = {d_w1:.4}, dw2 = {d_w2:.4}, db = {d_b:.4}"
    );
    let (tx1, tx2, tw1, tw2, tb) = (
        Value::new(2.0),
        Value::new(0.0),
        Value::new(-3.0),
        Value::new(1.0),
        Value::new(b),
    );
    let o = (&tx1 * &tw1 + &tx2 * &tw2 + &tb).tanh();
    o.backward();
    println!(
        "  tape:     o = {:.4}, dx1 = {:.4}, dx2 = {:.4}, dw1 = {:.4}, dw2 = {:.4}, db = {:.4}",
        o.data(),
        tx1.grad(),
        tx2.grad(),
        tw1.grad(),
        tw2.grad(),
        tb.grad()
    );
}
