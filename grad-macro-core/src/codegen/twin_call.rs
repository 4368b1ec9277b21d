//! Calls in twins (code on dual numbers, for `jvp` / `hessian`): a call of a function of
//! floats goes through the callee's `_jvp` or `_hvp`, generated or written by hand.

use super::*;

impl Gen<'_> {
    /// A call of a differentiable function in a twin (code on dual numbers): its arguments
    /// taken apart into values and tangents, the callee's `_jvp` or `_hvp` called on them (see
    /// [`crate::generic::twin_call`]), the result and, where the reverse sweep needs them, the
    /// partials put together as dual numbers: the partial for argument `i` is
    /// `(g_i, (H t)_i)`, the derivative of `g_i` along the tangents.
    pub(crate) fn twin_call(
        &self,
        x: Value,
        path: &syn::Path,
        args: &[Ident],
        kinds: &[ArgKind],
        original: &syn::Type,
    ) -> TokenStream {
        let span = self.f.span(x);
        let (vx, rt) = (v(x), rt());
        let float = &self.f.float;
        let tangent = quote!(<#float as #rt::Tangent<#original>>);
        let floats: Vec<usize> = (0..args.len())
            .filter(|&i| kinds[i] == ArgKind::Float)
            .collect();
        let (values, tangents): (Vec<Ident>, Vec<Ident>) = floats
            .iter()
            .map(|&i| {
                (
                    id("tv", format!("{}_{i}", x.0)),
                    id("te", format!("{}_{i}", x.0)),
                )
            })
            .unzip();
        let mut out = TokenStream::new();
        for ((&i, tv), te) in floats.iter().zip(&values).zip(&tangents) {
            let a = &args[i];
            out.extend(quote!(let (#tv, #te): (#original, #original) = #tangent::parts(#a);));
        }
        let passed: Vec<TokenStream> = (0..args.len())
            .map(|i| match floats.iter().position(|&j| j == i) {
                Some(k) => {
                    let tv = &values[k];
                    quote!(#tv)
                }
                None => {
                    let a = &args[i];
                    quote!(#a)
                }
            })
            .collect();
        if floats.is_empty() {
            let value = quote_spanned!(span=> #path(#(#passed),*));
            out.extend(quote!(let #vx = <#float as #rt::Lift<#original>>::lift(#value);));
            return out;
        }
        let forward = !self.f.params.iter().any(|p| p.wrt);
        let (r, g) = (id("tr", x.0), id("tg", x.0));
        match crate::generic::twin_call(forward) {
            crate::generic::TwinCall::Jvp => {
                let f = suffixed(path, crate::symbol::JVP_SUFFIX);
                out.extend(quote_spanned! {span=>
                    let #r: (#original, #original) = #f(#(#passed,)* #(#tangents),*);
                    let #vx = #tangent::from_parts(#r.0, #r.1);
                });
            }
            crate::generic::TwinCall::Hvp => {
                let f = suffixed(path, crate::symbol::HVP_SUFFIX);
                let gs: Vec<TokenStream> = (0..floats.len())
                    .map(|k| {
                        let k = syn::Index::from(1 + k);
                        quote!(#r.#k)
                    })
                    .collect();
                let hs: Vec<TokenStream> = (0..floats.len())
                    .map(|k| {
                        let k = syn::Index::from(1 + floats.len() + k);
                        quote!(#r.#k)
                    })
                    .collect();
                // Typed, so a missing `_hvp` is the one error rustc reports here.
                let types = (0..1 + 2 * floats.len()).map(|_| original);
                out.extend(quote_spanned! {span=>
                    let #r: (#(#types),*) = #f(#(#passed,)* #(#tangents),*);
                    let #g: #original = #rt::dot(&[#(#gs),*], &[#(#tangents),*]);
                    let #vx = #tangent::from_parts(#r.0, #g);
                });
                if self.active(x) {
                    for (k, (gk, hk)) in gs.iter().zip(&hs).enumerate() {
                        let pk = p(x, k);
                        out.extend(quote!(let #pk = #tangent::from_parts(#gk, #hk);));
                    }
                }
            }
        }
        out
    }
}
