// The body of `tests/large.rs` and `tests/deep.rs`: includes the module `build.rs` wrote for
// this test target (chosen by the target's name) and checks every function in it.

use grad::tape::Value;
use std::io::Write;

include!(concat!(
    env!("OUT_DIR"),
    "/",
    env!("CARGO_CRATE_NAME"),
    ".rs"
));

/// Each function's companion against the plain function (value, bit for bit), its tape twin
/// (gradient, relative 1e-9) and central differences (gradient, relative 1e-5), at three
/// points; every component must be compared with central differences (none skipped as not
/// locally smooth).
#[test]
fn compiled_gradients_agree_with_the_tape_engine_and_finite_differences() {
    on_a_large_stack(compiled_gradients);
}

fn compiled_gradients() {
    let report = grad_fuzz::check_all(generated::PROGRAMS);
    let _ = writeln!(
        std::io::stderr(),
        "{}: {} functions, {} points, {} gradient components vs the tape engine ({} exactly \
         zero), {} vs central differences, {} skipped as not locally smooth; {} failure(s)",
        env!("CARGO_CRATE_NAME"),
        report.programs,
        report.points,
        report.tape_compared,
        report.zero_components,
        report.fd_compared,
        report.fd_skipped,
        report.failures.len()
    );
    report.assert_ok(0);
    assert_eq!(report.programs, generated::PROGRAMS.len());
    assert_eq!(report.fd_skipped, 0, "a point is not locally smooth");
    assert_eq!(report.fd_compared, report.tape_compared);
    let expected: usize = generated::PROGRAMS
        .iter()
        .flat_map(|p| p.points.iter().map(|pt| pt.s.len() + pt.xs.len()))
        .sum();
    assert_eq!(report.tape_compared, expected);
}

/// The `_graph` companion (the function's SSA form run on the tape engine) gives the same
/// value and gradient as `_grad`.
#[test]
fn graph_companions_agree_with_the_compiled_gradients() {
    on_a_large_stack(graph_companions);
}

fn graph_companions() {
    for p in generated::PROGRAMS {
        for pt in p.points {
            let (value, grad) = (p.compiled)(pt.s, pt.xs, 0);
            let root = (generated::GRAPHS[p.index])(pt.s, pt.xs);
            assert_eq!(root.data().to_bits(), value.to_bits(), "{}", p.name);
            let names = (0..pt.s.len())
                .map(|k| format!("x{k}"))
                .chain((0..pt.xs.len()).map(|k| format!("w[{k}]")));
            let leaves = leaves(&root);
            for (k, name) in names.enumerate() {
                // An input that does not reach the result has no node: its gradient is 0.
                let g = leaves
                    .iter()
                    .find(|v| v.label() == name)
                    .map_or(0.0, |v| v.grad());
                assert!(
                    (g - grad[k]).abs() <= 1e-12 * grad[k].abs().max(1.0),
                    "{}: d{name}: graph {g:e}, compiled {:e}",
                    p.name,
                    grad[k]
                );
            }
        }
    }
}

/// The companions run on a thread with a default 2 MB stack: large ones are split into
/// segments, each a function with a frame of its own, so the frame of `_grad` holds only the
/// values live across segments (issue 16). Same values and gradients, bit for bit, as on the
/// large stack.
#[test]
fn compiled_gradients_run_on_a_default_thread() {
    let on_large = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(all_compiled)
        .expect("a thread")
        .join()
        .expect("the companions run");
    let on_default = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(all_compiled)
        .expect("a thread")
        .join()
        .expect("the companions run on a 2 MB stack");
    assert_eq!(on_default, on_large);
    assert!(!on_default.is_empty());
}

/// Every program's value and gradient at each point, as bits.
fn all_compiled() -> Vec<u64> {
    let mut bits = Vec::new();
    for p in generated::PROGRAMS {
        for pt in p.points {
            let (value, grad) = (p.compiled)(pt.s, pt.xs, 0);
            bits.push(value.to_bits());
            bits.extend(grad.iter().map(|g| g.to_bits()));
        }
    }
    bits
}

fn leaves(root: &Value) -> Vec<&Value> {
    root.topological_order()
        .into_iter()
        .filter(|v| v.op().is_empty() && !v.label().is_empty())
        .collect()
}

/// Runs `check` on a thread with a 256 MB stack (reserved, touched only as used). Unoptimized,
/// a function's frame holds every local it has, and the companions of a large function have
/// many: at 10,000 statements the frame of `_grad` is 3.3 MB and that of `_graph` 4.2 MB
/// (the plain function's: 68 KB), more than a test thread's 2 MB.
fn on_a_large_stack(check: fn()) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(check)
        .expect("a thread")
        .join()
        .expect("the check passes");
}
