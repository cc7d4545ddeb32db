//! Config text as the page edits it: which keys the form shows, comment-preserving edits of
//! the YAML, and the embedded search space presets.

/// Which config keys the editor's form shows.
pub mod form;
/// The rules language reference, read from the engine.
pub mod rules_reference;
/// The embedded search space presets.
pub mod spaces;
/// The Optimize page's study form: a field per study choice, read into `StudyChoices`.
pub mod study_form;
/// Comment-preserving edits of YAML config text.
pub mod yaml_edit;
/// Where a value or a mistake sits in YAML config text, for the editor's underline.
pub mod yaml_locate;
