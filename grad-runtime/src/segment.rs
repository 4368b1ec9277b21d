//! Segments of large companions.
//!
//! LLVM's optimizer spends more than linear time on one very large function (a companion of
//! 10,000 source statements did not finish optimizing in 25 minutes). The macro splits the
//! body of a large companion into segments, each a closure passed to [`segment`]: because
//! [`segment`] is never inlined, each segment is optimized as a function of its own, of a size
//! LLVM handles in linear time. Values a later segment reads are returned from the closure;
//! everything else stays in the segment's own frame, so a debug build's stack frame stays small
//! too.

/// Runs `f`: the body of one segment of a large generated companion, kept out of line. The
/// `_jvp`, `_hvp`, `_hessian` and `_jacobian` wrappers also run their twin through it, so that
/// the twin's loops are optimized apart from the calls the wrapper makes after them.
#[inline(never)]
pub fn segment<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_the_closure_once_and_returns_its_value() {
        let mut calls = 0;
        let (a, b) = super::segment(|| {
            calls += 1;
            (2.5_f64.sin(), 7)
        });
        assert_eq!((a, b, calls), (2.5_f64.sin(), 7, 1));
    }
}
