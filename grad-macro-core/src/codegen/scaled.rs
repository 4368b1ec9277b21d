//! Products by a float literal, on dual numbers.
//!
//! In a twin (or a function generic over its float type) a literal is lifted to the float
//! type: on dual numbers `2.0` becomes `2 + 0ε`, and `2.0 * a` a full dual product, whose
//! tangent `2 · da + a · 0` costs two multiplications, an addition and a NaN test (`a · 0`
//! does not fold: it is NaN for an infinite `a`). Where one factor is a literal the generated
//! code multiplies through `Float::mul_const` instead: the same value (one product of the same
//! two floats), and on dual numbers the tangent `da · 2` alone. In the reverse sweep an
//! adjoint scaled by such a partial (`d_a += d_v * 2`) goes the same way. On `f64` and `f32`
//! `mul_const` is the product itself, so concrete companions are written as before.
//!
//! A literal cannot be NaN, so the product has the same bits whichever side it is on; its
//! tangent keeps the strong zeros of `grad::Dual` (see `Dual::mul_const`).

use super::Gen;
use crate::adjoint::SaveSource;
use crate::ir::*;

impl Gen<'_> {
    /// Whether `x` is a float literal (`2.0`, `-0.5`, `3`) in code over a generic float type.
    pub(crate) fn literal(&self, x: Value) -> bool {
        if crate::generic::param().is_none() {
            return false;
        }
        let mut x = x;
        loop {
            match self.defs.get(&x) {
                Some(Op::Const(t)) => {
                    return matches!(
                        syn::parse2::<syn::Lit>(t.clone()),
                        Ok(syn::Lit::Float(_) | syn::Lit::Int(_))
                    )
                }
                Some(Op::Copy(a)) => x = *a,
                Some(Op::Prim { prim, args, .. }) if prim.rule == "neg" => x = args[0],
                _ => return false,
            }
        }
    }

    /// For `a * b` with exactly one literal factor: the other one's position (0 or 1).
    pub(crate) fn scaled(&self, prim: &Prim, args: &[Value]) -> Option<usize> {
        if prim.rule != "mul" {
            return None;
        }
        match (self.literal(args[0]), self.literal(args[1])) {
            (true, false) => Some(1),
            (false, true) => Some(0),
            _ => None,
        }
    }

    /// Whether a saved partial is a literal: `b` for `a * b` with respect to `a`.
    pub(crate) fn literal_partial(&self, source: &SaveSource) -> bool {
        let SaveSource::Partial(x, k) = source else {
            return false;
        };
        match self.defs.get(x) {
            Some(Op::Prim { prim, args, .. }) => self.scaled(prim, args) == Some(*k),
            _ => false,
        }
    }
}
