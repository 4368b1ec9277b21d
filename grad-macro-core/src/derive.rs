//! `#[derive(Differentiable)]`: the runtime's `Differentiable` trait for a struct, field by
//! field. Every field goes through its type's own impl (so nested derived structs, `Vec`s and
//! arrays of them work); a field marked `#[grad(skip)]` is a constant, left alone by the
//! other methods; `zero_like` zeroes it where its type is `Differentiable` (its slot in a
//! gradient, put back by `restore_constants`) and clones it otherwise.

use crate::codegen::rt;
use crate::error::Errors;
use crate::symbol::{GRAD_ATTR, SKIP};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Fields, Ident, Member, Meta, Type};

/// What an enum or a union is told.
const STRUCTS_ONLY: &str = "`#[derive(Differentiable)]` supports structs and enums of unit \
    variants (constants) only: use a struct (named, tuple or unit) whose fields hold the \
    parameters, since a gradient has its value's shape and the shape of an enum with data \
    or of a union changes with its contents";

/// What an unknown `#[grad(...)]` on a field is told.
const UNKNOWN: &str = "unknown `grad` attribute; the one accepted is `#[grad(skip)]`: the \
    field is a constant, copied into the gradient and never differentiated";

/// What `#[grad(...)]` on the struct itself is told.
const ON_FIELDS: &str = "`#[grad(...)]` goes on a field, not on the struct: `#[grad(skip)]` \
    marks a field as a constant";

/// The implementation of `Differentiable` for a struct, or `compile_error!`s under the
/// offending tokens (an enum, a union, an unknown `#[grad(...)]`). With attribute errors the
/// implementation is still emitted, so that uses of the struct do not add errors of their own.
pub fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::default();
    let fields = match &input.data {
        Data::Struct(s) => &s.fields,
        // An enum of unit variants (a setting: `enum Act { Relu, Tanh }`) is a constant.
        Data::Enum(e) if e.variants.iter().all(|v| matches!(v.fields, Fields::Unit)) => {
            return constant_enum(&input, e);
        }
        Data::Enum(e) => return refuse(&e.enum_token, &input.ident),
        Data::Union(u) => return refuse(&u.union_token, &input.ident),
    };
    for attr in grad_attrs(&input.attrs) {
        errors.on(attr, ON_FIELDS);
    }
    let fields = fields_of(fields, &mut errors);
    let implementation = implementation(&input, &fields);
    let errors = errors.to_compile_errors();
    quote!(#errors #implementation)
}

/// `Differentiable` for an enum whose variants carry nothing: a constant (no floats, the same
/// variant in its gradient), as the runtime's impls for integers are.
fn constant_enum(input: &DeriveInput, e: &syn::DataEnum) -> TokenStream {
    let rt = rt();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let name = &input.ident;
    let variants: Vec<&Ident> = e.variants.iter().map(|v| &v.ident).collect();
    let same = quote!(match self { #(Self::#variants => Self::#variants,)* });
    let from_primal = quote!(match primal { #(Self::#variants => Self::#variants,)* });
    quote! {
        #[automatically_derived]
        impl #impl_generics #rt::Differentiable for #name #ty_generics #where_clause {
            #[inline]
            fn zero_like(&self) -> Self {
                #same
            }
            #[inline]
            fn accumulate(&mut self, _: &Self) {}
            #[inline]
            fn axpy(&mut self, _: ::core::primitive::f64, _: &Self) {}
            #[inline]
            fn flatten(&self, _: &mut ::std::vec::Vec<::core::primitive::f64>) {}
            #[inline]
            fn unflatten(&mut self, _: &mut &[::core::primitive::f64]) {}
            #[inline]
            fn param_count(&self) -> ::core::primitive::usize {
                0
            }
            #[inline]
            fn restore_constants(&mut self, primal: &Self) {
                *self = #from_primal;
            }
        }
    }
}

/// The error for an enum or a union, under its keyword and name.
fn refuse(keyword: &impl quote::ToTokens, ident: &Ident) -> TokenStream {
    syn::Error::new_spanned(quote!(#keyword #ident), STRUCTS_ONLY).to_compile_error()
}

/// One field of the struct as the impl uses it.
struct Field<'a> {
    member: Member,
    ty: &'a Type,
    /// `#[grad(skip)]`: a constant.
    skip: bool,
}

fn fields_of<'a>(fields: &'a Fields, errors: &mut Errors) -> Vec<Field<'a>> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| Field {
            member: match &f.ident {
                Some(name) => Member::Named(name.clone()),
                None => Member::Unnamed(syn::Index {
                    index: i as u32,
                    span: f.ty.span(),
                }),
            },
            ty: &f.ty,
            skip: is_skipped(&f.attrs, errors),
        })
        .collect()
}

