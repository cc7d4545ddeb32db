//! The everyday layouts of issue 12, one test each: each file loads by its content alone and
//! the report states what was decided (layout, time column, date order, reversal, suffixes).
//! The golden files pin every number; these tests name the decisions that matter.

use std::path::Path;

use genesis_engine::data::timestamp::format_iso_ms;
use genesis_engine::data::{parse, DataError, DateOrder, Field, Layout, ParseOptions, Parsed};

fn load(name: &str) -> Parsed {
    load_with(name, &ParseOptions::default())
}

fn load_with(name: &str, options: &ParseOptions) -> Parsed {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/data/ok")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    parse(&bytes, options).unwrap_or_else(|err| panic!("{name}: {err}"))
}

fn time_column(parsed: &Parsed) -> (Option<u32>, String) {
    let column = parsed
        .report
        .columns
        .iter()
        .find(|c| c.field == Field::Time)
        .unwrap();
    (column.column, column.name.clone())
}

fn column_of(parsed: &Parsed, field: Field) -> String {
    parsed
        .report
        .columns
        .iter()
        .find(|c| c.field == field)
        .unwrap()
        .name
        .clone()
}

fn has_note(parsed: &Parsed, words: &str) -> bool {
    parsed.report.notes.iter().any(|note| note.contains(words))
}

fn span(parsed: &Parsed) -> (String, String, usize) {
    (
        format_iso_ms(parsed.report.first_ts_ms),
        format_iso_ms(parsed.report.last_ts_ms),
        parsed.candles.len(),
    )
}

#[test]
fn pandas_to_csv_takes_the_unnamed_index_as_time() {
    for (name, first, last, n) in [
        (
            "pandas_daily.csv",
            "2004-08-19T00:00:00Z",
            "2004-08-26T00:00:00Z",
            6,
        ),
        (
            "pandas_hourly.csv",
            "2017-04-19T09:00:00Z",
            "2017-04-19T13:00:00Z",
            5,
        ),
    ] {
        let parsed = load(name);
        assert_eq!(parsed.report.layout, Layout::Pandas, "{name}");
        assert_eq!(
            time_column(&parsed),
            (Some(1), "(unnamed index)".to_string())
        );
        assert!(has_note(&parsed, "pandas index"), "{name}");
        assert_eq!(span(&parsed), (first.to_string(), last.to_string(), n));
    }
}

#[test]
fn dukascopy_reads_day_first_dates_with_milliseconds() {
    let parsed = load("dukascopy.csv");
    assert_eq!(parsed.report.layout, Layout::Dukascopy);
    assert_eq!(time_column(&parsed).1, "Gmt time");
    assert_eq!(parsed.report.date_order, Some(DateOrder::Dmy));
    assert!(has_note(&parsed, "`13.05.2024 00:00:00.000` on line 4"));
    assert_eq!(
        span(&parsed),
        (
            "2024-05-12T22:00:00Z".to_string(),
            "2024-05-13T02:00:00Z".to_string(),
            5
        )
    );
    // Nothing above 12: Dukascopy's own order, said so.
    let parsed = load("dukascopy_undecided.csv");
    assert_eq!(parsed.report.date_order, Some(DateOrder::Dmy));
    assert!(has_note(&parsed, "no date settles"));
    assert_eq!(
        format_iso_ms(parsed.report.first_ts_ms),
        "2024-05-05T00:00:00Z"
    );
}

#[test]
fn investing_reads_price_separators_suffixes_and_reverses() {
    let parsed = load("investing.csv");
    assert_eq!(parsed.report.layout, Layout::Investing);
    assert_eq!(column_of(&parsed, Field::Close), "Price");
    assert_eq!(column_of(&parsed, Field::Volume), "Vol.");
    assert!(parsed
        .report
        .ignored_columns
        .contains(&"Change %".to_string()));
    assert_eq!(parsed.report.date_order, Some(DateOrder::Mdy));
    assert!(parsed.report.is_reversed);
    assert!(has_note(&parsed, "newest first"));
    assert_eq!(
        span(&parsed),
        (
            "2024-05-09T00:00:00Z".to_string(),
            "2024-05-14T00:00:00Z".to_string(),
            6
        )
    );
    // Oldest first now: the 05/09 row, then the 05/10 row with its `1.09M` volume.
    let first = parsed.candles.bar(0);
    assert_eq!((first.close, first.volume), (63_060.0, 83_400.0));
    assert_eq!(parsed.candles.bar(1).volume, 1_090_000.0);
    assert_eq!(parsed.candles.bar(5).close, 61_577.0);

    let parsed = load("investing_no_volume.csv");
    assert!(parsed.candles.volume().iter().all(|&v| v == 0.0));
    assert!(has_note(&parsed, "month first"));
}

#[test]
fn json_wrappers_and_short_keys() {
    let parsed = load("polygon.json");
    assert_eq!(parsed.report.layout, Layout::Polygon);
    assert_eq!(time_column(&parsed), (None, "t".to_string()));
    assert!(has_note(&parsed, "`results`"));
    assert_eq!(parsed.report.ignored_columns, ["vw", "n"]);
    assert_eq!(
        span(&parsed),
        (
            "2023-01-09T05:00:00Z".to_string(),
            "2023-01-12T05:00:00Z".to_string(),
            4
        )
    );

    let parsed = load("alpaca.json");
    assert_eq!(parsed.report.layout, Layout::Alpaca);
    assert_eq!(column_of(&parsed, Field::Close), "c");
    assert_eq!(
        span(&parsed),
        (
            "2024-01-03T05:00:00Z".to_string(),
            "2024-01-08T05:00:00Z".to_string(),
            4
        )
    );
    let parsed = load("alpaca_multi_symbol.json");
    assert!(has_note(&parsed, "`bars.AAPL`"));
}

