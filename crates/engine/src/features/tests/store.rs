//! The feature store: sharing, recomputation only of changed variants, eviction, ownership,
//! and the CSV export.

use std::sync::Arc;

use super::gen::random_walk;
use crate::features::{
    bench_all, write_csv, FeatureError, FeatureFrame, FeatureParams, FeatureStore, Indicator,
    FRAME_COLUMN_NAMES,
};

/// Distinct indicators behind a default frame: the ten keys of `FeatureParams::indicators`
/// plus `Swings`, which Fib depends on (the ATRs Fib, VolShift and AtrPctRank need are already
/// among the ten).
const DEFAULT_FRAME_COMPUTATIONS: u64 = 11;

#[test]
fn a_trial_that_changes_one_period_computes_only_that_variant_once() {
    let candles = Arc::new(random_walk(3, 1_000));
    let mut store = FeatureStore::new(candles);
    let base = FeatureParams::default();
    FeatureFrame::compute(&mut store, &base).unwrap();
    assert_eq!(store.stats().n_computed, DEFAULT_FRAME_COMPUTATIONS);

    let changed = FeatureParams {
        rsi_period: 9,
        ..base.clone()
    };
    FeatureFrame::compute(&mut store, &changed).unwrap();
    assert_eq!(store.stats().n_computed, DEFAULT_FRAME_COMPUTATIONS + 1);
    assert!(store.is_cached(&Indicator::Rsi { period: 9 }));

    // A second trial with the same change, and the base again, compute nothing.
    FeatureFrame::compute(&mut store, &changed).unwrap();
    FeatureFrame::compute(&mut store, &base).unwrap();
    assert_eq!(store.stats().n_computed, DEFAULT_FRAME_COMPUTATIONS + 1);
    assert!(store.stats().n_hits > 0);
}

#[test]
fn changing_the_atr_period_recomputes_everything_built_on_it_and_nothing_else() {
    let candles = Arc::new(random_walk(4, 800));
    let mut store = FeatureStore::new(candles);
    let base = FeatureParams::default();
    FeatureFrame::compute(&mut store, &base).unwrap();
    let before = store.stats().n_computed;
    let changed = FeatureParams {
        atr_period: 10,
        ..base
    };
    FeatureFrame::compute(&mut store, &changed).unwrap();
    // Atr{10}, VolShift{10, 50}, AtrPctRank{10, 250}, Fib{3, 10}.
    assert_eq!(store.stats().n_computed - before, 4);
}

/// Regression for the seeds' cache collision: two trials with different parameters got the
/// same cached result. Different keys must give different values, and the same key the same
/// values from any store.
#[test]
fn different_parameters_never_share_an_entry() {
    let candles = Arc::new(random_walk(5, 600));
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let rsi_14 = store.rsi(14).unwrap();
    let rsi_9 = store.rsi(9).unwrap();
    assert!(!Arc::ptr_eq(&rsi_14, &rsi_9));
    assert_ne!(
        rsi_14.values()[100].to_bits(),
        rsi_9.values()[100].to_bits()
    );
    let wide = store.bollinger(20, 2.0).unwrap();
    let narrow = store.bollinger(20, 2.0 + f64::EPSILON * 2.0).unwrap();
    assert!(
        !Arc::ptr_eq(&wide, &narrow),
        "bb_std is part of the key to the last bit"
    );
    assert!(
        Arc::ptr_eq(&rsi_14, &store.rsi(14).unwrap()),
        "same key, same entry"
    );
}

#[test]
fn eviction_is_least_recently_used_and_respects_the_bound() {
    let candles = Arc::new(random_walk(6, 1_000));
    let column_bytes = 1_000 * 8;
    let mut store = FeatureStore::with_memory_limit(candles, 3 * column_bytes);
    store.ema(5).unwrap();
    store.ema(6).unwrap();
    store.ema(7).unwrap();
    store.ema(5).unwrap(); // 5 is now the most recently used; 6 the least.
    store.ema(8).unwrap();
    assert!(store.cached_bytes() <= store.memory_limit_bytes());
    assert_eq!(store.stats().n_evicted, 1);
    assert!(!store.is_cached(&Indicator::Ema { period: 6 }));
    for period in [5, 7, 8] {
        assert!(store.is_cached(&Indicator::Ema { period }), "ema {period}");
    }
    // A handle outlives its eviction: the values stay valid for whoever holds them.
    let kept = store.ema(7).unwrap();
    store.ema(9).unwrap();
    store.ema(10).unwrap();
    store.ema(11).unwrap();
    assert_eq!(kept.len(), 1_000);

    // An output larger than the whole bound is returned but not kept.
    let mut tiny = FeatureStore::with_memory_limit(Arc::new(random_walk(6, 100)), 10);
    assert!(tiny.ema(5).unwrap().has_valid());
    assert_eq!(tiny.n_cached(), 0);
    assert_eq!(tiny.stats().n_uncached, 1);
}

#[test]
fn invalid_keys_and_params_are_errors_that_name_them() {
    let mut store = FeatureStore::new(Arc::new(random_walk(8, 50)));
    let err = store.rsi(0).unwrap_err();
    assert_eq!(
        err,
        FeatureError::InvalidIndicator {
            indicator: "rsi(period=0)".to_owned(),
            reason: "must be at least 1".to_owned()
        }
    );
    assert!(store.bollinger(20, f64::NAN).is_err());
    let params = FeatureParams {
        htf_multiple: 0,
        ..FeatureParams::default()
    };
    let err = FeatureFrame::compute(&mut store, &params).unwrap_err();
    assert!(
        err.to_string().starts_with("features.htf_multiple:"),
        "{err}"
    );
}

