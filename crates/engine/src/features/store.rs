//! The per-dataset feature store: compute each indicator once, share it as `Arc`.
//!
//! # Ownership
//!
//! A [`FeatureStore`] belongs to one worker (a web worker, or one CLI thread). Its get-or-compute
//! takes `&mut self`, and it is `Send` but not `Sync`, so the compiler refuses to share one
//! mutably between parallel trials: trials that run in parallel run in different workers, each
//! with its own store over the same `Arc<Candles>`, and trials that run one after another in a
//! worker share that worker's store. What a store hands out is immutable (`Arc<Column>` and
//! friends), so a strategy may keep a handle while the store evicts the entry, and handles may
//! be sent to other threads. The seeds' collision (two parallel trials reading one cache
//! entry written for other parameters) has no equivalent here: nothing is written after it is
//! handed out, and a key ([`Indicator`]) carries every parameter of its computation.

use std::any::Any;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::atr::atr;
use super::atr_pct_rank::atr_pct_rank;
use super::bollinger::{bollinger, Bollinger};
use super::column::Column;
use super::donchian::{donchian, Donchian};
use super::ema::ema;
use super::error::FeatureError;
use super::fib::{fib, Fib};
use super::fused;
use super::htf_trend::{htf_trend, HtfTrend};
use super::key::Indicator;
use super::rsi::rsi;
use super::sma::sma;
use super::swings::{swings, Swings};
use super::vol_shift::vol_shift;
use crate::data::{Candles, DatasetHash};

/// The default memory bound of a store: 256 MiB, room for about 32 columns of a million bars.
pub const DEFAULT_MEMORY_LIMIT_BYTES: usize = 256 << 20;

/// A computed indicator as the store holds it: cheap to clone, immutable.
#[derive(Clone, Debug)]
pub enum Feature {
    /// SMA, EMA, RSI, ATR, ATR percentile rank, volatility shift.
    Column(Arc<Column>),
    Bollinger(Arc<Bollinger>),
    Donchian(Arc<Donchian>),
    Swings(Arc<Swings>),
    Fib(Arc<Fib>),
    HtfTrend(Arc<HtfTrend>),
    /// A value cached with [`FeatureStore::derived`].
    Derived(Derived),
}

/// A value derived from features outside this module, type-erased, with the heap bytes its
/// owner reported (for the memory bound).
#[derive(Clone)]
pub struct Derived {
    pub value: Arc<dyn Any + Send + Sync>,
    pub heap_bytes: usize,
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Derived")
            .field("heap_bytes", &self.heap_bytes)
            .finish_non_exhaustive()
    }
}

impl Feature {
    /// Heap bytes held by the output (what the store's memory bound counts).
    pub fn heap_bytes(&self) -> usize {
        match self {
            Feature::Column(column) => column.heap_bytes(),
            Feature::Bollinger(bands) => bands.heap_bytes(),
            Feature::Donchian(channel) => channel.heap_bytes(),
            Feature::Swings(found) => found.heap_bytes(),
            Feature::Fib(levels) => levels.heap_bytes(),
            Feature::HtfTrend(trend) => trend.heap_bytes(),
            Feature::Derived(derived) => derived.heap_bytes,
        }
    }
}

/// Counters that make the cache's behaviour visible: a trial that should have hit the cache
/// and computed instead shows up here, not as a silent slow path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStats {
    /// Requests answered from the cache.
    pub n_hits: u64,
    /// Indicators computed (a miss; dependencies computed on the way count too).
    pub n_computed: u64,
    /// Entries dropped to respect the memory bound.
    pub n_evicted: u64,
    /// Results larger than the whole bound, returned but not kept.
    pub n_uncached: u64,
}

struct Slot {
    feature: Feature,
    bytes: usize,
    last_access: u64,
}

