//! Places inside struct parameters ([`Place`]): how the forward sweep reads them, and where the
//! reverse sweep adds their adjoints.
//!
//! The gradient with respect to a struct parameter is a value of the same type
//! (`grad::Differentiable::zero_like` of the argument); the adjoint of `p.layers[l].w[k]` is
//! `d_p.layers[l].w[k]`, reached through the parameter's slot (a `&mut S`: the pullback's
//! argument, or the companion's own gradient value).

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
            ParamKind::Struct { by_ref: true, .. } if p.segs.is_empty() => quote!((*#root)),
            _ => quote!(#root),
        };
        extend_path(&mut out, p, index);
        out
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
        if matches!(p.segs.last(), Some(Seg::Cast(_))) {
            let mut base = p.clone();
            base.segs.pop();
            let at = self.field_adj_of(&base, k);
            return quote!(::grad::__private::add_adjoint(&mut #at, #from););
        }
        let to = self.field_adj(k);
        quote!(#to += #from;)
    }

    /// The adjoint of `p`, the place of [`Adj::Field`] `k` (or a prefix of it).
    fn field_adj_of(&self, p: &Place, k: u32) -> TokenStream {
        let (full, saves) = &self.plan.fields[k as usize];
        let at: Vec<(Value, Save)> = full
            .indices()
            .into_iter()
            .zip(saves.iter().copied())
            .collect();
        self.place_adj(p, &|x| match at.iter().find(|(y, _)| *y == x) {
            Some((_, s)) => self.saved(*s),
            None => quote!(0usize),
        })
    }

    /// The adjoint [`Adj::Field`] names.
    pub(crate) fn field_adj(&self, k: u32) -> TokenStream {
        self.field_adj_of(&self.plan.fields[k as usize].0, k)
    }

    /// The prologue of the companion for its struct parameters: each gradient starts as
    /// `zero_like` of the argument, reached through the slot's name as in the pullback.
    pub(crate) fn struct_gradients(&self) -> TokenStream {
        let rt = rt();
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
            out.extend(quote! {
                let mut #owned = <#ty as #rt::Differentiable>::zero_like(#arg);
                let #sl = &mut #owned;
            });
        }
        out
    }
}

/// The companion's gradient value for struct parameter `i`.
pub(crate) fn owned(i: usize) -> Ident {
    id("dgrad", i)
}

fn extend_path(out: &mut TokenStream, p: &Place, index: &dyn Fn(Value) -> TokenStream) {
    for seg in &p.segs {
        match seg {
            Seg::Cast(t) => {
                let inner = std::mem::take(out);
                out.extend(quote!((#inner as #t)));
            }
            Seg::Field(m) => out.extend(quote!(.#m)),
            Seg::Index(v) => {
                let i = index(*v);
                out.extend(quote!([#i]));
            }
        }
    }
}
