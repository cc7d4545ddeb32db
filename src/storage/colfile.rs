//! The byte format datasets are stored in (IndexedDB) and sent to workers in: a magic tag,
//! the bar count, then each column as little-endian 8-byte values. Reading it back is little
//! more than a copy, which matters for a million bars; the worker validates the decoded
//! columns into `Candles` before any engine work, so a corrupt record is caught, not trusted.

use genesis_engine::data::Columns;

const MAGIC: &[u8; 8] = b"GLCOL\x00\x00\x01";
const HEADER_BYTES: usize = 16;
const N_COLUMNS: usize = 6;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ColfileError {
    #[error("not a Genesis Lab column file (bad magic)")]
    BadMagic,
    #[error("the column file is {actual} bytes; {n_bars} bars need {expected}")]
    BadLength {
        n_bars: u64,
        expected: u64,
        actual: u64,
    },
}

/// Encodes the columns (all assumed to have the timestamps' length).
pub fn encode(cols: &Columns) -> Vec<u8> {
    let n = cols.ts_ms.len();
    let mut out = Vec::with_capacity(HEADER_BYTES + n * 8 * N_COLUMNS);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(n as u64).to_le_bytes());
    for ts in &cols.ts_ms {
        out.extend_from_slice(&ts.to_le_bytes());
    }
    for column in [&cols.open, &cols.high, &cols.low, &cols.close, &cols.volume] {
        for value in column.iter().take(n) {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out
}

/// Decodes what [`encode`] wrote.
pub fn decode(bytes: &[u8]) -> Result<Columns, ColfileError> {
    if bytes.len() < HEADER_BYTES || &bytes[..8] != MAGIC {
        return Err(ColfileError::BadMagic);
    }
    let mut n_bytes = [0u8; 8];
    n_bytes.copy_from_slice(&bytes[8..16]);
    let n_bars = u64::from_le_bytes(n_bytes);
    let expected = n_bars
        .checked_mul(8 * N_COLUMNS as u64)
        .and_then(|b| b.checked_add(HEADER_BYTES as u64));
    if expected != Some(bytes.len() as u64) {
        return Err(ColfileError::BadLength {
            n_bars,
            expected: expected.unwrap_or(u64::MAX),
            actual: bytes.len() as u64,
        });
    }
    let n = n_bars as usize;
    let body = &bytes[HEADER_BYTES..];
    let word = |idx: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&body[idx * 8..idx * 8 + 8]);
        b
    };
    let floats = |column: usize| -> Vec<f64> {
        (0..n)
            .map(|i| f64::from_le_bytes(word(column * n + i)))
            .collect()
    };
    Ok(Columns {
        ts_ms: (0..n).map(|i| i64::from_le_bytes(word(i))).collect(),
        open: floats(1),
        high: floats(2),
        low: floats(3),
        close: floats(4),
        volume: floats(5),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use genesis_engine::data::synth::{generate, SynthParams};

    #[test]
    fn columns_round_trip_bit_for_bit() {
        let candles = generate(&SynthParams {
            n_bars: 500,
            ..SynthParams::demo()
        })
        .unwrap();
        let bytes = encode(candles.columns());
        assert_eq!(bytes.len(), 16 + 500 * 48);
        assert_eq!(&decode(&bytes).unwrap(), candles.columns());
    }

    #[test]
    fn truncated_or_foreign_bytes_are_errors() {
        let bytes = encode(&Columns {
            ts_ms: vec![1, 2],
            open: vec![1.0, 2.0],
            high: vec![1.0, 2.0],
            low: vec![1.0, 2.0],
            close: vec![1.0, 2.0],
            volume: vec![0.0, 0.0],
        });
        assert!(matches!(
            decode(&bytes[..bytes.len() - 1]),
            Err(ColfileError::BadLength { n_bars: 2, .. })
        ));
        assert_eq!(
            decode(b"time,open,high,low,close"),
            Err(ColfileError::BadMagic)
        );
        let mut huge = bytes.clone();
        huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(decode(&huge), Err(ColfileError::BadLength { .. })));
    }
}