/// Computes indicators over one dataset on demand and caches them, least recently used first
/// out when the memory bound is reached. See the module docs for who owns a store.
///
/// ```
/// use std::sync::Arc;
/// use genesis_engine::data::{Candles, Columns};
/// use genesis_engine::features::FeatureStore;
///
/// let cols = Columns {
///     ts_ms: (0..30).map(|i| i * 3_600_000).collect(),
///     open: vec![100.0; 30],
///     high: (0..30).map(|i| 101.0 + (i % 5) as f64).collect(),
///     low: vec![99.0; 30],
///     close: (0..30).map(|i| 100.0 + (i % 5) as f64).collect(),
///     volume: vec![1.0; 30],
/// };
/// let mut store = FeatureStore::new(Arc::new(Candles::from_columns(cols).unwrap()));
/// let rsi = store.rsi(14).unwrap();
/// let values: &[f64] = rsi.values();
/// for bar_idx in rsi.first_valid()..values.len() {
///     assert!((0.0..=100.0).contains(&values[bar_idx]));
/// }
/// assert_eq!(store.stats().n_computed, 1);
/// let _again = store.rsi(14).unwrap();
/// assert_eq!(store.stats().n_hits, 1);
/// ```
pub struct FeatureStore {
    candles: Arc<Candles>,
    dataset_hash: OnceCell<DatasetHash>,
    entries: BTreeMap<Indicator, Slot>,
    access_counter: u64,
    cached_bytes: usize,
    memory_limit_bytes: usize,
    stats: StoreStats,
}

impl FeatureStore {
    /// A store over `candles` with [`DEFAULT_MEMORY_LIMIT_BYTES`].
    pub fn new(candles: Arc<Candles>) -> FeatureStore {
        FeatureStore::with_memory_limit(candles, DEFAULT_MEMORY_LIMIT_BYTES)
    }

    /// A store over `candles` that keeps at most `memory_limit_bytes` of outputs.
    pub fn with_memory_limit(candles: Arc<Candles>, memory_limit_bytes: usize) -> FeatureStore {
        FeatureStore {
            candles,
            dataset_hash: OnceCell::new(),
            entries: BTreeMap::new(),
            access_counter: 0,
            cached_bytes: 0,
            memory_limit_bytes,
            stats: StoreStats::default(),
        }
    }

    /// The dataset this store computes over.
    pub fn candles(&self) -> &Arc<Candles> {
        &self.candles
    }

    /// The dataset's content hash, computed on first request (it reads every bar).
    pub fn dataset_hash(&self) -> &DatasetHash {
        self.dataset_hash
            .get_or_init(|| self.candles.content_hash())
    }

    /// Cache counters since the store was made.
    pub fn stats(&self) -> StoreStats {
        self.stats
    }

    /// Bytes of outputs the cache currently holds.
    pub fn cached_bytes(&self) -> usize {
        self.cached_bytes
    }

    /// The memory bound in bytes.
    pub fn memory_limit_bytes(&self) -> usize {
        self.memory_limit_bytes
    }

    /// Number of cached entries.
    pub fn n_cached(&self) -> usize {
        self.entries.len()
    }

    /// True when `key` is cached now.
    pub fn is_cached(&self, key: &Indicator) -> bool {
        self.entries.contains_key(key)
    }

    /// The cached keys, in key order.
    pub fn cached_keys(&self) -> impl Iterator<Item = &Indicator> {
        self.entries.keys()
    }

    /// The indicator for `key`, from the cache or computed now (with its dependencies) and
    /// cached.
    pub fn get(&mut self, key: Indicator) -> Result<Feature, FeatureError> {
        key.validate()?;
        self.access_counter += 1;
        if let Some(slot) = self.entries.get_mut(&key) {
            slot.last_access = self.access_counter;
            self.stats.n_hits += 1;
            return Ok(slot.feature.clone());
        }
        let feature = self.compute(key)?;
        self.stats.n_computed += 1;
        self.insert(key, feature.clone());
        Ok(feature)
    }

    /// Computes the EMAs, RSIs and ATRs among `keys` that are not cached yet, together in one
    /// pass over the candles (see [`fused`]: their per-bar dependency chains overlap), and
    /// caches them; other keys are left to [`FeatureStore::get`]. Asking for the keys
    /// afterwards only reads the cache. Values are the same as computed one by one.
    pub(crate) fn prefetch(&mut self, keys: &[Indicator]) -> Result<(), FeatureError> {
        let mut missing: Vec<Indicator> = Vec::new();
        for key in keys.iter().filter(|key| fused::is_fusable(key)) {
            key.validate()?;
            if !self.entries.contains_key(key) && !missing.contains(key) {
                missing.push(*key);
            }
        }
        // One chain alone gains nothing from the shared pass.
        if missing.len() < 2 {
            return Ok(());
        }
        let columns = fused::columns(&self.candles, &missing);
        for (key, column) in missing.into_iter().zip(columns) {
            self.stats.n_computed += 1;
            self.insert(key, Feature::Column(Arc::new(column)));
        }
        Ok(())
    }

