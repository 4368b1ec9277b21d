//! How often the compiled gradients allocate, counted by a `#[global_allocator]` that counts
//! the calls on the current thread (so tests running in parallel do not disturb each other).
//!
//! - Straight-line gradients allocate nothing, from the first call on.
//! - Gradients with loops keep their tapes in per-thread buffers that are recycled between
//!   calls (`grad::__private::Tape`), so after a first call that sizes them, a call allocates
//!   only what it returns: one `Vec` per slice it differentiates with respect to. Rosenbrock,
//!   the MLP and the moons loss allocate once per call.
//! - ADBench's GMM misses that target. It differentiates with respect to three slices, and its
//!   body allocates five local arrays with `vec!`; its compiled gradient allocates 8 times a
//!   call: those five arrays (as the plain function does) and the three gradients it returns.
//!   The adjoints of local `vec!`s are recycled per thread, as the tapes are. (The hand-written
//!   gradient allocates 8 times too: three gradients and five scratch arrays.)
//!
//! - The programs written with helpers: the LSTM through `&mut` slice helpers allocates its two
//!   returned gradients only; the RK4 projectile through array-returning helpers allocates
//!   nothing.
//!
//! The workloads are those of `benches/workloads`, included here.

#[path = "../benches/workloads/mod.rs"]
#[allow(dead_code)]
mod workloads;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use workloads::*;

/// The system allocator, counting allocations and reallocations made on each thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static REALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to `System` with the same arguments; the counters are
// thread-local cells with constant initializers, which neither allocate nor re-enter the
// allocator (`try_with` skips counting while a thread is being torn down).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = REALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The allocations and reallocations `f` makes on this thread (its result is dropped after
/// counting).
fn count<R>(f: impl FnOnce() -> R) -> (usize, usize) {
    let a = ALLOCATIONS.with(Cell::get);
    let r = REALLOCATIONS.with(Cell::get);
    let out = black_box(f());
    let counts = (
        ALLOCATIONS.with(Cell::get) - a,
        REALLOCATIONS.with(Cell::get) - r,
    );
    drop(out);
    counts
}

/// The counts of the second and third calls of `f` (the first one sizes the tapes), which must
/// be equal.
#[track_caller]
fn steady<R>(what: &str, f: impl Fn() -> R) -> (usize, usize) {
    count(&f);
    let second = count(&f);
    let third = count(&f);
    assert_eq!(
        second, third,
        "{what}: allocations change from call to call"
    );
    second
}

#[test]
fn the_counter_counts() {
    assert_eq!(count(|| 1.0f64.sin()), (0, 0));
    assert_eq!(count(|| vec![0.0f64; 10]), (1, 0));
    let (a, r) = count(|| {
        let mut v = Vec::with_capacity(1);
        for i in 0..100 {
            v.push(i);
        }
        v
    });
    assert_eq!(a, 1);
    assert!(r > 0);
}

#[test]
fn straight_line_gradients_allocate_nothing() {
    let (x1, x2, x3) = SEED_X;
    assert_eq!(count(|| seed_grad(x1, x2, x3)), (0, 0), "seed_grad");
    let (n1, n2, w1, w2, b) = NEURON_X;
    assert_eq!(
        count(|| neuron_grad(n1, n2, w1, w2, b)),
        (0, 0),
        "neuron_grad"
    );
    let (a, b) = MORE_OPS_X;
    assert_eq!(count(|| more_ops_grad(a, b)), (0, 0), "more_ops_grad");
}

#[test]
fn rosenbrock_allocates_its_gradient_only() {
    for n in ROSEN_SIZES {
        let x = rosen_x(n);
        assert_eq!(steady("rosen_grad", || rosen_grad(&x)), (1, 0), "n = {n}");
    }
}

#[test]
fn mlp_allocates_its_gradient_only() {
    let (p, x, y) = mlp_data();
    assert_eq!(steady("mlp_grad", || mlp_grad(&p, &x, y)), (1, 0));
}

#[test]
fn moons_loss_allocates_its_gradient_only() {
    let (p, moons) = moons_setup();
    let counts = steady("moons loss_grad", || {
        moons_loss_grad(&p, &moons.xs, &moons.ys)
    });
    assert_eq!(counts, (1, 0));
}

/// The moons loss written as structs with methods (`examples/mlp_struct.rs`): its gradient,
/// an `Mlp` (the `Vec` of three layers and each layer's `w` and `b`), and the gradients of the
/// points and labels; the pullbacks' stacks and snapshots are recycled per thread.
#[test]
fn moons_as_structs_allocates_its_gradients_only() {
    let (_, moons) = moons_setup();
    let mlp = moons_struct_setup();
    let counts = steady("Mlp::loss_grad", || mlp.loss_grad(&moons.xs, &moons.ys));
    assert_eq!(counts, (1 + 3 * 2 + 2, 0));
}

#[test]
fn gmm_allocates_its_locals_their_adjoints_and_its_three_gradients() {
    for (d, k) in [(2, 5), (10, 5)] {
        let g = gmm_data(d, k);
        // The plain function's five `vec!`s: qdiags, sum_qs, xcentered, qx, main_term.
        assert_eq!(steady("gmm_objective", || g.objective()), (5, 0));
        // The same five `vec!`s and the three gradients it returns; the adjoints of the
        // locals are recycled per thread.
        assert_eq!(
            steady("gmm_objective_grad", || g.compiled()),
            (5 + 3, 0),
            "d = {d}, K = {k}"
        );
    }
}

#[test]
fn lstm_through_mut_slice_helpers_allocates_its_two_gradients_only() {
    let g = lstm_data();
    assert_eq!(steady("lstm_objective", || g.objective()), (0, 0));
    // The natural form (helpers' pullbacks, snapshots of the arrays they read, scratch
    // buffers) and the inlined one: the two returned gradients (`main`, `extra`).
    assert_eq!(steady("lstm_objective_grad", || g.natural()), (2, 0));
    assert_eq!(steady("lstm_inlined_grad", || g.inlined()), (2, 0));
}

/// The RK4 projectile through array-returning helpers allocates nothing: the snapshots, the
/// adjoints of the arrays its calls return (`let k1 = deriv(s, k);` ... `k4`) and the
/// pullbacks' stacks are recycled per thread.
#[test]
fn rk4_through_array_returning_helpers_allocates_nothing() {
    use workloads::rk4::*;
    let (v0, a, k) = RK4_X;
    let n = RK4_STEPS;
    assert_eq!(
        steady("rk4_distance_grad", || rk4_distance_grad(v0, a, k, n)),
        (0, 0)
    );
    assert_eq!(
        steady("rk4_inlined_grad", || rk4_inlined_grad(v0, a, k, n)),
        (0, 0)
    );
    // The hand-written gradient keeps the states in a buffer it allocates per call.
    assert_eq!(steady("rk4_hand", || rk4_hand(v0, a, k, n)), (1, 0));
}
