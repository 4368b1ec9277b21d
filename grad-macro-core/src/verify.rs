//! The IR verifier, run after lowering and after every IR pass: each value is defined once,
//! and every use is dominated by its definition (defined earlier in the same region or in an
//! enclosing one). A pass that broke this would produce code that does not compile or, worse,
//! reads the wrong value; the pipeline reports a violation as an internal error instead.

use crate::ir::*;
use std::collections::HashSet;

/// Checks `f`; `Err` describes the first violation.
pub fn check(f: &Function) -> Result<(), String> {
    let mut v = Verifier {
        defined: HashSet::new(),
        scopes: vec![HashSet::new()],
    };
    v.region(&f.body)?;
    v.used(f.result, "the result")
}

struct Verifier {
    /// Every value defined so far, anywhere.
    defined: HashSet<Value>,
    /// Values visible here, innermost region last.
    scopes: Vec<HashSet<Value>>,
}

impl Verifier {
    fn define(&mut self, x: Value) -> Result<(), String> {
        if !self.defined.insert(x) {
            return Err(format!("{x} is defined twice"));
        }
        self.scopes.last_mut().expect("a scope").insert(x);
        Ok(())
    }

    fn used(&self, x: Value, by: &str) -> Result<(), String> {
        if self.scopes.iter().any(|s| s.contains(&x)) {
            Ok(())
        } else {
            Err(format!(
                "{by} uses {x}, which is not defined before it in scope"
            ))
        }
    }

    fn nested(&mut self, r: &Region, bound: Option<Value>) -> Result<(), String> {
        self.scopes.push(HashSet::new());
        if let Some(x) = bound {
            self.define(x)?;
        }
        let out = self.region(r);
        self.scopes.pop();
        out
    }

    fn region(&mut self, r: &Region) -> Result<(), String> {
        for node in &r.nodes {
            match node {
                Node::Let(x, op) => {
                    for a in op.operands() {
                        self.used(a, &format!("{x} = {op}"))?;
                    }
                    self.define(*x)?;
                }
                Node::Assign { var, value, .. } => {
                    self.used(*value, &format!("{var} = {value}"))?
                }
                Node::Store {
                    array,
                    index,
                    value,
                } => {
                    let by = format!("{array}[{index}] = {value}");
                    self.used(*index, &by)?;
                    self.used(*value, &by)?;
                }
                Node::FieldStore { place, value } => {
                    let by = format!("{place} = {value}");
                    for i in place.indices() {
                        self.used(i, &by)?;
                    }
                    self.used(*value, &by)?;
                }
                Node::Call(c) => {
                    for a in c.operands() {
                        self.used(a, &c.to_string())?;
                    }
                    if let CallOut::Value(x) = c.out {
                        self.define(x)?;
                    }
                }
                Node::DeclArray(a, ArrayInit::Repeat { fill, .. }) => {
                    self.used(*fill, &format!("the declaration of {a}"))?
                }
                Node::DeclArray(a, ArrayInit::Vec { fill, len }) => {
                    self.used(*fill, &format!("the declaration of {a}"))?;
                    self.used(*len, &format!("the declaration of {a}"))?;
                }
                Node::DeclVar(_) => {}
                Node::If { cond, then, els } => {
                    self.used(*cond, "a branch")?;
                    self.nested(then, None)?;
                    self.nested(els, None)?;
                }
                Node::Loop { head, body, .. } => match head {
                    LoopHead::For { var, iter } => {
                        self.used(*iter, "a loop")?;
                        self.nested(body, Some(*var))?;
                    }
                    LoopHead::Forever => self.nested(body, None)?,
                },
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::error::Errors;
    use crate::ir::Node;
    use crate::{lower, parse, passes};
    use quote::quote;

    fn lowered() -> crate::ir::Function {
        let item = quote! {
            fn f(x: &[f64], a: f64) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() {
                    let t = x[i] * a;
                    if t > 0.0 { s += t.sin() * t.sin(); } else { s -= t; }
                }
                s * a * 2.0 * 3.0
            }
        };
        let mut errors = Errors::default();
        let parsed = parse::signature(syn::parse2(item).expect("fn"), None, &mut errors);
        lower::lower(&parsed, &mut errors).expect("lowered")
    }

    #[test]
    fn lowering_and_every_ir_pass_keep_the_ir_valid() {
        let f = lowered();
        assert_eq!(check(&f), Ok(()));
        let f = passes::fold::run(f);
        assert_eq!(check(&f), Ok(()));
        let f = passes::cse::run(f);
        assert_eq!(check(&f), Ok(()));
    }

    #[test]
    fn a_use_before_its_definition_is_caught() {
        let mut f = lowered();
        // Move the loop (which uses values defined before it) to the front.
        let at = f
            .body
            .nodes
            .iter()
            .position(|n| matches!(n, Node::Loop { .. }));
        let node = f.body.nodes.remove(at.expect("a loop"));
        f.body.nodes.insert(0, node);
        assert!(check(&f).is_err());
    }

    #[test]
    fn a_use_of_a_value_from_a_closed_region_is_caught() {
        let mut f = lowered();
        // Use, after the loop, a value defined inside its body.
        let inner = f.body.nodes.iter().find_map(|n| match n {
            Node::Loop { body, .. } => body.nodes.iter().find_map(|m| match m {
                Node::Let(x, _) => Some(*x),
                _ => None,
            }),
            _ => None,
        });
        f.result = inner.expect("a value in the body");
        assert!(check(&f).is_err());
    }
}
