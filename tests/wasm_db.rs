//! IndexedDB round trips in a real headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use genesis_lab::storage::db::{stores, Db, DbError, Setting, SCHEMA_VERSION};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh(name: &str) -> Db {
    Db::delete_named(name)
        .await
        .expect("delete the test database");
    Db::open_named(name).await.expect("open the test database")
}

#[wasm_bindgen_test]
async fn a_setting_with_a_nested_map_round_trips() {
    let db = fresh("genesis-test-settings").await;
    let setting = Setting {
        key: "pool".into(),
        // JS has one number type, so integral floats come back as integers: use neither kind ambiguously.
        value: serde_json::json!({ "size": 3, "names": { "a": [1.5, 2.25] } }),
    };
    db.put(stores::SETTINGS, &setting).await.expect("put");
    let back: Option<Setting> = db
        .get(stores::SETTINGS, &JsValue::from_str("pool"))
        .await
        .expect("get");
    assert_eq!(back, Some(setting));
    let missing: Option<Setting> = db
        .get(stores::SETTINGS, &JsValue::from_str("nope"))
        .await
        .expect("get missing");
    assert_eq!(missing, None);
}

#[wasm_bindgen_test]
async fn trials_are_keyed_by_study_and_number() {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct TrialRow {
        study_id: String,
        number: u32,
        value: f64,
    }
    let db = fresh("genesis-test-trials").await;
    for number in 0..3 {
        let row = TrialRow {
            study_id: "s1".into(),
            number,
            value: f64::from(number) * 0.5,
        };
        db.put(stores::TRIALS, &row).await.expect("put trial");
    }
    let overwrite = TrialRow {
        study_id: "s1".into(),
        number: 1,
        value: 9.0,
    };
    db.put(stores::TRIALS, &overwrite).await.expect("overwrite");
    let rows: Vec<TrialRow> = db
        .get_all(stores::TRIALS)
        .await
        .expect("get_all")
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("no corrupt rows");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], overwrite);
}

#[wasm_bindgen_test]
async fn a_corrupt_record_is_reported_and_the_rest_still_read() {
    let db = fresh("genesis-test-corrupt").await;
    let good = Setting {
        key: "good".into(),
        value: serde_json::json!(1),
    };
    db.put(stores::SETTINGS, &good).await.expect("put good");
    // A record of the wrong shape, as an older or foreign writer could leave behind.
    let bad = js_sys::Object::new();
    js_sys::Reflect::set(&bad, &"key".into(), &"bad".into()).unwrap();
    js_sys::Reflect::set(&bad, &"wrong".into(), &JsValue::TRUE).unwrap();
    db.put_all(&[(stores::SETTINGS, bad.into())])
        .await
        .expect("put raw");
    let rows = db
        .get_all::<Setting>(stores::SETTINGS)
        .await
        .expect("get_all");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().any(|r| r.as_ref() == Ok(&good)));
    assert!(rows
        .iter()
        .any(|r| matches!(r, Err(DbError::Corrupt { store, .. }) if store == stores::SETTINGS)));
}

#[wasm_bindgen_test]
async fn a_failed_multi_store_write_leaves_nothing_behind() {
    let db = fresh("genesis-test-atomic").await;
    let good = genesis_lab::storage::db::to_js(
        stores::SETTINGS,
        &Setting {
            key: "half".into(),
            value: serde_json::json!(true),
        },
    )
    .unwrap();
    // The second record lacks its key path, so the transaction fails as a whole.
    let keyless = js_sys::Object::new();
    let result = db
        .put_all(&[(stores::SETTINGS, good), (stores::DATASETS, keyless.into())])
        .await;
    assert!(
        result.is_err(),
        "a record without its key must fail the write"
    );
    let left: Option<Setting> = db
        .get(stores::SETTINGS, &JsValue::from_str("half"))
        .await
        .expect("get");
    assert_eq!(
        left, None,
        "the first record of the failed transaction must not land"
    );
}

#[wasm_bindgen_test]
async fn the_schema_version_is_the_declared_one() {
    let db = fresh("genesis-test-version").await;
    assert_eq!(db.version().expect("version"), SCHEMA_VERSION);
}
