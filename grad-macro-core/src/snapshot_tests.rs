//! Snapshot tests of the IR text and of the generated code (insta + prettyplease), so that a
//! change in what the macro generates is visible in review. Numbers are checked elsewhere
//! (`tests/` of the `grad` crate), so a snapshot update can never hide a wrong gradient.

use crate::error::Errors;
use crate::{listing, parse, pipeline};
use proc_macro2::TokenStream;
use quote::quote;

/// The IR text and the doc listing of a function.
fn ir_and_listing(attr: TokenStream, item: TokenStream) -> (String, String) {
    let mut errors = Errors::default();
    let attr = parse::attribute(attr, &mut errors);
    let item: syn::ItemFn = syn::parse2(item).expect("test input is a function");
    let parsed = parse::signature(item, attr.wrt, &mut errors);
    let (f, plan) = pipeline::compile(&parsed, attr.passes, &mut errors).expect("compiled");
    (f.to_string(), listing::listing(&f, &plan))
}

fn ir_of(attr: TokenStream, item: TokenStream) -> String {
    ir_and_listing(attr, item).0
}

fn listing_of(attr: TokenStream, item: TokenStream) -> String {
    ir_and_listing(attr, item).1
}

fn expansion(attr: TokenStream, item: TokenStream) -> String {
    let out = pipeline::expand(attr, item);
    let file: syn::File = syn::parse2(out).expect("expansion parses as a file");
    prettyplease::unparse(&file)
}

fn seed() -> TokenStream {
    quote! {
        fn loss(x1: f64, x2: f64, x3: f64) -> f64 {
            let a = x1 * x2;
            a.ln() + (x1 * x3).sin() + x2 * x3
        }
    }
}

fn rosenbrock() -> TokenStream {
    quote! {
        fn rosen(x: &[f64]) -> f64 {
            let mut s = 0.0;
            for i in 0..x.len() - 1 {
                let a = 1.0 - x[i];
                let b = x[i + 1] - x[i] * x[i];
                s += a * a + 100.0 * b * b;
            }
            s
        }
    }
}

fn piecewise() -> TokenStream {
    quote! {
        fn piece(x: f64, k: i32) -> f64 {
            if x < 0.0 {
                return -x;
            }
            let y = if x > 1.0 { x.powi(k) } else { x.sin() };
            y * 2.0
        }
    }
}

#[test]
fn ir_seed() {
    insta::assert_snapshot!(ir_of(quote!(), seed()));
}

#[test]
fn ir_loop() {
    insta::assert_snapshot!(ir_of(quote!(), rosenbrock()));
}

#[test]
fn ir_branch() {
    insta::assert_snapshot!(ir_of(quote!(), piecewise()));
}

#[test]
fn listing_seed() {
    insta::assert_snapshot!(listing_of(quote!(), seed()));
}

#[test]
fn listing_loop() {
    insta::assert_snapshot!(listing_of(quote!(), rosenbrock()));
}

#[test]
fn listing_branch() {
    insta::assert_snapshot!(listing_of(quote!(), piecewise()));
}

/// The listing is in the companion's rustdoc.
#[test]
fn listing_is_the_companions_doc() {
    let out = pipeline::expand(quote!(), seed()).to_string();
    let listing = listing_of(quote!(), seed());
    let lit = proc_macro2::Literal::string(&listing).to_string();
    assert!(out.contains(&lit[1..lit.len() - 1]), "{out}");
}

#[test]
fn expand_seed() {
    insta::assert_snapshot!(expansion(quote!(), seed()));
}

#[test]
fn expand_wrt() {
    insta::assert_snapshot!(expansion(quote!(wrt(x1)), seed()));
}

#[test]
fn expand_loop() {
    insta::assert_snapshot!(expansion(quote!(), rosenbrock()));
}

#[test]
fn expand_branch() {
    insta::assert_snapshot!(expansion(quote!(), piecewise()));
}

#[test]
fn errors_still_emit_function_and_stub() {
    let out = expansion(
        quote!(),
        quote! {
            fn bad(x: f64) -> f64 {
                let f = unsafe { x * 2.0 };
                x.frobnicate() + f
            }
        },
    );
    assert!(out.contains("compile_error"));
    assert!(out.contains("fn bad("));
    assert!(out.contains("fn bad_grad("));
    assert_eq!(out.matches("compile_error").count(), 2, "{out}");
}

/// An iterator chain: one loop over a counter, `zip` reading both sides at the counter, the
/// float `sum` starting from `-0.0` as std's does.
fn chain() -> TokenStream {
    quote! {
        fn dot(a: &[f64], b: &[f64]) -> f64 {
            a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>()
        }
    }
}

#[test]
fn ir_chain() {
    insta::assert_snapshot!(ir_of(quote!(), chain()));
}

#[test]
fn ir_array_values() {
    insta::assert_snapshot!(ir_of(
        quote!(),
        quote! {
            fn step(s: [f64; 2], h: f64) -> f64 {
                let [x, v] = s;
                let mut t = [x + h * v, v - h * x];
                t.swap(0, 1);
                let m = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                m + t.iter().max_by(|p, q| p.total_cmp(q)).copied().unwrap()
            }
        }
    ));
}
