//! A panic inside a companion (an index out of bounds) reports the user's line, as the plain
//! function's does.

use grad::prelude::*;
use std::sync::Mutex;

static LINE: Mutex<Option<u32>> = Mutex::new(None);

/// The line a panic in `f` reports.
fn panic_line(f: impl FnOnce() + std::panic::UnwindSafe) -> u32 {
    std::panic::set_hook(Box::new(|info| {
        *LINE.lock().unwrap() = info.location().map(|l| l.line());
    }));
    let r = std::panic::catch_unwind(f);
    let _ = std::panic::take_hook();
    assert!(r.is_err(), "no panic");
    LINE.lock().unwrap().take().expect("a location")
}

#[differentiable]
fn reads(x: &[f64], i: usize) -> f64 {
    let a = x[0] * 2.0;
    a + x[i]
}

#[differentiable]
fn writes(x: &[f64], i: usize) -> f64 {
    let mut h = [0.0; 2];
    h[i] = x[0] * 3.0;
    h[0]
}

#[test]
fn index_out_of_bounds_reports_the_users_line() {
    let x = [1.0, 2.0];
    let plain = panic_line(|| {
        reads(&x, 5);
    });
    let grad = panic_line(|| {
        reads_grad(&x, 5);
    });
    assert_eq!(grad, plain);
    let plain = panic_line(|| {
        writes(&x, 5);
    });
    let grad = panic_line(|| {
        writes_grad(&x, 5);
    });
    assert_eq!(grad, plain);
}