#[test]
fn coinbase_is_decided_by_consistency_and_reversed() {
    let parsed = load("coinbase.json");
    assert_eq!(parsed.report.layout, Layout::Coinbase);
    assert_eq!(column_of(&parsed, Field::Low), "low");
    assert_eq!(
        parsed
            .report
            .columns
            .iter()
            .find(|c| c.field == Field::Low)
            .unwrap()
            .column,
        Some(2)
    );
    assert!(has_note(&parsed, "Coinbase order"));
    assert!(parsed.report.is_reversed);
    let first = parsed.candles.bar(0);
    assert_eq!(
        (first.open, first.high, first.low, first.close),
        (61_522.0, 61_744.9, 61_490.0, 61_601.8)
    );
}

#[test]
fn kraken_ccxt_and_stooq_keep_loading() {
    for (name, layout, n) in [
        ("kraken_ohlcvt.csv", Layout::Generic, 4),
        ("ccxt_ohlcv.json", Layout::Generic, 4),
        ("stooq.csv", Layout::Generic, 4),
    ] {
        let parsed = load(name);
        assert_eq!(parsed.report.layout, layout, "{name}");
        assert_eq!(parsed.candles.len(), n, "{name}");
        assert!(!parsed.report.is_reversed, "{name}");
    }
    assert_eq!(
        load("kraken_ohlcvt.csv").report.ignored_columns,
        ["column 7"]
    );
}

#[test]
fn the_asked_date_order_wins_and_a_contradiction_names_the_line() {
    let options = ParseOptions {
        date_order: Some(DateOrder::Mdy),
        ..ParseOptions::default()
    };
    // Asking month first on Dukascopy's `13.05.2024` fails at the first such row.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/data/ok/dukascopy.csv");
    let err = parse(&std::fs::read(path).unwrap(), &options).unwrap_err();
    match err {
        DataError::Rejected { problems, .. } => {
            assert_eq!(
                (problems[0].line, problems[0].column, problems[0].field),
                (4, 1, Field::Time)
            );
        }
        other => panic!("expected a rejection, got {other}"),
    }
    let parsed = load_with("dukascopy_undecided.csv", &options);
    assert_eq!(parsed.report.date_order, Some(DateOrder::Mdy));
    assert_eq!(
        format_iso_ms(parsed.report.first_ts_ms),
        "2024-05-05T00:00:00Z"
    );
}

#[test]
fn parse_options_carry_the_date_order_through_serde_with_a_default() {
    let options: ParseOptions =
        serde_json::from_str(r#"{"mode": "strict", "max_decompressed_bytes": 1024}"#).unwrap();
    assert_eq!(options.date_order, None);
    let options = ParseOptions {
        date_order: Some(DateOrder::Dmy),
        ..ParseOptions::default()
    };
    let json = serde_json::to_string(&options).unwrap();
    assert!(json.contains(r#""date_order":"dmy""#), "{json}");
    assert_eq!(
        serde_json::from_str::<ParseOptions>(&json).unwrap(),
        options
    );
}

#[test]
fn lenient_mode_drops_the_out_of_order_row_of_a_newest_first_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/data/err/newest_first_out_of_order.csv");
    let parsed = parse(&std::fs::read(path).unwrap(), &ParseOptions::lenient()).unwrap();
    assert!(parsed.report.is_reversed);
    assert_eq!(parsed.report.dropped.len(), 1);
    assert_eq!(parsed.report.dropped[0].line, 5);
    assert_eq!(parsed.candles.len(), 4);
    assert!(parsed
        .candles
        .ts_ms()
        .windows(2)
        .all(|pair| pair[0] < pair[1]));
}

mod mutations {
    use super::*;
    use proptest::prelude::*;

    /// Bytes a candle file plausibly holds, so the edits reach the readers.
    const ALPHABET: &[u8] = b"0123456789.,;-/:\"[]{} \nKMBZT";

    /// The committed fuzz seeds (`fuzz/seeds/parse/`), read once.
    fn seeds() -> Vec<Vec<u8>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/parse");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|path| std::fs::read(path).unwrap())
            .collect()
    }

    proptest! {
        /// A cheap stand-in for the fuzzer on the new layouts: a seed with a few bytes
        /// replaced, or cut short, never panics; whatever parses runs oldest first.
        #[test]
        fn mutated_seeds_parse_or_fail_cleanly(
            seed_idx in 0usize..64,
            edits in prop::collection::vec((any::<u16>(), any::<u8>()), 0..4),
            cut in any::<u16>(),
            is_cut: bool,
        ) {
            let seeds = seeds();
            let mut bytes = seeds[seed_idx % seeds.len()].clone();
            for (at, byte) in edits {
                let at = usize::from(at) % bytes.len();
                bytes[at] = ALPHABET[usize::from(byte) % ALPHABET.len()];
            }
            if is_cut {
                bytes.truncate(usize::from(cut) % (bytes.len() + 1));
            }
            for options in [ParseOptions::default(), ParseOptions::lenient()] {
                if let Ok(parsed) = parse(&bytes, &options) {
                    prop_assert!(parsed.candles.ts_ms().windows(2).all(|pair| pair[0] < pair[1]));
                }
            }
        }
    }
}
