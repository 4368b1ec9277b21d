//! [`Stack`]: the per-call store of what a gradient's reverse sweep needs from its forward sweep.

/// A last-in, first-out store used by the code that `#[differentiable]` generates for loops:
/// the forward sweep pushes the local partials, branch decisions, trip counts and indices that
/// the reverse sweep pops in the opposite order. One stack lives for one call.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Stack<T> {
    items: Vec<T>,
}

impl<T: Copy> Stack<T> {
    /// An empty stack; it allocates on the first push.
    #[inline]
    pub fn new() -> Self {
        Stack { items: Vec::new() }
    }

    /// Pushes one item.
    #[inline(always)]
    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    /// Pops the item pushed last. The generated code pops exactly what it pushed, so an empty
    /// stack here is a bug in `grad`, reported by a panic rather than a wrong gradient.
    #[inline(always)]
    pub fn pop(&mut self) -> T {
        match self.items.pop() {
            Some(item) => item,
            None => underflow(),
        }
    }

    /// The number of items held.
    #[inline]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// `true` when nothing is held (as it must be at the end of every reverse sweep).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cold]
#[inline(never)]
fn underflow() -> ! {
    panic!("grad: the reverse sweep popped more than the forward sweep pushed (a bug in grad)")
}

/// A [`Stack`] of floats or indices whose buffer is kept per thread between calls, so a
/// gradient with loops allocates only on its first call (and when it needs more room than
/// before). Used by the code that `#[differentiable]` generates.
#[doc(hidden)]
#[derive(Debug)]
pub struct Tape<T: Recycled> {
    stack: Stack<T>,
}

impl<T: Recycled> Tape<T> {
    /// Takes this thread's spare buffer (or an empty one).
    #[inline]
    pub fn take() -> Self {
        Tape {
            stack: Stack { items: T::take() },
        }
    }

    /// Pushes one item.
    #[inline(always)]
    pub fn push(&mut self, item: T) {
        self.stack.push(item);
    }

    /// Makes room for `additional` more items, so that many pushes do not reallocate.
    #[inline]
    pub fn reserve(&mut self, additional: usize) {
        self.stack.items.reserve(additional);
    }

    /// Pops the item pushed last (see [`Stack::pop`]).
    #[inline(always)]
    pub fn pop(&mut self) -> T {
        self.stack.pop()
    }

    /// The number of items held.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.stack.items.len()
    }

    /// `true` when nothing is held.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.stack.items.is_empty()
    }

    /// Appends `n` copies of `fill` and returns them: a loop that saves the same number of
    /// items at every iteration writes them here by index instead of pushing them one by one
    /// (then [`Tape::truncate`] drops the slots its iterations did not fill).
    #[inline]
    pub fn grow(&mut self, n: usize, fill: T) -> &mut [T]
    where
        T: Copy,
    {
        let at = self.stack.items.len();
        self.stack.items.resize(at + n, fill);
        // Of length `n` where the optimizer sees it, so a loop's stores into the slots need
        // no bounds check of their own.
        &mut self.stack.items[at..at + n]
    }

    /// Keeps the first `len` items.
    #[inline(always)]
    pub fn truncate(&mut self, len: usize) {
        self.stack.items.truncate(len);
    }

    /// The last `n` items, in the order they were pushed: a loop's reverse reads its
    /// iterations' saves here by index, then drops them with [`Tape::truncate`].
    #[inline]
    pub fn top(&self, n: usize) -> &[T] {
        let items = &self.stack.items;
        match items.len().checked_sub(n) {
            Some(at) => &items[at..],
            None => underflow(),
        }
    }

    /// Pushes a run of items (a snapshot of an array argument, or the saves of a segment of a
    /// large function).
    #[inline]
    pub fn push_slice(&mut self, items: &[T]) {
        self.stack.items.extend_from_slice(items);
    }

    /// Pops the last `out.len()` items pushed into `out`, in the order they were pushed: the
    /// reverse of [`Tape::push_slice`] (an array restored as it was when it was pushed).
    #[inline]
    pub fn pop_into(&mut self, out: &mut [T]) {
        let items = &mut self.stack.items;
        let Some(start) = items.len().checked_sub(out.len()) else {
            underflow()
        };
        out.copy_from_slice(&items[start..]);
        items.truncate(start);
    }

    /// Pops the last `N` items pushed, in the order they were pushed (the last one pushed is
    /// the last element): `N` pops at once, for a segment of a large function.
    #[inline]
    pub fn pop_array<const N: usize>(&mut self) -> [T; N] {
        let items = &mut self.stack.items;
        let Some(start) = items.len().checked_sub(N) else {
            underflow()
        };
        let out = core::array::from_fn(|i| items[start + i]);
        items.truncate(start);
        out
    }
}

