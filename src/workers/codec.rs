//! How worker messages cross the page/worker boundary.
//!
//! gloo-worker's default codec bincode-encodes every message into one byte array, so a
//! million-bar file was copied about five times on the way in and the columns five times on
//! the way out. This codec turns messages into plain JS values with `serde-wasm-bindgen`:
//! byte buffers (`serde_bytes`) travel as `Uint8Array`s, copied once into JS and once by the
//! structured clone, and small fields as ordinary properties.

use gloo_worker::Codec;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsValue, UnwrapThrowExt};

pub struct JsCodec;

impl Codec for JsCodec {
    fn encode<I: Serialize>(input: I) -> JsValue {
        // 64-bit integers go as BigInt, so a timestamp outside JS's safe integers (a hostile
        // file's, say) cannot make encoding fail.
        let serializer =
            serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
        input
            .serialize(&serializer)
            .expect_throw("a worker message could not be encoded")
    }

    fn decode<O: for<'de> Deserialize<'de>>(input: JsValue) -> O {
        // The only sender is this same build (the hello checks versions), so a message that
        // does not decode is a bug worth a loud failure, as with gloo's own codec.
        serde_wasm_bindgen::from_value(input).expect_throw("a worker message could not be decoded")
    }
}
