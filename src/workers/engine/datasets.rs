//! The datasets a worker holds, each with its feature store, bounded in memory: the least
//! recently used dataset is dropped first (the pool reloads it if a later job needs it).

use std::collections::BTreeMap;
use std::sync::Arc;

use genesis_engine::data::Candles;
use genesis_engine::features::FeatureStore;

use crate::workers::protocol::DatasetId;

/// Candle bytes a worker keeps before evicting datasets; feature stores have their own bound.
const MAX_CANDLE_BYTES: usize = 256 << 20;

#[derive(Default)]
pub struct Datasets {
    entries: BTreeMap<DatasetId, Entry>,
    clock: u64,
}

struct Entry {
    store: FeatureStore,
    last_used: u64,
}

fn candle_bytes(candles: &Candles) -> usize {
    candles.len() * 48
}

impl Datasets {
    pub fn insert(&mut self, id: DatasetId, candles: Candles) {
        self.clock += 1;
        let entry = Entry {
            store: FeatureStore::new(Arc::new(candles)),
            last_used: self.clock,
        };
        self.entries.insert(id.clone(), entry);
        while self.total_bytes() > MAX_CANDLE_BYTES && self.entries.len() > 1 {
            let oldest = self
                .entries
                .iter()
                .filter(|(key, _)| **key != id)
                .min_by_key(|(_, e)| e.last_used)
                .map(|(key, _)| key.clone());
            match oldest {
                Some(key) => self.entries.remove(&key),
                None => break,
            };
        }
    }

    /// The feature store of a held dataset, marking it used.
    pub fn store(&mut self, id: &DatasetId) -> Option<&mut FeatureStore> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(id).map(|entry| {
            entry.last_used = clock;
            &mut entry.store
        })
    }

    fn total_bytes(&self) -> usize {
        self.entries
            .values()
            .map(|e| candle_bytes(e.store.candles()))
            .sum()
    }
}
