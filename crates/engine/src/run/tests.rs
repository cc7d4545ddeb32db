//! Run tests.