/// The `#[grad(...)]` attributes among `attrs`.
fn grad_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident(GRAD_ATTR))
}

/// Whether a field carries `#[grad(skip)]`; anything else inside `#[grad(...)]` is an error.
fn is_skipped(attrs: &[Attribute], errors: &mut Errors) -> bool {
    let mut skip = false;
    for attr in grad_attrs(attrs) {
        let list = match &attr.meta {
            Meta::List(list) if !list.tokens.is_empty() => list,
            _ => {
                errors.on(attr, UNKNOWN);
                continue;
            }
        };
        let parsed = list.parse_nested_meta(|meta| {
            if !meta.path.is_ident(SKIP) {
                return Err(meta.error(UNKNOWN));
            }
            if !(meta.input.is_empty() || meta.input.peek(syn::Token![,])) {
                return Err(meta.error("`skip` takes no value: write `#[grad(skip)]`"));
            }
            skip = true;
            Ok(())
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    skip
}

/// `impl Differentiable for Name<..> where T: Differentiable, ..`.
fn implementation(input: &DeriveInput, fields: &[Field]) -> TokenStream {
    let rt = rt();
    let mut generics = input.generics.clone();
    let bounds: Vec<syn::WherePredicate> = generics
        .type_params()
        .map(|p| {
            // At the derive's span, not the parameter's: a bound in the user's span would be
            // linted as the user's (clippy's `type_repetition_in_bounds` after `T: Real`).
            let mut ident = p.ident.clone();
            ident.set_span(Span::call_site());
            syn::parse_quote!(#ident: #rt::Differentiable)
        })
        .collect();
    generics.make_where_clause().predicates.extend(bounds);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let name = &input.ident;
    let methods = methods(fields);
    quote! {
        #[automatically_derived]
        impl #impl_generics #rt::Differentiable for #name #ty_generics #where_clause {
            #methods
        }
    }
}

/// A parameter name of a generated method, or `_` when no field uses it (a unit struct, or
/// every field skipped), so that the impl trips no `unused_variables`.
fn param(name: &str, used: bool) -> TokenStream {
    if used {
        let ident = Ident::new(name, Span::mixed_site());
        quote!(#ident)
    } else {
        quote!(_)
    }
}

/// The six methods, each one call per field through the field type's own impl.
fn methods(fields: &[Field]) -> TokenStream {
    let rt = rt();
    let used = fields.iter().any(|f| !f.skip);
    let (other, alpha, out, values) = (
        param("__grad_other", used),
        param("__grad_alpha", used),
        param("__grad_out", used),
        param("__grad_values", used),
    );
    let active: Vec<&Field> = fields.iter().filter(|f| !f.skip).collect();
    // Each call carries the field type's span, so that a type without the trait is reported
    // under the field's type.
    let each = |body: &dyn Fn(&Member) -> TokenStream| -> Vec<TokenStream> {
        active
            .iter()
            .map(|f| {
                let (ty, call) = (f.ty, body(&f.member));
                quote_spanned!(ty.span()=> <#ty as #rt::Differentiable>::#call)
            })
            .collect()
    };
    let zeros = fields.iter().map(|f| {
        let (m, ty) = (&f.member, f.ty);
        if f.skip {
            // Zeroed where its type has a gradient (see `grad::__private::SkipProbe`).
            quote_spanned!(ty.span()=> #m: {
                #[allow(unused_imports)]
                use #rt::{SkipClone as _, SkipZero as _};
                (&&#rt::SkipProbe(&self.#m)).skip_zero()
            })
        } else {
            quote_spanned!(ty.span()=> #m: <#ty as #rt::Differentiable>::zero_like(&self.#m))
        }
    });
    let accumulate = each(&|m| quote!(accumulate(&mut self.#m, &#other.#m);));
    let axpy = each(&|m| quote!(axpy(&mut self.#m, #alpha, &#other.#m);));
    // The companions' slots: skipped fields of a `Differentiable` type too (see
    // `grad::__private::SkipPair`).
    let axpy_slots = fields.iter().map(|f| {
        let (m, ty) = (&f.member, f.ty);
        if f.skip {
            quote_spanned!(ty.span()=> {
                #[allow(unused_imports)]
                use #rt::{SkipAxpy as _, SkipIgnore as _};
                (&mut &mut #rt::SkipPair(&mut self.#m, &#other.#m)).skip_axpy(#alpha);
            })
        } else {
            quote_spanned!(ty.span()=>
                <#ty as #rt::Differentiable>::axpy_slots(&mut self.#m, #alpha, &#other.#m);)
        }
    });
    let flatten = each(&|m| quote!(flatten(&self.#m, #out);));
    let unflatten = each(&|m| quote!(unflatten(&mut self.#m, #values);));
    let count = each(&|m| quote!(param_count(&self.#m)));
    let primal = param("__grad_primal", !fields.is_empty());
    let restore = fields.iter().map(|f| {
        let (m, ty) = (&f.member, f.ty);
        if f.skip {
            quote_spanned!(ty.span()=> self.#m = ::core::clone::Clone::clone(&#primal.#m);)
        } else {
            quote_spanned!(ty.span()=>
                <#ty as #rt::Differentiable>::restore_constants(&mut self.#m, &#primal.#m);)
        }
    });
    let count = if count.is_empty() {
        quote!(0)
    } else {
        quote!(#(#count)+*)
    };
    quote! {
        #[inline]
        fn zero_like(&self) -> Self {
            Self { #(#zeros,)* }
        }
        #[inline]
        fn accumulate(&mut self, #other: &Self) {
            #(#accumulate)*
        }
        #[inline]
        fn axpy(&mut self, #alpha: ::core::primitive::f64, #other: &Self) {
            #(#axpy)*
        }
        #[inline]
        fn axpy_slots(&mut self, #alpha: ::core::primitive::f64, #other: &Self) {
            #(#axpy_slots)*
        }
        #[inline]
        fn flatten(&self, #out: &mut ::std::vec::Vec<::core::primitive::f64>) {
            #(#flatten)*
        }
        #[inline]
        fn unflatten(&mut self, #values: &mut &[::core::primitive::f64]) {
            #(#unflatten)*
        }
        #[inline]
        fn param_count(&self) -> ::core::primitive::usize {
            #count
        }
        #[inline]
        fn restore_constants(&mut self, #primal: &Self) {
            #(#restore)*
        }
    }
}

#[cfg(test)]
mod tests {
    use super::derive;
    use quote::quote;

    fn expansion(input: proc_macro2::TokenStream) -> String {
        let file: syn::File = syn::parse2(derive(input)).expect("the expansion parses");
        prettyplease::unparse(&file)
    }

    #[test]
    fn expand_named_struct() {
        insta::assert_snapshot!(expansion(quote! {
            struct Layer<'a, T: Real, const N: usize> where T: Copy {
                w: Vec<T>,
                b: [T; N],
                #[grad(skip)]
                temperature: f64,
                #[grad(skip)]
                name: &'a str,
            }
        }));
    }

    #[test]
    fn expand_tuple_struct() {
        insta::assert_snapshot!(expansion(quote! {
            struct Pair(f64, #[grad(skip)] usize);
        }));
    }

    #[test]
    fn expand_unit_struct() {
        insta::assert_snapshot!(expansion(quote! {
            struct Nothing;
        }));
    }

    #[test]
    fn raw_identifiers() {
        let out = derive(quote!(
            struct r#S<r#type> {
                r#fn: r#type,
            }
        ))
        .to_string();
        assert!(
            out.contains("r#type : :: grad :: __private :: Differentiable"),
            "{out}"
        );
        assert!(out.contains("zero_like (& self . r#fn)"), "{out}");
    }

    #[test]
    fn enums_and_unions_are_refused() {
        for input in [
            quote!(
                enum E {
                    A(f64),
                }
            ),
            quote!(union U { a: f64 }),
        ] {
            let out = derive(input).to_string();
            assert!(out.starts_with(":: core :: compile_error !"), "{out}");
            assert!(out.contains("supports structs and enums of unit"), "{out}");
            assert!(!out.contains("impl"), "{out}");
        }
    }

    #[test]
    fn unknown_attributes_are_refused_and_the_impl_still_emitted() {
        let out = derive(quote! {
            #[grad(skip)]
            struct S {
                #[grad(nonsense)]
                a: f64,
                #[grad]
                b: f64,
                #[grad(skip = true)]
                c: f64,
                #[grad(skip, other)]
                d: f64,
            }
        })
        .to_string();
        assert_eq!(out.matches("compile_error").count(), 5, "{out}");
        assert_eq!(out.matches("goes on a field").count(), 1, "{out}");
        assert_eq!(out.matches("unknown `grad` attribute").count(), 3, "{out}");
        assert_eq!(out.matches("takes no value").count(), 1, "{out}");
        assert!(
            out.contains("impl :: grad :: __private :: Differentiable for S"),
            "{out}"
        );
    }
}