impl<T: Recycled + crate::Float> Tape<T> {
    /// Pops the last `n` items pushed, in the order they were pushed, into a scratch buffer.
    #[inline]
    pub fn pop_scratch(&mut self, n: usize) -> Scratch<T> {
        let at = match self.stack.items.len().checked_sub(n) {
            Some(at) => at,
            None => underflow(),
        };
        let mut s = Scratch::zeroed(0);
        s.items.extend_from_slice(&self.stack.items[at..]);
        self.stack.items.truncate(at);
        s
    }
}

impl<T: Recycled> Drop for Tape<T> {
    fn drop(&mut self) {
        let mut items = std::mem::take(&mut self.stack.items);
        items.clear();
        T::give(items);
    }
}

/// A zeroed buffer of floats for the duration of one call, recycled per thread like a
/// [`Tape`]'s (from a pool of its own, which keeps several): where a loop's reverse sweep runs
/// inside its forward sweep, the gradient contributions of the whole loop gather here before
/// they are scaled.
#[doc(hidden)]
#[derive(Debug)]
pub struct Scratch<T: Recycled> {
    items: Vec<T>,
}

impl<T: Recycled + crate::Float> Scratch<T> {
    /// `n` zeros.
    #[inline]
    pub fn zeroed(n: usize) -> Self {
        let mut items = T::take_scratch();
        items.clear();
        items.resize(n, T::ZERO);
        Scratch { items }
    }

    /// The buffer.
    #[inline(always)]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.items
    }

    /// The buffer.
    #[inline(always)]
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    /// Grows to `n` items, the new ones `value` (never shrinks).
    #[inline]
    pub fn resize(&mut self, n: usize, value: T) {
        if self.items.len() < n {
            self.items.resize(n, value);
        }
    }

    /// A copy of `items`.
    #[inline]
    pub fn copy_of(items: &[T]) -> Self {
        let mut s = Scratch::zeroed(0);
        s.items.extend_from_slice(items);
        s
    }

    /// The buffer as the vector it is (an argument for a `&[T]` or `&Vec<T>` parameter).
    #[inline(always)]
    pub fn as_vec(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T: Recycled + crate::Float> FromIterator<T> for Scratch<T> {
    /// The items in a recycled buffer (the dual inputs `_jvp` and `_hvp` build from their
    /// arguments, without an allocation per call).
    #[inline]
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut s = Scratch::zeroed(0);
        s.items.extend(iter);
        s
    }
}

impl<T: Recycled> std::ops::Deref for Scratch<T> {
    type Target = [T];
    #[inline(always)]
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T: Recycled> std::ops::DerefMut for Scratch<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.items
    }
}

/// An array argument, as a pullback takes it, from the snapshot of its elements: `&[F]`,
/// `&mut [F]`, `&[F; N]`, `&mut [F; N]`, `[F; N]`, `&Vec<F>` or `&mut Vec<F>`, whichever the
/// callee's parameter is.
#[doc(hidden)]
pub trait FromSnapshot<'a, T: Recycled>: Sized {
    /// The argument.
    fn from_snapshot(s: &'a mut Scratch<T>) -> Self;
}

