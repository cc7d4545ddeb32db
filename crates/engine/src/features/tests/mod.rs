//! Tests of the features module against independent references.

mod gen;
