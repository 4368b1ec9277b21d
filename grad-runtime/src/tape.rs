//! A micrograd-style tape engine: scalar [`Value`]s that record how they were computed, and a
//! [`Value::backward`] that sends gradients back through the recorded graph.
//!
//! Every operation builds a new node holding its result and, for each input, the local partial
//! derivative of the result with respect to that input. The partials come from the rules in
//! [`crate::rules`] (the single source of truth shared with the code that `#[differentiable]`
//! generates); the engine never derives anything itself. [`Value::backward`] then walks the graph
//! in reverse topological order and accumulates `parent.grad += partial * node.grad`.
//!
//! Arithmetic works between [`Value`], `&Value` and `f64` in every combination (an `f64` operand
//! is a constant leaf), and `Value` has the math methods of `f64` (`sin`, `powf`, `max`, ...) plus
//! `relu` and `sigmoid`. Methods take `&self` and methods with more than one argument accept
//! anything that is `Into<Value>`: an `f64`, a `Value` or a `&Value`.
//!
//! Traversal, backward and drop are iterative, so a graph may be millions of nodes deep.
//!
//! # Example: a neuron
//!
//! ```
//! use grad_runtime::tape::Value;
//!
//! let x1 = Value::labeled(2.0, "x1");
//! let x2 = Value::labeled(0.0, "x2");
//! let w1 = Value::labeled(-3.0, "w1");
//! let w2 = Value::labeled(1.0, "w2");
//! let b = Value::labeled(6.881_373_587_019_543, "b");
//!
//! let n = &x1 * &w1 + &x2 * &w2 + &b;
//! let o = n.tanh();
//! o.backward();
//!
//! assert!((o.data() - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
//! assert!((x1.grad() - -1.5).abs() < 1e-9);
//! assert!((w1.grad() - 1.0).abs() < 1e-9);
//! assert!((x2.grad() - 0.5).abs() < 1e-9);
//! assert_eq!(w2.grad(), 0.0);
//! ```

mod methods;
mod ops;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A scalar in a computation graph: its value, its gradient, and how it was computed.
///
/// `Value` is a cheap handle to a shared node: `clone` only bumps a reference count, and the
/// clone is the same node (same [`id`](Value::id), same gradient). Build leaves with
/// [`Value::new`] or [`Value::labeled`], combine them with operators and methods, then call
/// [`backward`](Value::backward) on the result and read each leaf's [`grad`](Value::grad).
///
/// ```
/// use grad_runtime::tape::Value;
///
/// let a = Value::new(3.0);
/// let b = &a * &a + 1.0; // a used twice
/// b.backward();
/// assert_eq!(b.data(), 10.0);
/// assert_eq!(a.grad(), 6.0);
/// ```
#[derive(Clone)]
pub struct Value(Rc<Node>);

/// One node of the graph. Its parents are immutable once built, so the graph is a DAG.
struct Node {
    data: f64,
    grad: Cell<f64>,
    op: &'static str,
    /// Each input together with the local partial of this node with respect to it.
    parents: Box<[(Value, f64)]>,
    label: RefCell<Box<str>>,
    /// The number of the last traversal that reached this node (see [`next_traversal`]).
    visited: Cell<u64>,
}

/// A number no earlier traversal has used: a traversal marks the nodes it reaches with it, so
/// no visited set is needed and nothing has to be reset afterwards. Nodes start at `0`.
fn next_traversal() -> u64 {
    static TRAVERSALS: AtomicU64 = AtomicU64::new(0);
    TRAVERSALS.fetch_add(1, Ordering::Relaxed) + 1
}

impl Value {
    /// A leaf (an input or a constant) holding `x`, with gradient `0` and no label.
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// let x = Value::new(2.5);
    /// assert_eq!((x.data(), x.grad(), x.op()), (2.5, 0.0, ""));
    /// ```
    pub fn new(x: f64) -> Value {
        Value::node(x, "", Box::new([]))
    }

    /// A leaf holding `x` with a label (shown by `Debug` and useful when drawing the graph).
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// let w = Value::labeled(-3.0, "w1");
    /// assert_eq!(w.label(), "w1");
    /// ```
    pub fn labeled(x: f64, label: &str) -> Value {
        let v = Value::new(x);
        v.set_label(label);
        v
    }

