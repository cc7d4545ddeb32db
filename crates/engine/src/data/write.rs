//! Writing candles as generic CSV.

use std::io::Write;

use super::candles::Candles;

/// The header [`write_csv`] writes.
pub const CSV_HEADER: &str = "time,open,high,low,close,volume";

/// Writes `time,open,high,low,close,volume` with time in UTC milliseconds and every number in
/// its shortest form that reads back to the same bits, so parsing the output gives back
/// identical candles (and the same dataset hash).
pub fn write_csv(candles: &Candles, out: &mut impl Write) -> std::io::Result<()> {
    use std::fmt::Write as _;
    let mut buffer = String::with_capacity(1 << 16);
    buffer.push_str(CSV_HEADER);
    buffer.push('\n');
    for bar_idx in 0..candles.len() {
        let bar = candles.bar(bar_idx);
        // Writing into a String cannot fail.
        let _ = writeln!(
            buffer,
            "{},{},{},{},{},{}",
            bar.ts_ms, bar.open, bar.high, bar.low, bar.close, bar.volume
        );
        if buffer.len() >= 1 << 16 {
            out.write_all(buffer.as_bytes())?;
            buffer.clear();
        }
    }
    out.write_all(buffer.as_bytes())
}
