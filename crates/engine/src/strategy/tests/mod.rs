//! Strategy tests.