    /// Builds an interior node from its value, operation name and `(parent, partial)` pairs.
    fn node(data: f64, op: &'static str, parents: Box<[(Value, f64)]>) -> Value {
        Value(Rc::new(Node {
            data,
            grad: Cell::new(0.0),
            op,
            parents,
            label: RefCell::default(),
            visited: Cell::new(0),
        }))
    }

    /// A node from its value, the name of its operation and its parents with the local partial
    /// derivative of this node with respect to each: a custom operation on the tape (a rule
    /// of your own, or a function whose derivative you compute elsewhere). `backward()` adds
    /// `partial * grad` into each parent.
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// // softplus(x) = ln(1 + e^x), whose derivative is the logistic function.
    /// let x = Value::new(0.5);
    /// let s = 1.0 / (1.0 + (-0.5f64).exp());
    /// let y = Value::from_op((1.0 + 0.5f64.exp()).ln(), "softplus", [(&x, s)]);
    /// y.backward();
    /// assert_eq!(x.grad(), s);
    /// ```
    pub fn from_op<'a>(
        data: f64,
        op: &'static str,
        parents: impl IntoIterator<Item = (&'a Value, f64)>,
    ) -> Value {
        let parents: Box<[(Value, f64)]> =
            parents.into_iter().map(|(v, d)| (v.clone(), d)).collect();
        Value::node(data, op, parents)
    }

    /// A node computed from `self` by a one-argument rule of [`crate::rules`].
    fn unary(&self, op: &'static str, rule: impl FnOnce(f64) -> (f64, f64)) -> Value {
        let (v, d) = rule(self.data());
        Value::node(v, op, Box::new([(self.clone(), d)]))
    }

    /// A node computed from `self` and `b` by a two-argument rule of [`crate::rules`].
    fn binary(&self, op: &'static str, b: &Value, rule: fn(f64, f64) -> (f64, f64, f64)) -> Value {
        let (v, da, db) = rule(self.data(), b.data());
        Value::node(v, op, Box::new([(self.clone(), da), (b.clone(), db)]))
    }

    /// A node computed from `self`, `b` and `c` by a three-argument rule of [`crate::rules`].
    fn ternary(
        &self,
        op: &'static str,
        b: &Value,
        c: &Value,
        rule: fn(f64, f64, f64) -> (f64, f64, f64, f64),
    ) -> Value {
        let (v, da, db, dc) = rule(self.data(), b.data(), c.data());
        Value::node(
            v,
            op,
            Box::new([(self.clone(), da), (b.clone(), db), (c.clone(), dc)]),
        )
    }

    /// Sets the label of this node (every clone of the handle sees it).
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// let a = Value::new(1.0);
    /// let e = &a * 2.0;
    /// e.set_label("e");
    /// assert_eq!(e.label(), "e");
    /// ```
    pub fn set_label(&self, label: &str) {
        *self.0.label.borrow_mut() = label.into();
    }

    /// The label of this node, or `""` if it has none.
    pub fn label(&self) -> String {
        self.0.label.borrow().to_string()
    }

    /// The value computed for this node.
    pub fn data(&self) -> f64 {
        self.0.data
    }

    /// The gradient accumulated in this node by [`backward`](Value::backward) (`0` before).
    pub fn grad(&self) -> f64 {
        self.0.grad.get()
    }

