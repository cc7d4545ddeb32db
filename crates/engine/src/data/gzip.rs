//! Gzip input, recognised by its magic bytes (1f 8b) whatever the file is called, and
//! inflated with the pure-Rust backend so the same code runs in the browser.

use std::io::Read;

use flate2::read::MultiGzDecoder;

use super::error::DataError;

const GZIP_MAGIC: [u8; 2] = [0x1F, 0x8B];

/// The most that is reserved up front from the size the gzip trailer claims.
const MAX_RESERVE_BYTES: u64 = 256 << 20;

pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// Inflates every gzip member (as `gzip -d` does), refusing more than `limit_bytes`.
pub(crate) fn decompress(bytes: &[u8], limit_bytes: u64) -> Result<Vec<u8>, DataError> {
    // The trailer holds the last member's size modulo 2^32: a good first reservation for the
    // usual single-member file, harmless when it is wrong.
    let claimed = bytes
        .len()
        .checked_sub(4)
        .and_then(|start| bytes.get(start..))
        .and_then(|tail| <[u8; 4]>::try_from(tail).ok())
        .map_or(0, |tail| u64::from(u32::from_le_bytes(tail)));
    let reserve = claimed.min(limit_bytes).min(MAX_RESERVE_BYTES);
    let mut out = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
    let mut decoder = MultiGzDecoder::new(bytes).take(limit_bytes.saturating_add(1));
    decoder
        .read_to_end(&mut out)
        .map_err(|err| DataError::Gzip {
            message: err.to_string(),
        })?;
    if out.len() as u64 > limit_bytes {
        return Err(DataError::TooLarge { limit_bytes });
    }
    Ok(out)
}
