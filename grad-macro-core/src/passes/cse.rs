//! Common subexpressions: a pure operation on the same operands as an earlier one that is
//! still in scope is dropped, and its uses read the earlier value (`x[i] * x[i]` loads once;
//! `a * b` and `b * a` are one product).
//!
//! Pure here means: primitives (every rule is a pure function), casts and operators on
//! integers, lengths, and loads. A load is keyed by the array's *version*, which every store
//! to the array (and every loop or branch that writes it) bumps, so two loads of `a[i]` with
//! no write to `a` between them are one value, and a load right after `a[i] = v` is `v`.
//! Calls, method calls on other types (which may have effects), variable reads, ranges
//! (iterators are consumed) and constants of unknown type (a literal takes its type from each
//! use) are left alone.
//!
//! The value is unchanged. The gradient can differ in the last bits: the adjoints of the
//! merged uses are summed before being multiplied by the partials, not after.

use crate::ir::*;
use std::collections::HashMap;

/// Runs the pass.
pub fn run(mut f: Function) -> Function {
    let mut cx = Cse {
        f: &f,
        version: HashMap::new(),
        scopes: vec![HashMap::new()],
        renamed: HashMap::new(),
    };
    let body = cx.region(&f.body);
    let renamed = cx.renamed;
    f.result = rename(&renamed, f.result);
    f.body = body;
    f
}

struct Cse<'a> {
    f: &'a Function,
    /// Per array: how many times it has been written so far.
    version: HashMap<Array, usize>,
    /// Available expressions, innermost region last.
    scopes: Vec<HashMap<String, Value>>,
    /// Dropped value → the value that replaces it.
    renamed: HashMap<Value, Value>,
}

fn rename(map: &HashMap<Value, Value>, v: Value) -> Value {
    map.get(&v).copied().unwrap_or(v)
}