impl<'a, T: Recycled> FromSnapshot<'a, T> for &'a [T] {
    #[inline(always)]
    fn from_snapshot(s: &'a mut Scratch<T>) -> Self {
        &s.items
    }
}

impl<'a, T: Recycled> FromSnapshot<'a, T> for &'a mut [T] {
    #[inline(always)]
    fn from_snapshot(s: &'a mut Scratch<T>) -> Self {
        &mut s.items
    }
}

impl<'a, T: Recycled> FromSnapshot<'a, T> for &'a mut T {
    #[inline(always)]
    fn from_snapshot(s: &'a mut Scratch<T>) -> Self {
        match s.items.first_mut() {
            Some(x) => x,
            None => wrong_length(),
        }
    }
}

impl<'a, T: Recycled> FromSnapshot<'a, T> for &'a Vec<T> {
    #[inline(always)]
    fn from_snapshot(s: &'a mut Scratch<T>) -> Self {
        &s.items
    }
}

impl<'a, T: Recycled> FromSnapshot<'a, T> for &'a mut Vec<T> {
    #[inline(always)]
    fn from_snapshot(s: &'a mut Scratch<T>) -> Self {
        &mut s.items
    }
}

impl<'a, T: Recycled, const N: usize> FromSnapshot<'a, T> for &'a [T; N] {
    #[inline(always)]
    fn from_snapshot(s: &'a mut Scratch<T>) -> Self {
        match <&[T; N]>::try_from(&s.items[..]) {
            Ok(a) => a,
            Err(_) => wrong_length(),
        }
    }
}

impl<'a, T: Recycled, const N: usize> FromSnapshot<'a, T> for &'a mut [T; N] {
    #[inline(always)]
    fn from_snapshot(s: &'a mut Scratch<T>) -> Self {
        match <&mut [T; N]>::try_from(&mut s.items[..]) {
            Ok(a) => a,
            Err(_) => wrong_length(),
        }
    }
}

impl<T: Recycled, const N: usize> FromSnapshot<'_, T> for [T; N] {
    #[inline(always)]
    fn from_snapshot(s: &mut Scratch<T>) -> Self {
        match <[T; N]>::try_from(&s.items[..]) {
            Ok(a) => a,
            Err(_) => wrong_length(),
        }
    }
}

/// `&mut a[i]`, panicking (index out of bounds) at the caller's location: the user's line
/// where generated code writes an element.
#[doc(hidden)]
#[track_caller]
#[inline(always)]
pub fn element<T>(a: &mut [T], i: usize) -> &mut T {
    &mut a[i]
}

/// The start of `&a[lo..hi]` in `a` (of length `len`), checked as slicing checks it, at the
/// caller's location: generated code reads a view `let row = &x[lo..hi];` through `x` itself.
#[doc(hidden)]
#[track_caller]
#[inline(always)]
pub fn view_start(lo: usize, hi: usize, len: usize) -> usize {
    if lo > hi {
        panic!("slice index starts at {lo} but ends at {hi}");
    }
    if hi > len {
        panic!("range end index {hi} out of range for slice of length {len}");
    }
    lo
}

/// `(&mut xs[a.0..a.1], &mut xs[b.0..b.1])` for two ranges that do not overlap (the two
/// halves of a `split_at_mut` passed to one call): generated code passes them together, as
/// the user's code did through the halves. Panics (at the caller's location) as slicing does
/// if a range is out of bounds, and if the ranges overlap.
#[doc(hidden)]
#[track_caller]
#[inline(always)]
pub fn two_mut<T>(xs: &mut [T], a: (usize, usize), b: (usize, usize)) -> (&mut [T], &mut [T]) {
    if a.1 <= b.0 {
        let (left, right) = xs.split_at_mut(b.0);
        (&mut left[a.0..a.1], &mut right[..b.1 - b.0])
    } else if b.1 <= a.0 {
        let (second, first) = two_mut(xs, b, a);
        (first, second)
    } else if a.0 == a.1 {
        let _ = &xs[a.0..a.1];
        (&mut [], &mut xs[b.0..b.1])
    } else if b.0 == b.1 {
        let _ = &xs[b.0..b.1];
        (&mut xs[a.0..a.1], &mut [])
    } else {
        panic!("grad: overlapping mutable ranges {a:?} and {b:?}");
    }
}