    /// The derived value cached under `digest`, or `compute(self)` cached now. `compute`
    /// returns the value and its heap bytes; it may take features from the store. The
    /// digest must cover every input of the computation (a name, a version and all
    /// parameters), exactly as an [`Indicator`] key does, so two computations never share an
    /// entry; a cached value of another type under the same digest is recomputed.
    ///
    /// This is how a strategy caches what depends only on features and its own parameters
    /// (the `genesis` model's probabilities), so repeated runs with the same parameters do
    /// not redo it.
    pub fn derived<T, E>(
        &mut self,
        digest: [u8; 32],
        compute: impl FnOnce(&mut FeatureStore) -> Result<(T, usize), E>,
    ) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
    {
        let key = Indicator::Derived { digest };
        self.access_counter += 1;
        if let Some(slot) = self.entries.get_mut(&key) {
            if let Feature::Derived(derived) = &slot.feature {
                if let Ok(value) = Arc::clone(&derived.value).downcast::<T>() {
                    slot.last_access = self.access_counter;
                    self.stats.n_hits += 1;
                    return Ok(value);
                }
            }
        }
        let (value, heap_bytes) = compute(self)?;
        let value = Arc::new(value);
        self.stats.n_computed += 1;
        let erased: Arc<dyn Any + Send + Sync> = Arc::clone(&value) as Arc<dyn Any + Send + Sync>;
        self.insert(
            key,
            Feature::Derived(Derived {
                value: erased,
                heap_bytes,
            }),
        );
        Ok(value)
    }

    fn insert(&mut self, key: Indicator, feature: Feature) {
        let bytes = feature.heap_bytes();
        if bytes > self.memory_limit_bytes {
            self.stats.n_uncached += 1;
            return;
        }
        self.access_counter += 1;
        let slot = Slot {
            feature,
            bytes,
            last_access: self.access_counter,
        };
        if let Some(old) = self.entries.insert(key, slot) {
            self.cached_bytes -= old.bytes;
        }
        self.cached_bytes += bytes;
        while self.cached_bytes > self.memory_limit_bytes {
            let victim = self
                .entries
                .iter()
                .filter(|(candidate, _)| **candidate != key)
                .min_by_key(|(_, slot)| slot.last_access)
                .map(|(candidate, _)| *candidate);
            let Some(victim) = victim else { break };
            if let Some(evicted) = self.entries.remove(&victim) {
                self.cached_bytes -= evicted.bytes;
                self.stats.n_evicted += 1;
            }
        }
    }

    fn compute(&mut self, key: Indicator) -> Result<Feature, FeatureError> {
        let candles = Arc::clone(&self.candles);
        let (high, low, close) = (candles.high(), candles.low(), candles.close());
        let feature =
            match key {
                Indicator::Sma { period } => Feature::Column(Arc::new(sma(close, period as usize))),
                Indicator::Ema { period } => Feature::Column(Arc::new(ema(close, period as usize))),
                Indicator::Rsi { period } => Feature::Column(Arc::new(rsi(close, period as usize))),
                Indicator::Atr { period } => {
                    Feature::Column(Arc::new(atr(high, low, close, period as usize)))
                }
                Indicator::Bollinger { period, std_bits } => Feature::Bollinger(Arc::new(
                    bollinger(close, period as usize, f64::from_bits(std_bits)),
                )),
                Indicator::Donchian { period } => {
                    Feature::Donchian(Arc::new(donchian(high, low, period as usize)))
                }
                Indicator::Swings { strength } => {
                    Feature::Swings(Arc::new(swings(high, low, strength as usize)))
                }
                Indicator::Fib {
                    strength,
                    atr_period,
                } => {
                    let found = self.swings(strength)?;
                    let range = self.atr(atr_period)?;
                    Feature::Fib(Arc::new(fib(close, &found, &range)))
                }
                Indicator::AtrPctRank {
                    atr_period,
                    lookback,
                } => {
                    let range = self.atr(atr_period)?;
                    Feature::Column(Arc::new(atr_pct_rank(&range, lookback as usize)))
                }
                Indicator::VolShift {
                    short_period,
                    long_period,
                } => {
                    let short = self.atr(short_period)?;
                    let long = self.atr(long_period)?;
                    Feature::Column(Arc::new(vol_shift(&short, &long)))
                }
                Indicator::HtfTrend {
                    multiple,
                    ema_period,
                } => Feature::HtfTrend(Arc::new(htf_trend(
                    candles.ts_ms(),
                    close,
                    candles.timeframe_ms(),
                    multiple as usize,
                    ema_period as usize,
                ))),
                Indicator::Derived { .. } => {
                    return Err(FeatureError::InvalidIndicator {
                        indicator: key.to_string(),
                        reason: "a derived value is computed by its owner through FeatureStore::derived, never by key".to_owned(),
                    })
                }
            };
        Ok(feature)
    }

