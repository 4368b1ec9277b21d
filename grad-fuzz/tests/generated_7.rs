//! Shard 7 of the generated programs (see `build.rs` and `common/shard.rs`).

include!("common/shard.rs");