    /// The name of the operation that produced this node: `""` for a leaf, otherwise `"+"`,
    /// `"-"`, `"*"`, `"/"`, `"neg"` or the method name (`"sin"`, `"powi"`, `"relu"`, ...).
    pub fn op(&self) -> &'static str {
        self.0.op
    }

    /// The inputs of this node, each with the local partial derivative of this node with
    /// respect to it, in argument order (`a` then `b` for `a * b`). Empty for a leaf.
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// let a = Value::new(3.0);
    /// let b = Value::new(4.0);
    /// let c = &a * &b;
    /// let partials: Vec<f64> = c.parents().map(|(_, d)| d).collect();
    /// assert_eq!(partials, [4.0, 3.0]);
    /// ```
    pub fn parents(&self) -> impl ExactSizeIterator<Item = (&Value, f64)> + '_ {
        self.0.parents.iter().map(|(p, d)| (p, *d))
    }

    /// A number identifying this node (the address of the shared node): equal for clones of
    /// one handle, distinct between nodes that are alive at the same time. An id may be reused
    /// after its node is dropped.
    pub fn id(&self) -> usize {
        Rc::as_ptr(&self.0) as usize
    }

    /// Every node reachable from this one (itself included), each once, in topological order:
    /// every node comes after all of its parents, so this node is last.
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// let a = Value::new(1.0);
    /// let b = &a + &a;
    /// let order: Vec<usize> = b.topological_order().iter().map(|v| v.id()).collect();
    /// assert_eq!(order, [a.id(), b.id()]);
    /// ```
    pub fn topological_order(&self) -> Vec<&Value> {
        let traversal = next_traversal();
        let mut order = Vec::new();
        // Iterative depth-first search: each frame is a node and the index of the next parent
        // to visit; a node is emitted once all of its parents have been.
        self.0.visited.set(traversal);
        let mut path = vec![(self, 0)];
        while let Some((v, next)) = path.last_mut() {
            if let Some((p, _)) = v.0.parents.get(*next) {
                *next += 1;
                if p.0.visited.get() != traversal {
                    p.0.visited.set(traversal);
                    path.push((p, 0));
                }
            } else {
                order.push(*v);
                path.pop();
            }
        }
        order
    }

    /// Sets the gradient of every node reachable from this one (itself included) to `0`.
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// let x = Value::new(2.0);
    /// let y = x.powi(3);
    /// y.backward();
    /// y.zero_grad();
    /// y.backward();
    /// assert_eq!(x.grad(), 12.0);
    /// ```
    pub fn zero_grad(&self) {
        for v in self.topological_order() {
            v.0.grad.set(0.0);
        }
    }

    /// Backpropagation: sets this node's gradient to `1`, then visits the reachable nodes in
    /// reverse topological order and adds `partial * node.grad` into each parent's gradient.
    ///
    /// Gradients accumulate (`+=`), so a value used several times receives the sum of its
    /// contributions. As in micrograd, calling `backward` again adds to the gradients already
    /// there; call [`zero_grad`](Value::zero_grad) first to start afresh.
    ///
    /// ```
    /// use grad_runtime::tape::Value;
    ///
    /// let x = Value::new(0.0);
    /// let y = x.sin() * 3.0;
    /// y.backward();
    /// assert_eq!(y.grad(), 1.0);
    /// assert_eq!(x.grad(), 3.0);
    /// ```
    pub fn backward(&self) {
        let order = self.topological_order();
        self.0.grad.set(1.0);
        for v in order.into_iter().rev() {
            let g = v.0.grad.get();
            for (p, d) in &v.0.parents {
                p.0.grad.set(p.0.grad.get() + d * g);
            }
        }
    }
}

/// A leaf holding zero.
impl Default for Value {
    fn default() -> Value {
        Value::new(0.0)
    }
}

impl From<f64> for Value {
    /// A constant leaf: the same as [`Value::new`].
    fn from(x: f64) -> Value {
        Value::new(x)
    }
}

impl From<&Value> for Value {
    /// Another handle to the same node (a clone).
    fn from(v: &Value) -> Value {
        v.clone()
    }
}

impl Drop for Node {
    /// Drops the ancestors iteratively: a node whose last handle goes away here hands its own
    /// parents to the work list instead of dropping them recursively, so deep graphs cannot
    /// overflow the stack.
    fn drop(&mut self) {
        let mut work = std::mem::take(&mut self.parents).into_vec();
        while let Some((parent, _)) = work.pop() {
            if let Some(mut node) = Rc::into_inner(parent.0) {
                work.extend(std::mem::take(&mut node.parents).into_vec());
            }
        }
    }
}

impl fmt::Debug for Value {
    /// micrograd's format: `Value(data=-20.0, grad=46.0)`, with `, label="x"` when labeled.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value(data={:?}, grad={:?}", self.data(), self.grad())?;
        let label = self.0.label.borrow();
        if !label.is_empty() {
            write!(f, ", label={:?}", &*label)?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for Value {
    /// The data, formatted as an `f64` (so `{:.3}` and friends work).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.data(), f)
    }
}