/// The common length of two local arrays whose elements `std::mem::swap` exchanges in
/// generated code; panics (at the caller's location) if they differ.
#[doc(hidden)]
#[track_caller]
#[inline(always)]
pub fn same_length(a: usize, b: usize) -> usize {
    if a != b {
        panic!("grad: `std::mem::swap` of local arrays of different lengths ({a} and {b}) is not supported in a differentiable function");
    }
    a
}

/// `n` floats of `buf` (grown if need be, never zeroed): the adjoint slot generated code
/// passes a pullback for a shared (`&[F]`) argument that carries no derivative (a row of
/// constant data). The pullback only adds into it and nobody reads it, so one buffer per
/// companion call serves every such call, instead of a zeroed buffer from the pool per call.
/// (A `&mut` argument's slot is read on entry, as the adjoint of its final values: it gets
/// a zeroed buffer.)
#[doc(hidden)]
#[inline(always)]
pub fn sink<T: Recycled + crate::Float>(buf: &mut Scratch<T>, n: usize) -> &mut [T] {
    buf.resize(n, T::ZERO);
    &mut buf.as_mut_slice()[..n]
}

/// The length of a `copy_from_slice` in generated code: `src`'s, after checking it is
/// `dst`'s, with std's panic message (at the caller's location) if not.
#[doc(hidden)]
#[track_caller]
#[inline(always)]
pub fn copy_length(dst: usize, src: usize) -> usize {
    if dst != src {
        panic!("source slice length ({src}) does not match destination slice length ({dst})");
    }
    src
}

/// `true`: the guard generated code adds to `matches!(x, n)` where `n` is a name an arm's
/// pattern binds (its own guard is tested apart), so that the name counts as used.
#[doc(hidden)]
#[inline(always)]
pub fn used<T: ?Sized>(_: &T) -> bool {
    true
}

#[cold]
#[inline(never)]
fn wrong_length() -> ! {
    panic!("grad: a snapshot of the wrong length (a bug in grad)")
}

/// Where a pullback's adjoint for a constant argument goes (and is ignored): a float for a
/// float, `()` for other scalars, zeros for an array.
#[doc(hidden)]
pub trait Sink {
    /// The slot's contents.
    type Slot;
    /// A zeroed slot for this value.
    fn sink(&self) -> Self::Slot;
}

/// A constant argument whose type the macro cannot see, asking for its slot: a [`Sink`] slot
/// where the type has one ([`SinkKnown`]), `()` for any other type ([`SinkUnknown`], found by
/// method resolution one auto-reference later).
#[doc(hidden)]
pub struct SinkProbe<'a, T: ?Sized>(pub &'a T);

/// The slot of a constant of a type with a [`Sink`].
#[doc(hidden)]
pub trait SinkKnown {
    /// The slot.
    type Slot;
    /// A zeroed slot.
    fn grad_sink(&self) -> Self::Slot;
}

impl<T: Sink + ?Sized> SinkKnown for SinkProbe<'_, T> {
    type Slot = T::Slot;
    #[inline(always)]
    fn grad_sink(&self) -> T::Slot {
        self.0.sink()
    }
}

/// The slot of a constant of any other type (a user's struct): `()`.
#[doc(hidden)]
pub trait SinkUnknown {
    /// `()`.
    #[inline(always)]
    fn grad_sink(&self) {}
}

impl<T: ?Sized> SinkUnknown for &SinkProbe<'_, T> {}

impl Sink for f64 {
    type Slot = f64;
    fn sink(&self) -> f64 {
        0.0
    }
}

impl Sink for f32 {
    type Slot = f32;
    fn sink(&self) -> f32 {
        0.0
    }
}