    fn column(&mut self, key: Indicator) -> Result<Arc<Column>, FeatureError> {
        match self.get(key)? {
            Feature::Column(column) => Ok(column),
            _ => Err(wrong_shape(key)),
        }
    }

    /// SMA of close over `period` bars.
    pub fn sma(&mut self, period: u32) -> Result<Arc<Column>, FeatureError> {
        self.column(Indicator::Sma { period })
    }

    /// EMA of close over `period` bars.
    pub fn ema(&mut self, period: u32) -> Result<Arc<Column>, FeatureError> {
        self.column(Indicator::Ema { period })
    }

    /// Wilder RSI of close over `period` bars.
    pub fn rsi(&mut self, period: u32) -> Result<Arc<Column>, FeatureError> {
        self.column(Indicator::Rsi { period })
    }

    /// Wilder ATR over `period` bars.
    pub fn atr(&mut self, period: u32) -> Result<Arc<Column>, FeatureError> {
        self.column(Indicator::Atr { period })
    }

    /// ATR percentile rank of `Atr { atr_period }` over `lookback` bars.
    pub fn atr_pct_rank(
        &mut self,
        atr_period: u32,
        lookback: u32,
    ) -> Result<Arc<Column>, FeatureError> {
        self.column(Indicator::AtrPctRank {
            atr_period,
            lookback,
        })
    }

    /// `atr(short_period) / atr(long_period)`.
    pub fn vol_shift(
        &mut self,
        short_period: u32,
        long_period: u32,
    ) -> Result<Arc<Column>, FeatureError> {
        self.column(Indicator::VolShift {
            short_period,
            long_period,
        })
    }

    /// Bollinger bands of close over `period` bars, `std_mult` standard deviations wide.
    pub fn bollinger(
        &mut self,
        period: u32,
        std_mult: f64,
    ) -> Result<Arc<Bollinger>, FeatureError> {
        let key = Indicator::bollinger(period, std_mult);
        match self.get(key)? {
            Feature::Bollinger(bands) => Ok(bands),
            _ => Err(wrong_shape(key)),
        }
    }

    /// Donchian channel of the previous `period` bars.
    pub fn donchian(&mut self, period: u32) -> Result<Arc<Donchian>, FeatureError> {
        let key = Indicator::Donchian { period };
        match self.get(key)? {
            Feature::Donchian(channel) => Ok(channel),
            _ => Err(wrong_shape(key)),
        }
    }

    /// Swing highs and lows of `strength`.
    pub fn swings(&mut self, strength: u32) -> Result<Arc<Swings>, FeatureError> {
        let key = Indicator::Swings { strength };
        match self.get(key)? {
            Feature::Swings(found) => Ok(found),
            _ => Err(wrong_shape(key)),
        }
    }

    /// Fibonacci levels of the swings of `strength`, distance in `Atr { atr_period }` units.
    pub fn fib(&mut self, strength: u32, atr_period: u32) -> Result<Arc<Fib>, FeatureError> {
        let key = Indicator::Fib {
            strength,
            atr_period,
        };
        match self.get(key)? {
            Feature::Fib(levels) => Ok(levels),
            _ => Err(wrong_shape(key)),
        }
    }

    /// Higher-timeframe trend, `multiple` base bars per higher bar, EMA over `ema_period`
    /// higher bars.
    pub fn htf_trend(
        &mut self,
        multiple: u32,
        ema_period: u32,
    ) -> Result<Arc<HtfTrend>, FeatureError> {
        let key = Indicator::HtfTrend {
            multiple,
            ema_period,
        };
        match self.get(key)? {
            Feature::HtfTrend(trend) => Ok(trend),
            _ => Err(wrong_shape(key)),
        }
    }
}

fn wrong_shape(key: Indicator) -> FeatureError {
    FeatureError::WrongShape {
        indicator: key.to_string(),
    }
}
