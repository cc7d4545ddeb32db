//! Tests of the features module against independent references: TA-Lib golden values, the
//! naive as-of oracle, and invariants that hold whatever the data.

mod fused;
pub(crate) mod gen;
mod golden;
mod invariants;
mod oracle;
mod store;
