//! Components shared by several pages.

pub mod busy;
pub mod code_editor;
pub mod config_editor;
pub mod dataset_select;
pub mod results;
pub mod rules_reference;
pub mod selection;
pub mod study_charts;
pub mod trades;
pub mod walkforward;
