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
