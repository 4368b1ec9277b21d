//! A tape graph recorded through `Copy` handles: what the generated `<name>_graph` builds
//! its graph with.
//!
//! Holding one [`Value`] per generated local made rustc's borrow checker costly on large
//! functions: every `&value` and `value.data()` is a borrow, and the checker's dataflow runs
//! over all of a function's borrows at every block (11 GB of memory for a 10,000-statement
//! function). A [`Node`] is an index into a per-thread list of the values recorded so far, so
//! the generated code borrows nothing; the [`Recording`] releases the list when it ends, and
//! the graph it returns keeps the nodes it needs.
//!
//! ```
//! use grad_runtime::record::{self, Recording};
//!
//! let rec = Recording::start();
//! let x = record::leaf(3.0, "x");
//! let (v, d) = grad_runtime::rules::sin(record::data(x));
//! let y = record::op(v, "sin", [(x, d)]);
//! let y = rec.finish(y);
//! y.backward();
//! assert_eq!(y.parents().next().unwrap().0.grad(), 3.0f64.cos());
//! ```

use crate::tape::Value;
use std::cell::RefCell;

thread_local! {
    static NODES: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

/// A recorded value: an index into the current thread's list of recorded values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node(usize);

/// A constant leaf holding zero, as [`Value::default`].
impl Default for Node {
    fn default() -> Node {
        constant(0.0)
    }
}

/// The recording of one graph. Recordings nest (each releases only what it recorded), and a
/// recording dropped without [`finish`](Recording::finish) (on a panic) releases its values.
#[derive(Debug)]
pub struct Recording {
    base: usize,
}

impl Recording {
    /// Starts recording on this thread.
    pub fn start() -> Recording {
        Recording {
            base: NODES.with(|n| n.borrow().len()),
        }
    }

    /// Ends the recording and returns the graph of `root`.
    pub fn finish(self, root: Node) -> Value {
        value(root)
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        // Taken out before it is dropped: dropping values must not happen under the borrow.
        let released = NODES.with(|n| n.borrow_mut().split_off(self.base));
        drop(released);
    }
}

fn push(v: Value) -> Node {
    NODES.with(|n| {
        let mut n = n.borrow_mut();
        n.push(v);
        Node(n.len() - 1)
    })
}

fn value(x: Node) -> Value {
    NODES.with(|n| n.borrow()[x.0].clone())
}

/// A labelled leaf (an input).
pub fn leaf(x: f64, label: &str) -> Node {
    push(Value::labeled(x, label))
}

/// An unlabelled leaf (a constant).
pub fn constant(x: f64) -> Node {
    push(Value::new(x))
}

/// A node computed by the operation `name` from its parents, each with the local partial of
/// the node with respect to it (see [`Value::from_op`]).
pub fn op<const N: usize>(data: f64, name: &'static str, parents: [(Node, f64); N]) -> Node {
    let node = NODES.with(|n| {
        let n = n.borrow();
        Value::from_op(data, name, parents.iter().map(|(p, d)| (&n[p.0], *d)))
    });
    push(node)
}

/// A node computed by the one-operand rule `rule` (one of [`crate::rules`]) from `a`: the
/// rule's call and [`op`] in one, so the generated code for a primitive is a single call
/// instead of a tuple of partials and an array of parents, less for rustc to check (issue 16).
/// `rule` is a function pointer, so this is compiled once rather than once per rule.
pub fn op1(rule: fn(f64) -> (f64, f64), name: &'static str, a: Node) -> Node {
    let (v, da) = rule(data(a));
    op(v, name, [(a, da)])
}

/// [`op1`] for a two-operand rule (`a * b`, `x.powf(y)`, ...).
pub fn op2(rule: fn(f64, f64) -> (f64, f64, f64), name: &'static str, a: Node, b: Node) -> Node {
    let (v, da, db) = rule(data(a), data(b));
    op(v, name, [(a, da), (b, db)])
}

/// [`op1`] for a three-operand rule (`a.mul_add(b, c)`, `x.clamp(lo, hi)`).
pub fn op3(
    rule: fn(f64, f64, f64) -> (f64, f64, f64, f64),
    name: &'static str,
    a: Node,
    b: Node,
    c: Node,
) -> Node {
    let (v, da, db, dc) = rule(data(a), data(b), data(c));
    op(v, name, [(a, da), (b, db), (c, dc)])
}

/// The value a node holds.
pub fn data(x: Node) -> f64 {
    NODES.with(|n| n.borrow()[x.0].data())
}

/// Labels a node with the name it has in the source.
pub fn label(x: Node, name: &str) {
    NODES.with(|n| n.borrow()[x.0].set_label(name));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_graph_back_propagates_like_one_built_by_hand() {
        let rec = Recording::start();
        let (a, b) = (leaf(2.0, "a"), leaf(-3.0, "b"));
        let (v, da, db) = crate::rules::mul(data(a), data(b));
        let c = op(v, "*", [(a, da), (b, db)]);
        label(c, "c");
        let (w, dc, da2) = crate::rules::add(data(c), data(a));
        let root = rec.finish(op(w, "+", [(c, dc), (a, da2)]));
        root.backward();
        let order = root.topological_order();
        let grad_of = |l: &str| order.iter().find(|v| v.label() == l).unwrap().grad();
        // root = a·b + a: ∂/∂a = b + 1, ∂/∂b = a.
        assert_eq!((root.data(), grad_of("a"), grad_of("b")), (-4.0, -2.0, 2.0));
        assert_eq!(grad_of("c"), 1.0);
    }

    #[test]
    fn recordings_nest_and_release_what_they_recorded() {
        let before = NODES.with(|n| n.borrow().len());
        let outer = Recording::start();
        let x = leaf(1.0, "x");
        let inner = Recording::start();
        let y = constant(5.0);
        assert_eq!(inner.finish(y).data(), 5.0);
        assert_eq!(NODES.with(|n| n.borrow().len()), before + 1);
        assert_eq!(data(x), 1.0);
        drop(outer);
        assert_eq!(NODES.with(|n| n.borrow().len()), before);
    }
}
