//! Places passed to calls in twins (code on dual numbers, for `hessian`): `dot(&self.w, x)`,
//! `self.layers[0].forward(x, &mut h)`. The macro does not know a place's type, so the
//! argument and the adjoint slot are built by `grad::__private::twin_place`'s probes: floats as
//! dual numbers, a struct with its tangent (`TwinRef`) and its two gradients (`TwinMut`),
//! anything else as it is. A method's receiver is passed as written and again after the
//! arguments, with its tangent (see `twin::with_twin_structs`).

use super::*;

/// The traits the probes' methods come from.
fn probes() -> TokenStream {
    let rt = rt();
    quote! {
        #[allow(unused_imports)]
        use #rt::twin_place::{
            ConstArray as _, ConstFloats as _, ConstOther as _, ConstSlotArray as _,
            ConstSlotFloats as _, ConstSlotInts as _, ConstSlotOther as _,
            ConstSlotStruct as _, PlaceArray as _, PlaceFloats as _, PlaceInts as _,
            PlaceOther as _, PlaceStruct as _, SlotArray as _, SlotFloats as _, SlotInts as _,
            SlotOther as _, SlotStruct as _,
        };
    }
}

impl Gen<'_> {
    /// The place `p` and, where its struct carries a tangent, its tangent and shadow places.
    fn twin_places(
        &self,
        p: &Place,
        value: &dyn Fn(Value) -> TokenStream,
    ) -> (TokenStream, Option<(TokenStream, TokenStream)>) {
        let e = self.place_expr(p, value);
        if !self.twin_tangents(p.root) {
            return (e, None);
        }
        let ident = &self.f.params[p.root].ident;
        let (tan, sh) = (place::tangent_param(ident), place::shadow_param(ident));
        let (mut at, mut ats) = (quote!((*#tan)), quote!((*#sh)));
        place::extend_path(&mut at, p, value);
        place::extend_path(&mut ats, p, value);
        (e, Some((at, ats)))
    }

    /// A place passed to a call by a twin (not as the receiver): dual numbers for floats, the
    /// struct with its tangent, anything else as it is.
    ///
    /// `owned`: the argument is passed by value (a row copied, `f(w, pos[i])`), so an array
    /// of duals goes as it is, not by reference.
    pub(crate) fn twin_place_arg(
        &self,
        p: &Place,
        value: &dyn Fn(Value) -> TokenStream,
        owned: bool,
    ) -> TokenStream {
        let (rt, float, uses) = (rt(), &self.f.float, probes());
        let probe = match self.twin_places(p, value) {
            (e, Some((at, ats))) => quote!(#rt::twin_place::PlaceProbe(&#e, &#at, &#ats)),
            (e, None) => quote!(#rt::twin_place::ConstProbe(&#e)),
        };
        if owned {
            quote!({ #uses (&&&#probe).twin_place::<#float>() })
        } else {
            quote!(#rt::twin_place::arg(&{ #uses (&&&#probe).twin_place::<#float>() }))
        }
    }

    /// A method's receiver passed again after the arguments, with its tangent.
    pub(crate) fn twin_receiver(
        &self,
        p: &Place,
        value: &dyn Fn(Value) -> TokenStream,
    ) -> TokenStream {
        let rt = rt();
        match self.twin_places(p, value) {
            (e, Some((at, ats))) => quote! {
                #rt::TwinRef { value: &#e, tangent: &#at, shadow: &#ats }
            },
            (e, None) => quote!(&#e),
        }
    }

    /// The adjoint slot of place argument `k` in a twin's reverse sweep: a binding made before
    /// the call, the slot, and what to do after the call (split dual adjoints of floats into
    /// the gradient and the Hessian-vector product).
    ///
    /// `again`: an earlier argument of the call is a place of the same struct, whose adjoint
    /// the slot cannot borrow at the same time: the slot is a scratch one, added in after.
    pub(crate) fn twin_place_slot(
        &self,
        k: usize,
        p: &Place,
        again: bool,
        value: &dyn Fn(Value) -> TokenStream,
    ) -> (TokenStream, TokenStream, TokenStream) {
        let (rt, float, uses) = (rt(), &self.f.float, probes());
        let name = id("tslot", k);
        let (e, tangents) = self.twin_places(p, value);
        let targets = tangents.map(|_| {
            let d = self.place_adj(p, value);
            let ts = place::tangent_slot(p.root);
            let mut dt = quote!((*#ts));
            place::extend_path(&mut dt, p, value);
            (d, dt)
        });
        let (probe, finish) = match targets {
            Some((d, dt)) if again => (
                quote!(#rt::twin_place::ConstSlotProbe(&#e)),
                quote!(#name.add_into(&mut #d, &mut #dt);),
            ),
            Some((d, dt)) => (
                quote!(#rt::twin_place::SlotProbe::new(&mut #d, &mut #dt)),
                quote!(#name.finish();),
            ),
            None => (
                quote!(#rt::twin_place::ConstSlotProbe(&#e)),
                quote!(#name.finish();),
            ),
        };
        (
            quote!(let mut #name = { #uses (&&&#probe).twin_slot::<#float>() };),
            quote!(#name.arg()),
            finish,
        )
    }

    /// In a plain companion, the slot of place argument `k` of a differentiated struct: the
    /// place's adjoint, or `()` where the place holds integers (a `Vec<usize>` field).
    pub(crate) fn first_place_slot(
        &self,
        k: usize,
        p: &Place,
        value: &dyn Fn(Value) -> TokenStream,
    ) -> (TokenStream, TokenStream) {
        let rt = rt();
        let name = id("tslot", k);
        let d = self.place_adj(p, value);
        (
            quote! {
                let mut #name = {
                    #[allow(unused_imports)]
                    use #rt::twin_place::{FirstSlotInts as _, FirstSlotOther as _};
                    (&&&#rt::twin_place::FirstSlotProbe::new(&mut #d)).first_slot()
                };
            },
            quote!(#name.first_order_arg()),
        )
    }

    /// In a plain companion, a scratch slot for place argument `k` of a struct whose gradient
    /// is not taken (the slot's type follows the place's: floats, a struct, `()`).
    pub(crate) fn scratch_place_slot(
        &self,
        k: usize,
        p: &Place,
        value: &dyn Fn(Value) -> TokenStream,
    ) -> (TokenStream, TokenStream) {
        let (rt, float, uses) = (rt(), &self.f.float, probes());
        let name = id("tslot", k);
        let e = self.place_expr(p, value);
        (
            quote! {
                let mut #name = {
                    #uses
                    (&&&#rt::twin_place::ConstSlotProbe(&#e)).twin_slot::<#float>()
                };
            },
            quote!(#name.first_order_arg()),
        )
    }

    /// In a plain companion, the slot of a shared place argument `k` of a struct an earlier
    /// argument of the call is a place of too (`dot(&self.v, &self.v)`): a scratch one
    /// ([`Self::scratch_place_slot`]), added into the place's adjoint after the call.
    pub(crate) fn again_place_slot(
        &self,
        k: usize,
        p: &Place,
        value: &dyn Fn(Value) -> TokenStream,
    ) -> (TokenStream, TokenStream, TokenStream) {
        let (bind, slot) = self.scratch_place_slot(k, p, value);
        let (name, d) = (id("tslot", k), self.place_adj(p, value));
        (bind, slot, quote!(#name.add_value_into(&mut #d);))
    }
}