macro_rules! unit_sink {
    ($($t:ty),*) => {$(
        impl Sink for $t {
            type Slot = ();
            fn sink(&self) {}
        }
    )*};
}
unit_sink!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool, char, str);

impl<T: Sink + ?Sized> Sink for &T {
    type Slot = T::Slot;
    fn sink(&self) -> T::Slot {
        (**self).sink()
    }
}

macro_rules! array_sinks {
    (floats: $($f:ty),*; others: $($t:ty),*) => {
        $(
            impl<const N: usize> Sink for [$f; N] {
                type Slot = Vec<$f>;
                fn sink(&self) -> Vec<$f> {
                    vec![0.0; N]
                }
            }
            impl Sink for [$f] {
                type Slot = Vec<$f>;
                fn sink(&self) -> Vec<$f> {
                    vec![0.0; self.len()]
                }
            }
            impl Sink for Vec<$f> {
                type Slot = Vec<$f>;
                fn sink(&self) -> Vec<$f> {
                    vec![0.0; self.len()]
                }
            }
        )*
        $(
            impl<const N: usize> Sink for [$t; N] {
                type Slot = ();
                fn sink(&self) {}
            }
            impl Sink for [$t] {
                type Slot = ();
                fn sink(&self) {}
            }
            impl Sink for Vec<$t> {
                type Slot = ();
                fn sink(&self) {}
            }
        )*
    };
}
array_sinks!(floats: f32, f64; others: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool, char);

impl<T: Recycled> Drop for Scratch<T> {
    fn drop(&mut self) {
        T::give_scratch(std::mem::take(&mut self.items));
    }
}

/// Item types whose [`Tape`] buffers are recycled per thread: `f32`, `f64`, `usize` and
/// [`Dual`](crate::Dual) numbers (each type with pools of its own).
#[doc(hidden)]
pub trait Recycled: Copy + 'static {
    /// Takes the thread's spare buffer, leaving none.
    fn take() -> Vec<Self>;
    /// Gives a buffer back; the larger of it and any spare one is kept.
    fn give(items: Vec<Self>);
    /// [`Recycled::take`] for [`Scratch`] buffers (a pool of their own).
    fn take_scratch() -> Vec<Self>;
    /// [`Recycled::give`] for [`Scratch`] buffers.
    fn give_scratch(items: Vec<Self>);
}

/// How many [`Scratch`] buffers a thread keeps (one per fused loop or call argument that is
/// live at once).
pub(crate) const SCRATCH_SPARES: usize = 16;

/// How many [`Tape`] buffers a thread keeps: one per gradient running at once on the thread
/// (a gradient calling helpers through their pullbacks nests as deep as its calls).
pub(crate) const TAPE_SPARES: usize = 16;

/// Gives a buffer back to a pool of spares (dropped when the pool is full).
fn keep<T>(pool: &std::cell::RefCell<Vec<Vec<T>>>, items: Vec<T>, spares: usize) {
    let mut pool = pool.borrow_mut();
    if pool.len() < spares {
        pool.push(items);
    }
}

macro_rules! recycled {
    ($($t:ty => $pool:ident, $scratch:ident),*) => {
        $(
            thread_local! {
                static $pool: std::cell::RefCell<Vec<Vec<$t>>> = const { std::cell::RefCell::new(Vec::new()) };
                static $scratch: std::cell::RefCell<Vec<Vec<$t>>> = const { std::cell::RefCell::new(Vec::new()) };
            }

            impl Recycled for $t {
                #[inline]
                fn take() -> Vec<Self> {
                    $pool.with(|p| p.borrow_mut().pop().unwrap_or_default())
                }

                #[inline]
                fn give(items: Vec<Self>) {
                    $pool.with(|p| keep(p, items, TAPE_SPARES));
                }

                #[inline]
                fn take_scratch() -> Vec<Self> {
                    $scratch.with(|p| p.borrow_mut().pop().unwrap_or_default())
                }

                #[inline]
                fn give_scratch(items: Vec<Self>) {
                    $scratch.with(|p| keep(p, items, SCRATCH_SPARES));
                }
            }
        )*
    };
}

