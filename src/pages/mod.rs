//! One module per page.

pub mod backtest;
pub mod data;
pub mod optimize;
pub mod studies;
