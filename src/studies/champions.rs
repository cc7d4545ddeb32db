//! Champions in the browser: one book (genesis_study's `ChampionBook`: per symbol and
//! timeframe, the current champion and its history) stored as one IndexedDB record, so a
//! promotion or a rollback lands whole or not at all.

use genesis_study::champion::{Champion, ChampionBook};
use genesis_study::selection::Requirements;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::OpenStudy;
use crate::error::AppError;
use crate::storage::db::{stores, Db, DbError};

const BOOK_KEY: &str = "champion-book";

#[derive(Serialize, Deserialize)]
struct BookRecord {
    id: String,
    /// As JSON text: champions carry parameters whose types JS numbers would blur.
    #[serde(with = "crate::workers::json_text")]
    book: ChampionBook,
}

pub async fn load(db: &Db) -> Result<ChampionBook, DbError> {
    let record: Option<BookRecord> = db
        .get(stores::CHAMPIONS, &JsValue::from_str(BOOK_KEY))
        .await?;
    Ok(record.map(|r| r.book).unwrap_or_default())
}

async fn save(db: &Db, book: &ChampionBook) -> Result<(), DbError> {
    db.put(
        stores::CHAMPIONS,
        &BookRecord {
            id: BOOK_KEY.to_string(),
            book: book.clone(),
        },
    )
    .await
}

/// The champion trial `number` of an open study would make, for the promotion dialog;
/// refused (with the reason) unless it passed its out-of-sample validation.
pub fn preview(study: &OpenStudy, number: u64, now_ms: i64) -> Result<Champion, AppError> {
    let log = super::records::log(&study.row.header, &study.records)?;
    Ok(Champion::from_trial(
        &study.plan,
        &log,
        number,
        None,
        now_ms,
    )?)
}

/// Promotes a previewed champion once its figures meet `requirements` (a refusal names
/// the figure).
pub async fn promote(
    db: &Db,
    champion: Champion,
    requirements: &Requirements,
) -> Result<Champion, AppError> {
    champion.require(requirements)?;
    let mut book = load(db).await?;
    let promoted = book.promote(champion)?.clone();
    save(db, &book).await?;
    Ok(promoted)
}

pub async fn rollback(
    db: &Db,
    symbol: &str,
    timeframe: &str,
    now_ms: i64,
) -> Result<Champion, AppError> {
    let mut book = load(db).await?;
    let current = book.rollback(symbol, timeframe, now_ms)?.clone();
    save(db, &book).await?;
    Ok(current)
}