impl Cse<'_> {
    fn region(&mut self, region: &Region) -> Region {
        let mut nodes = Vec::with_capacity(region.nodes.len());
        for node in &region.nodes {
            if let Some(n) = self.node(node) {
                nodes.push(n);
            }
        }
        Region { nodes }
    }

    fn nested(&mut self, region: &Region) -> Region {
        self.scopes.push(HashMap::new());
        let r = self.region(region);
        self.scopes.pop();
        r
    }

    fn v(&self, v: Value) -> Value {
        rename(&self.renamed, v)
    }

    fn node(&mut self, node: &Node) -> Option<Node> {
        Some(match node {
            Node::Let(x, op) => {
                let op = self.op(op);
                if let Some(key) = self.key(*x, &op) {
                    let known = self.scopes.iter().rev().find_map(|s| s.get(&key)).copied();
                    match known {
                        Some(y) => {
                            self.renamed.insert(*x, y);
                            return None;
                        }
                        None => {
                            let top = self.scopes.last_mut().expect("a scope");
                            top.insert(key, *x);
                        }
                    }
                }
                Node::Let(*x, op)
            }
            Node::Assign { var, value, decl } => Node::Assign {
                var: *var,
                value: self.v(*value),
                decl: *decl,
            },
            Node::DeclVar(s) => Node::DeclVar(*s),
            Node::Call(c) => {
                let mut c = (**c).clone();
                for a in &mut c.args {
                    match a {
                        CallArg::Value(v, _) | CallArg::Var { pre: v, .. } => *v = self.v(*v),
                        CallArg::Array(a) => {
                            a.lo = a.lo.map(|v| self.v(v));
                            a.hi = a.hi.map(|v| self.v(v));
                        }
                        CallArg::Place(p, _) => *p = p.map_indices(|v| self.v(v)),
                    }
                }
                self.bump_written(std::slice::from_ref(node));
                Node::Call(Box::new(c))
            }
            Node::Store {
                array,
                index,
                value,
            } => {
                let (index, value) = (self.v(*index), self.v(*value));
                self.bump(*array);
                // A load of the same element before the next write reads `value`.
                let key = self.load_key(*array, index);
                let top = self.scopes.last_mut().expect("a scope");
                top.insert(key, value);
                Node::Store {
                    array: *array,
                    index,
                    value,
                }
            }
            Node::FieldStore { place, value } => Node::FieldStore {
                place: place.map_indices(|v| self.v(v)),
                value: self.v(*value),
            },
            Node::DeclArray(a, init) => {
                self.bump(*a);
                Node::DeclArray(
                    *a,
                    match init {
                        ArrayInit::Repeat { fill, len } => ArrayInit::Repeat {
                            fill: self.v(*fill),
                            len: len.clone(),
                        },
                        ArrayInit::Vec { fill, len } => ArrayInit::Vec {
                            fill: self.v(*fill),
                            len: self.v(*len),
                        },
                    },
                )
            }
            Node::If { cond, then, els } => {
                let cond = self.v(*cond);
                let then = self.nested(then);
                let els = self.nested(els);
                // After the branch, an array either side wrote has a new version.
                self.bump_written(std::slice::from_ref(node));
                Node::If { cond, then, els }
            }
            Node::Loop { head, body, jump } => {
                let head = match head {
                    LoopHead::For { var, iter } => LoopHead::For {
                        var: *var,
                        iter: self.v(*iter),
                    },
                    LoopHead::Forever => LoopHead::Forever,
                };
                // An iteration sees what earlier iterations wrote: arrays the body writes get
                // a new version before it, and another after it.
                self.bump_written(&body.nodes);
                let body = self.nested(body);
                self.bump_written(&body.nodes);
                Node::Loop {
                    head,
                    body,
                    jump: *jump,
                }
            }
        })
    }

    fn bump(&mut self, a: Array) {
        *self.version.entry(a).or_default() += 1;
    }

    /// Bumps every array the nodes write (an array written twice is bumped twice: only a
    /// change of version matters).
    fn bump_written(&mut self, nodes: &[Node]) {
        let mut written = Vec::new();
        nodes.iter().for_each(|n| n.writes(&mut written));
        for a in written {
            self.bump(a);
        }
    }

    /// How many times `a` was written so far (see the module's documentation).
    fn version_of(&self, a: Array) -> usize {
        self.version.get(&a).copied().unwrap_or(0)
    }

    fn load_key(&self, a: Array, index: Value) -> String {
        format!("load {a}[{index}] @{}", self.version_of(a))
    }

    /// The operation with its operands renamed.
    fn op(&self, op: &Op) -> Op {
        let mut op = op.clone();
        match &mut op {
            Op::Prim { args, int, .. } => {
                args.iter_mut().for_each(|a| *a = self.v(*a));
                if let Some(k) = int {
                    *k = self.v(*k);
                }
            }
            Op::Call { args, .. } | Op::Plain(_, args) => {
                args.iter_mut().for_each(|a| *a = self.v(*a))
            }
            Op::Copy(a) | Op::Load(_, a) => *a = self.v(*a),
            Op::Field(p) | Op::FieldLen(p) => *p = p.map_indices(|v| self.v(v)),
            Op::Param(_) | Op::Const(_) | Op::Read(_) | Op::Len(_) => {}
        }
        op
    }

    /// The key under which a pure operation is looked up; `None` if it must stay.
    fn key(&self, x: Value, op: &Op) -> Option<String> {
        let ty = self.f.value_ty[x.0 as usize];
        let pure = match op {
            Op::Prim { .. } | Op::Copy(_) => true,
            Op::Load(a, i) => return Some(self.load_key(*a, *i)),
            // A `Vec` reassigned from a call (`h = f(&h)`) may change its length: a length is
            // keyed by the array's version, as a load is.
            Op::Len(a) => return Some(format!("len {a} @{}", self.version_of(*a))),
            // A float literal has the function's float type wherever it is used; an integer
            // literal takes its type from its use, so two equal ones may differ.
            Op::Const(_) => ty == Ty::Float,
            Op::Plain(Plain::Binary(_) | Plain::Unary(_) | Plain::Cast(_), _) => ty != Ty::Unknown,
            Op::Plain(..) | Op::Param(_) | Op::Read(_) | Op::Call { .. } => false,
            Op::Field(_) | Op::FieldLen(_) => false,
        };
        if !pure {
            return None;
        }
        // Sums and products are commutative, bit for bit: one key for both orders.
        let text = match op {
            Op::Prim {
                prim,
                args,
                int: None,
            } if matches!(prim.rule, "add" | "mul") && args.len() == 2 && args[0] > args[1] => {
                let mut swapped = op.clone();
                if let Op::Prim { args, .. } = &mut swapped {
                    args.swap(0, 1);
                }
                swapped.to_string()
            }
            _ => op.to_string(),
        };
        Some(format!("{ty:?} {text}"))
    }
}

#[cfg(test)]
mod tests {
    use crate::passes::test_util::ir_after;
    use quote::quote;

    #[test]
    fn repeated_products_and_loads_are_computed_once() {
        let (before, after) = ir_after(
            super::run,
            quote! {
                fn f(x: &[f64], i: usize, a: f64, b: f64) -> f64 {
                    let p = a * b;
                    let q = b * a;
                    x[i] * x[i] + p * q
                }
            },
        );
        assert_eq!(before.matches("mul").count(), 4, "{before}");
        assert_eq!(after.matches("mul").count(), 3, "{after}");
        assert_eq!(after.matches("load").count(), 1, "{after}");
    }

    #[test]
    fn branches_do_not_share_and_written_arrays_are_reloaded() {
        let (_, after) = ir_after(
            super::run,
            quote! {
                fn f(c: f64, y: f64) -> f64 {
                    let mut t = [y; 2];
                    let a = t[0];
                    t[0] = 2.0 * a;
                    let b = t[0];
                    if c > 0.0 { (c * y).sin() } else { (c * y).sin() + a + b }
                }
            },
        );
        // Both loads of the written array stay; each branch computes its own sine.
        assert_eq!(after.matches("load").count(), 2, "{after}");
        assert_eq!(after.matches("sin").count(), 2, "{after}");
    }

    #[test]
    fn a_loop_body_reuses_values_from_outside() {
        let (_, after) = ir_after(
            super::run,
            quote! {
                fn f(x: f64, n: usize) -> f64 {
                    let e = x.exp();
                    let mut s = 0.0;
                    for _ in 0..n {
                        s += x.exp() * s;
                    }
                    s + e
                }
            },
        );
        assert_eq!(after.matches("exp").count(), 1, "{after}");
    }
}
