//! The engine workers: the pool that drives them from the page, the code that runs inside
//! each worker, and the versioned messages (with their codec) that cross between the two.

/// Why a worker job failed, with the engine's error kept whole.
pub mod job_error;
/// Values that cross JavaScript as JSON text, keeping their types.
pub mod json_text;
/// Messages between the page and its engine workers.
pub mod protocol;

/// The codec of worker messages.
#[cfg(target_arch = "wasm32")]
pub mod codec;
/// The engine worker itself: what runs inside a web worker.
#[cfg(target_arch = "wasm32")]
pub mod engine;
/// The pool of engine workers on the main thread.
#[cfg(target_arch = "wasm32")]
pub mod pool;
