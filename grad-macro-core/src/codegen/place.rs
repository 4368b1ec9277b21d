//! Places inside struct parameters ([`Place`]): how the forward sweep reads them, and where the
//! reverse sweep adds their adjoints.
//!
//! The gradient with respect to a struct parameter is a value of the same type
//! (`grad::Differentiable::zero_like` of the argument); the adjoint of `p.layers[l].w[k]` is
//! `d_p.layers[l].w[k]`, reached through the parameter's slot (a `&mut S`: the pullback's
//! argument, or the companion's own gradient value).
//!
//! In the gradient twin on dual numbers (`_hvp`, `_hessian`), a differentiated struct
//! parameter `p` comes with a tangent `__grad_tan_p: &S` and its shadow `__grad_sh_p: &S`
//! (see `grad::__private::TwinField`): a float field reads as a dual number, and its adjoint
//! splits into the gradient (`d_p`) and the Hessian-vector product (a second `S`). A struct
//! left out of `wrt(...)` reads as constants.

use super::*;

impl Gen<'_> {
    /// The place as the forward sweep reads it, with its indices named by `index`.
    pub(crate) fn place_expr(
        &self,
        p: &Place,
        index: &dyn Fn(Value) -> TokenStream,
    ) -> TokenStream {
        let param = &self.f.params[p.root];
        let root = &param.ident;
        // The struct itself, not the reference to it (`Clone::clone(&(*p))` copies the struct).
        let mut out = match param.kind {
            ParamKind::Struct { by_ref: true, .. } if p.segs.iter().all(Seg::is_test) => {
                quote!((*#root))
            }
            _ => quote!(#root),
        };
        extend_path(&mut out, p, index);
        out
    }

    /// A field read by the forward sweep: the place itself, or in a twin a dual number (a
    /// differentiated struct) or a lifted constant.
    pub(crate) fn field_read(
        &self,
        p: &Place,
        index: &dyn Fn(Value) -> TokenStream,
    ) -> TokenStream {
        let value = self.place_expr(p, index);
        let Some(t) = crate::generic::param() else {
            return value;
        };
        if matches!(p.segs.last(), Some(Seg::Matches(..) | Seg::Compare(..))) {
            return value;
        }
        if crate::generic::twin().is_none() {
            return value;
        }
        if !self.twin_tangents(p.root) {
            return quote!(<_ as ::grad::__private::TwinArg<#t>>::arg(#value));
        }
        let ident = &self.f.params[p.root].ident;
        let (tan, sh) = (tangent_param(ident), shadow_param(ident));
        let (mut at, mut ats) = (quote!((*#tan)), quote!((*#sh)));
        extend_path(&mut at, p, index);
        extend_path(&mut ats, p, index);
        quote!(<_ as ::grad::__private::TwinField<#t>>::field(#value, #at, #ats))
    }

    /// Whether struct parameter `root` comes with a tangent: in a twin, a struct the
    /// function differentiates (see [`ParamKind::Struct`]).
    pub(crate) fn twin_tangents(&self, root: usize) -> bool {
        matches!(
            self.f.params[root].kind,
            ParamKind::Struct { tangent: true, .. }
        )
    }

    /// The place's adjoint, with its indices named by `index`.
    pub(crate) fn place_adj(&self, p: &Place, index: &dyn Fn(Value) -> TokenStream) -> TokenStream {
        let slot = slot(p.root);
        let mut out = quote!((*#slot));
        extend_path(&mut out, p, index);
        out
    }

    /// `to += from` for the adjoint [`Adj::Field`] `k`: for a cast read, through
    /// `add_adjoint` (see [`Seg::Cast`]).
    pub(crate) fn field_acc(&self, k: u32, from: TokenStream) -> TokenStream {
        let (p, _) = &self.plan.fields[k as usize];
        if self.twin_tangents(p.root) {
            // On duals: the two parts into the gradient and the Hessian-vector product.
            let mut base = p.clone();
            if matches!(base.segs.last(), Some(Seg::Cast(_))) {
                base.segs.pop();
            }
            let (sl, ts) = (slot(p.root), tangent_slot(p.root));
            let at = self.field_adj_of(&base, k, &quote!((*#sl)));
            let tat = self.field_adj_of(&base, k, &quote!((*#ts)));
            return quote!(::grad::__private::add_dual(&mut #at, &mut #tat, #from););
        }
        if matches!(p.segs.last(), Some(Seg::Cast(_))) {
            let mut base = p.clone();
            base.segs.pop();
            let sl = slot(p.root);
            let at = self.field_adj_of(&base, k, &quote!((*#sl)));
            return quote!(::grad::__private::add_adjoint(&mut #at, #from););
        }
        let to = self.field_adj(k);
        quote!(#to += #from;)
    }

    /// The adjoint of `p`, the place of [`Adj::Field`] `k` (or a prefix of it).
    fn field_adj_of(&self, p: &Place, k: u32, root: &TokenStream) -> TokenStream {
        let (full, saves) = &self.plan.fields[k as usize];
        let at: Vec<(Value, Save)> = full
            .indices()
            .into_iter()
            .zip(saves.iter().copied())
            .collect();
        let mut out = root.clone();
        extend_path(&mut out, p, &|x| match at.iter().find(|(y, _)| *y == x) {
            Some((_, s)) => self.saved(*s),
            None => quote!(0usize),
        });
        out
    }

    /// The adjoint [`Adj::Field`] names.
    pub(crate) fn field_adj(&self, k: u32) -> TokenStream {
        let (p, _) = &self.plan.fields[k as usize];
        let sl = slot(p.root);
        self.field_adj_of(p, k, &quote!((*#sl)))
    }

    /// The prologue of a forward or pullback twin for its struct parameters with tangents,
    /// which arrive as `impl grad::__private::TwinStruct<S>` (see `twin::with_twin_structs`):
    /// the struct, its tangent and shadow bound to the names the body uses, and in the
    /// pullback the two gradients from the slot (`grad::__private::TwinMut`).
    pub(crate) fn twin_structs(&self) -> TokenStream {
        let rt = rt();
        let mut out = TokenStream::new();
        if crate::generic::twin().is_none()
            || !(self.pullback || self.f.params.iter().all(|p| !p.wrt))
        {
            return out;
        }
        for (i, p) in self.f.params.iter().enumerate() {
            let ParamKind::Struct {
                by_ref,
                tangent: true,
                ..
            } = &p.kind
            else {
                continue;
            };
            let ident = &p.ident;
            let (tan, sh) = (tangent_param(ident), shadow_param(ident));
            let arg = crate::twin::twin_struct_arg(ident);
            let value = id("twinvalue", i);
            out.extend(quote!(let (#value, #tan, #sh) = #rt::TwinStruct::parts(&#arg);));
            if ident == "self" {
                out.extend(quote!(let _ = #value;));
            } else if *by_ref {
                out.extend(quote!(let #ident = #value;));
            } else {
                out.extend(quote!(let #ident = ::core::clone::Clone::clone(#value);));
            }
            if self.pullback && p.wrt {
                let (sl, ts) = (slot(i), tangent_slot(i));
                out.extend(quote!(let #rt::TwinMut { value: #sl, tangent: #ts } = #sl;));
            }
        }
        out
    }

    /// The prologue of the companion for its struct parameters: each gradient starts as
    /// `zero_like` of the argument, reached through the slot's name as in the pullback.
    pub(crate) fn struct_gradients(&self) -> TokenStream {
        let mut out = TokenStream::new();
        for (i, p) in self.f.params.iter().enumerate() {
            let ParamKind::Struct { ty, by_ref, .. } = &p.kind else {
                continue;
            };
            if !p.wrt {
                continue;
            }
            let (ident, owned, sl) = (&p.ident, owned(i), slot(i));
            let arg = if *by_ref {
                quote!(#ident)
            } else {
                quote!(&#ident)
            };
            let zero = super::zero_grad(ty, &arg);
            out.extend(quote! {
                let mut #owned = #zero;
                let #sl = &mut #owned;
            });
            if self.twin_tangents(i) {
                let (owned, sl) = (owned_tangent(i), tangent_slot(i));
                out.extend(quote! {
                    let mut #owned = #zero;
                    let #sl = &mut #owned;
                });
            }
        }
        out
    }
}

/// The companion's gradient value for struct parameter `i`.
pub(crate) fn owned(i: usize) -> Ident {
    id("dgrad", i)
}

/// In the gradient twin, the Hessian-vector product for struct parameter `i` (the tangent
/// part of its gradient).
pub(crate) fn owned_tangent(i: usize) -> Ident {
    id("dgradt", i)
}

/// The slot of [`owned_tangent`].
pub(crate) fn tangent_slot(i: usize) -> Ident {
    id("dpt", i)
}

/// In the gradient twin, the scratch tangent gradient of struct parameter `root` for the
/// fused loop at `ord` (beside [`super::fused_struct`]).
pub(crate) fn fused_tangent(ord: usize, root: usize) -> Ident {
    id("fzst", format!("{ord}_{root}"))
}

/// The gradient twin's parameter holding the tangent of struct parameter `p`.
pub(crate) fn tangent_param(p: &Ident) -> Ident {
    quote::format_ident!("__grad_tan_{}", p)
}

/// The gradient twin's parameter holding the shadow of [`tangent_param`] (its `zero_like`).
pub(crate) fn shadow_param(p: &Ident) -> Ident {
    quote::format_ident!("__grad_sh_{}", p)
}

pub(crate) fn extend_path(out: &mut TokenStream, p: &Place, index: &dyn Fn(Value) -> TokenStream) {
    for seg in &p.segs {
        match seg {
            Seg::Cast(t) => {
                let inner = std::mem::take(out);
                out.extend(quote!((#inner as #t)));
            }
            Seg::Matches(pat, by_ref) => {
                let inner = std::mem::take(out);
                let r = by_ref.then(|| quote!(&));
                out.extend(super::matches(quote!(#r #inner), pat));
            }
            Seg::Compare(op, c, swapped) => {
                let inner = std::mem::take(out);
                out.extend(if *swapped {
                    quote!((#c #op #inner))
                } else {
                    quote!((#inner #op #c))
                });
            }
            Seg::Field(m) => out.extend(quote!(.#m)),
            Seg::Range(lo, hi) => {
                let (lo, hi) = (index(*lo), index(*hi));
                out.extend(quote!([#lo..#hi]));
            }
            Seg::Index(v) => {
                let i = index(*v);
                out.extend(quote!([#i]));
            }
        }
    }
}
