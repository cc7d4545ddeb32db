//! Any bytes, strict and lenient: the parser returns candles or an error, never panics, and
//! whatever it accepts is a dataset the writer and the parser agree on.
#![no_main]

use genesis_engine::data::{parse, write_csv, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    for options in [ParseOptions::default(), ParseOptions::lenient()] {
        if let Ok(parsed) = parse(bytes, &options) {
            let mut csv = Vec::new();
            write_csv(&parsed.candles, &mut csv).expect("writing to memory");
            // Millisecond times below 1e11 would be read back as seconds; skip those.
            if parsed.candles.ts_ms().iter().all(|&ts| (100_000_000_000..100_000_000_000_000).contains(&ts.abs())) {
                let again = parse(&csv, &ParseOptions::default()).expect("written CSV parses");
                assert_eq!(again.candles, parsed.candles);
            }
        }
    }
});