recycled!(
    f32 => POOL_F32, SCRATCH_F32,
    f64 => POOL_F64, SCRATCH_F64,
    usize => POOL_USIZE, SCRATCH_USIZE
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_mut_gives_both_ranges_in_their_order() {
        let mut xs = [0, 1, 2, 3, 4, 5];
        let (a, b) = two_mut(&mut xs, (0, 2), (2, 5));
        assert_eq!((&a[..], &b[..]), (&[0, 1][..], &[2, 3, 4][..]));
        let (a, b) = two_mut(&mut xs, (4, 6), (1, 3));
        a[0] = 40;
        b[1] = 20;
        assert_eq!(xs, [0, 1, 20, 3, 40, 5]);
        let (a, b) = two_mut(&mut xs, (3, 3), (0, 6));
        assert_eq!((a.len(), b.len()), (0, 6));
        assert!(std::panic::catch_unwind(move || {
            let mut ys = [0; 4];
            let _ = two_mut(&mut ys, (0, 3), (2, 4));
        })
        .is_err());
    }

    #[test]
    fn stack_is_last_in_first_out() {
        let mut s = Stack::new();
        for i in 0..5 {
            s.push(i);
        }
        assert_eq!(
            (0..5).map(|_| s.pop()).collect::<Vec<_>>(),
            vec![4, 3, 2, 1, 0]
        );
        assert!(s.is_empty());
    }

    #[test]
    fn batches_are_the_single_pushes_and_pops() {
        let mut t = Tape::<f64>::take();
        t.push(1.0);
        t.push_slice(&[2.0, 3.0, 4.0]);
        let [a, b] = t.pop_array::<2>();
        assert_eq!((a, b), (3.0, 4.0));
        assert_eq!(t.pop(), 2.0);
        let [c] = t.pop_array::<1>();
        assert_eq!(c, 1.0);
        assert_eq!(t.pop_array::<0>(), [0.0f64; 0]);
    }

    #[test]
    #[should_panic(expected = "popped more than")]
    fn popping_more_than_pushed_at_once_panics() {
        let mut t = Tape::<f64>::take();
        t.push(1.0);
        t.pop_array::<2>();
    }

    #[test]
    #[should_panic(expected = "popped more than")]
    fn popping_an_empty_stack_panics() {
        Stack::<f64>::new().pop();
    }

    #[test]
    fn scratch_buffers_are_zeroed_and_reused_per_thread() {
        let mut a = Scratch::<f64>::zeroed(100);
        a.as_mut_slice()[7] = 3.0;
        let ptr = a.as_slice().as_ptr();
        drop(a);
        let b = Scratch::<f64>::zeroed(50);
        assert_eq!(b.as_slice().as_ptr(), ptr, "the buffer is recycled");
        assert!(b.as_slice().iter().all(|&x| x == 0.0) && b.as_slice().len() == 50);
    }

    #[test]
    fn tape_buffers_are_reused_per_thread() {
        let mut t = Tape::<f64>::take();
        for i in 0..1000 {
            t.push(i as f64);
        }
        assert_eq!(t.pop(), 999.0);
        drop(t);
        let t = Tape::<f64>::take();
        assert!(t.stack.items.is_empty());
        assert!(t.stack.items.capacity() >= 1000, "the buffer came back");
        // A nested tape taken while this one is out gets another buffer; both come back.
        let inner = Tape::<f64>::take();
        let (outer_ptr, inner_ptr) = (t.stack.items.as_ptr(), inner.stack.items.as_ptr());
        assert_ne!(outer_ptr, inner_ptr);
        drop(inner);
        drop(t);
        let (a, b) = (Tape::<f64>::take(), Tape::<f64>::take());
        assert!(a.stack.items.capacity() > 0 || b.stack.items.capacity() > 0);
    }
}
