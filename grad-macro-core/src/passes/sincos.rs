//! Fusing `sin`/`cos` pairs: where a region computes both `x.sin()` and `x.cos()`, the forward
//! sweep evaluates them once with `grad_runtime::rules::sin_cos`, which returns both values
//! and both partials (the partial of the sine is the cosine, and of the cosine minus the
//! sine): two evaluations instead of four. Rotations, polar coordinates and Fourier terms are
//! full of such pairs.
//!
//! The fused rule computes each quantity exactly as the two rules do, so values and gradients
//! are the same to the bit with the pass off.

use crate::activity::Activity;
use crate::ir::*;
use std::collections::{HashMap, HashSet};

/// The fused pairs of a function.
#[derive(Default)]
pub struct Pairs {
    /// The first of a pair in program order → (the sine, the cosine).
    pub first: HashMap<Value, (Value, Value)>,
    /// The second of a pair, already computed with the first.
    pub second: HashSet<Value>,
}

/// Finds, in every region, the first `sin` and the first `cos` of each operand; a pair is
/// fused when at least one of the two carries a derivative.
pub fn pairs(f: &Function, act: &Activity) -> Pairs {
    let mut out = Pairs::default();
    region(&f.body, act, &mut out);
    out
}

fn region(r: &Region, act: &Activity, out: &mut Pairs) {
    // Operand → (first sine, first cosine) seen in this region, in order.
    let mut seen: HashMap<Value, (Option<Value>, Option<Value>)> = HashMap::new();
    let mut order: Vec<Value> = Vec::new();
    for node in &r.nodes {
        match node {
            Node::Let(x, Op::Prim { prim, args, .. }) if matches!(prim.rule, "sin" | "cos") => {
                let entry = seen.entry(args[0]).or_default();
                let slot = if prim.rule == "sin" {
                    &mut entry.0
                } else {
                    &mut entry.1
                };
                if slot.is_none() {
                    *slot = Some(*x);
                    order.push(*x);
                }
            }
            Node::If { then, els, .. } => {
                region(then, act, out);
                region(els, act, out);
            }
            Node::Loop { body, .. } => region(body, act, out),
            _ => {}
        }
    }
    let pos: HashMap<Value, usize> = order.iter().enumerate().map(|(i, v)| (*v, i)).collect();
    for (sin, cos) in seen.values().filter_map(|(s, c)| Some(((*s)?, (*c)?))) {
        if !act.value[sin.0 as usize] && !act.value[cos.0 as usize] {
            continue;
        }
        let (first, second) = if pos[&sin] < pos[&cos] {
            (sin, cos)
        } else {
            (cos, sin)
        };
        out.first.insert(first, (sin, cos));
        out.second.insert(second);
    }
}

#[cfg(test)]
mod tests {
    use crate::passes::test_util::compiled;
    use quote::quote;

    fn fused(item: proc_macro2::TokenStream) -> usize {
        let (_, plan) = compiled(item);
        assert_eq!(
            plan.sincos_pairs.first.len(),
            plan.sincos_pairs.second.len()
        );
        plan.sincos_pairs.first.len()
    }

    #[test]
    fn a_rotation_fuses_one_pair_per_angle() {
        let n = fused(quote! {
            fn f(t: f64, u: f64, x: f64) -> f64 {
                let c = t.cos();
                let a = x * c - x * t.sin();
                a + u.sin() * u.cos() + x.sin()
            }
        });
        assert_eq!(n, 2);
    }

    #[test]
    fn pairs_do_not_cross_regions_or_join_constants() {
        let n = fused(quote! {
            fn f(t: f64, n: usize) -> f64 {
                let mut s = t.sin();
                for _ in 0..n {
                    s += t.cos();
                }
                let k = 2.0;
                s + k.sin() * k.cos()
            }
        });
        assert_eq!(n, 0);
    }
}