/// Parallel trials each own a store over the same candles; their results equal a single
/// store's bit for bit. (That a store cannot be shared mutably is the compiler's job: it is
/// `Send`, not `Sync`, and get-or-compute takes `&mut self`.)
#[test]
fn parallel_workers_with_their_own_stores_agree() {
    fn assert_send<T: Send>() {}
    assert_send::<FeatureStore>();
    let candles = Arc::new(random_walk(9, 2_000));
    let params: Vec<FeatureParams> = (0..4)
        .map(|trial| FeatureParams {
            rsi_period: 10 + trial,
            bb_period: 15 + trial,
            ..FeatureParams::default()
        })
        .collect();
    let parallel: Vec<Vec<u64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = params
            .iter()
            .map(|trial| {
                let candles = Arc::clone(&candles);
                scope.spawn(move || {
                    let mut store = FeatureStore::new(candles);
                    let frame = FeatureFrame::compute(&mut store, trial).unwrap();
                    fingerprint(&frame)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut shared = FeatureStore::new(Arc::clone(&candles));
    for (trial, got) in params.iter().zip(&parallel) {
        let frame = FeatureFrame::compute(&mut shared, trial).unwrap();
        assert_eq!(&fingerprint(&frame), got);
    }
    assert_ne!(parallel[0], parallel[1], "different trials must differ");
}

fn fingerprint(frame: &FeatureFrame) -> Vec<u64> {
    frame
        .columns()
        .iter()
        .flat_map(|(_, column)| column.values().iter().map(|value| value.to_bits()))
        .collect()
}

#[test]
fn the_store_knows_its_dataset() {
    let candles = Arc::new(random_walk(10, 100));
    let store = FeatureStore::new(Arc::clone(&candles));
    assert_eq!(store.dataset_hash(), &candles.content_hash());
}

#[test]
fn csv_has_every_column_and_reads_back_to_the_same_values() {
    let candles = Arc::new(random_walk(11, 400));
    let frame = bench_all(&candles, &FeatureParams::default()).unwrap();
    let mut out = Vec::new();
    write_csv(&candles, &frame, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..6],
        &["ts_ms", "open", "high", "low", "close", "volume"]
    );
    assert_eq!(&header[6..], &FRAME_COLUMN_NAMES[..]);
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    assert_eq!(rows.len(), candles.len());
    let columns = frame.columns();
    for (bar_idx, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), header.len());
        assert_eq!(row[0].parse::<i64>().unwrap(), candles.ts_ms()[bar_idx]);
        assert_eq!(row[4].parse::<f64>().unwrap(), candles.close()[bar_idx]);
        for (field, (name, column)) in row[6..].iter().zip(columns.iter()) {
            match column.get(bar_idx) {
                None => assert!(field.is_empty(), "{name} at {bar_idx}: {field}"),
                Some(value) => assert_eq!(field.parse::<f64>().unwrap().to_bits(), value.to_bits()),
            }
        }
    }
    let rsi_idx = header.iter().position(|&name| name == "rsi").unwrap();
    assert!(
        rows[13][rsi_idx].is_empty() && !rows[14][rsi_idx].is_empty(),
        "warm-up is empty"
    );

    let other = random_walk(12, 10);
    assert!(matches!(
        write_csv(&other, &frame, &mut Vec::new()),
        Err(FeatureError::FrameMismatch {
            frame_bars: 400,
            candle_bars: 10
        })
    ));
}

#[test]
fn the_memory_estimate_bounds_the_real_size() {
    let candles = Arc::new(random_walk(13, 3_000));
    let params = FeatureParams::default();
    let frame = bench_all(&candles, &params).unwrap();
    let estimate = FeatureFrame::estimate_bytes(candles.len(), &params);
    assert!(
        frame.heap_bytes() <= estimate,
        "{} > {estimate}",
        frame.heap_bytes()
    );
    assert!(
        frame.heap_bytes() * 10 >= estimate * 9,
        "estimate far too high"
    );
    assert_eq!(frame.column("htf_trend").map(|c| c.len()), Some(3_000));
    assert!(frame.column("nope").is_none());
}

/// `FeatureStore::derived`: a value computed outside the module is cached under its digest,
/// counted like any feature, never computed by key, and a different digest is a different
/// entry (the collision the seeds' cache had).
#[test]
fn derived_values_are_cached_by_digest() {
    let candles = Arc::new(random_walk(6, 300));
    let mut store = FeatureStore::new(candles);
    let mut n_calls = 0;
    let mut compute = |digest: [u8; 32], value: f64, store: &mut FeatureStore| {
        store
            .derived(digest, |store| {
                n_calls += 1;
                let rsi = store.rsi(14)?;
                Ok::<_, FeatureError>((value + rsi.values()[200], 8))
            })
            .unwrap()
    };
    let first = compute([1; 32], 1.0, &mut store);
    let again = compute([1; 32], 99.0, &mut store);
    assert!(
        Arc::ptr_eq(&first, &again),
        "same digest: cached, not recomputed"
    );
    let other = compute([2; 32], 2.0, &mut store);
    assert_ne!(*first, *other);
    assert_eq!(n_calls, 2);
    // Two derived values and the RSI they read.
    assert_eq!(store.stats().n_computed, 3);
    assert!(matches!(
        store.get(Indicator::Derived { digest: [3; 32] }),
        Err(FeatureError::InvalidIndicator { .. })
    ));
}
