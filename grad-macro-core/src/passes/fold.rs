//! Constant folding: `+`, `-`, `*` and `/` of float literals become one literal, computed in
//! the function's float type (`2.0 * PI_ISH / 3.0` costs nothing at run time, and its partials
//! are never asked for).
//!
//! Only exact IEEE operations are folded, so the literal is the bits the plain function
//! computes; transcendental functions are left to run time (the macro's host and the target
//! need not share a math library). A result that is not finite or not positive stays as it
//! was: a literal token cannot spell it.

use crate::ir::*;
use crate::parse::{float_of, FloatTy};
use proc_macro2::{Literal, TokenStream, TokenTree};
use std::collections::HashMap;

/// Runs the pass.
pub fn run(mut f: Function) -> Function {
    let Some(float) = float_of(&f.float) else {
        return f;
    };
    let mut known = HashMap::new();
    let mut body = std::mem::take(&mut f.body);
    region(&mut body, float, &f.value_ty, &mut known);
    f.body = body;
    f
}

/// A float literal's value in the function's type.
#[derive(Clone, Copy)]
enum Num {
    F32(f32),
    F64(f64),
}

fn literal(t: &TokenStream, float: FloatTy) -> Option<Num> {
    let lit: syn::LitFloat = syn::parse2(t.clone()).ok()?;
    match (float, lit.suffix()) {
        (FloatTy::F64, "" | "f64") => lit.base10_parse().ok().map(Num::F64),
        (FloatTy::F32, "" | "f32") => lit.base10_parse().ok().map(Num::F32),
        _ => None,
    }
}

fn apply(rule: &str, a: Num, b: Num) -> Option<Num> {
    Some(match (a, b) {
        (Num::F64(a), Num::F64(b)) => Num::F64(match rule {
            "add" => a + b,
            "sub" => a - b,
            "mul" => a * b,
            "div" => a / b,
            _ => return None,
        }),
        (Num::F32(a), Num::F32(b)) => Num::F32(match rule {
            "add" => a + b,
            "sub" => a - b,
            "mul" => a * b,
            "div" => a / b,
            _ => return None,
        }),
        _ => return None,
    })
}

/// The literal spelling `n`, if there is one (finite and positive, sign bit clear).
fn spell(n: Num) -> Option<TokenStream> {
    let lit = match n {
        Num::F64(x) if x.is_finite() && x.is_sign_positive() => Literal::f64_suffixed(x),
        Num::F32(x) if x.is_finite() && x.is_sign_positive() => Literal::f32_suffixed(x),
        _ => return None,
    };
    Some(TokenTree::Literal(lit).into())
}

fn region(r: &mut Region, float: FloatTy, ty: &[Ty], known: &mut HashMap<Value, Num>) {
    for node in &mut r.nodes {
        match node {
            Node::Let(x, op) => {
                if ty[x.0 as usize] != Ty::Float {
                    continue;
                }
                let folded = match op {
                    Op::Const(t) => {
                        if let Some(n) = literal(t, float) {
                            known.insert(*x, n);
                        }
                        continue;
                    }
                    Op::Copy(a) => known.get(a).copied(),
                    Op::Prim { prim, args, .. } if args.len() == 2 => {
                        match (known.get(&args[0]), known.get(&args[1])) {
                            (Some(a), Some(b)) => apply(prim.rule, *a, *b),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                if let Some((n, t)) = folded.and_then(|n| Some((n, spell(n)?))) {
                    known.insert(*x, n);
                    *op = Op::Const(t);
                }
            }
            Node::If { then, els, .. } => {
                region(then, float, ty, known);
                region(els, float, ty, known);
            }
            Node::Loop { body, .. } => region(body, float, ty, known),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::passes::test_util::ir_after;
    use quote::quote;

    #[test]
    fn literal_arithmetic_becomes_one_literal() {
        let (before, after) = ir_after(
            super::run,
            quote! {
                fn f(x: f64) -> f64 {
                    let c = 2.0 * 3.0 / 4.0;
                    x * c + (1.0 - 0.25)
                }
            },
        );
        assert!(before.contains("div"), "{before}");
        assert!(after.contains("const 1.5f64"), "{after}");
        assert!(after.contains("const 0.75f64"), "{after}");
        assert_eq!(after.matches("mul").count(), 1, "{after}");
        assert!(!after.contains("div") && !after.contains("sub"), "{after}");
    }

    #[test]
    fn f32_folds_in_f32_and_negative_or_infinite_results_stay() {
        let (_, after) = ir_after(
            super::run,
            quote! {
                fn f(x: f32) -> f32 {
                    x * (0.1 + 0.2) + (1.0 - 2.0) + 1.0 / 0.0
                }
            },
        );
        // 0.1f32 + 0.2f32 rounds to 0.3f32 exactly, unlike in f64.
        assert!(
            after.contains(&format!("const {:?}f32", 0.1f32 + 0.2f32)),
            "{after}"
        );
        assert!(after.contains("sub") && after.contains("div"), "{after}");
    }

    #[test]
    fn folded_literals_are_the_run_time_bits() {
        let (_, after) = ir_after(
            super::run,
            quote! {
                fn f(x: f64) -> f64 {
                    x * (0.1 + 0.2)
                }
            },
        );
        let expected: f64 = 0.1 + 0.2;
        let text = after
            .lines()
            .find(|l| l.contains("f64"))
            .expect("the folded constant");
        let lit = text.split("const ").nth(1).expect("literal").trim();
        let parsed: f64 = lit.trim_end_matches("f64").parse().expect("a number");
        assert_eq!(parsed.to_bits(), expected.to_bits(), "{after}");
    }
}
