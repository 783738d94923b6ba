//! The SQLite side of the outbox, the municipal API and retention: each
//! function is one transaction, and every state change writes its audit
//! record in the same transaction as the change.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use time::OffsetDateTime;

use super::{
    AckOutcome, AttemptRecord, AttemptResult, AttemptRow, Decision, DecisionKind, DecisionOutcome,
    DeliveryMaterial, DeliveryRow, DeliveryState, DueDelivery, MaterialPart, MunicipalFiling,
    NewDecision, PartInfo, PendingFiling, StoreError, audit, parse_ts, ts,
};

/// municipality, received_at, manifest_sha256, record_json, report_json, purged_at.
type FilingRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

/// media_type, bytes, stripped, the filing's purged_at.
type PartRow = (String, Vec<u8>, Option<Vec<u8>>, Option<String>);

const DELIVERY_COLUMNS: &str = "d.filing_id, d.municipality, d.state, d.attempts, d.next_attempt_at, d.created_at, COALESCE(d.window_started_at, d.created_at), d.mode, d.last_error, d.delivered_at, d.acknowledged_at, d.reception_number";

fn opt_ts(s: Option<String>, column: &'static str) -> Result<Option<OffsetDateTime>, StoreError> {
    s.map(|s| parse_ts(&s, column)).transpose()
}

type RawDelivery = (
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn raw_delivery(r: &Row<'_>) -> rusqlite::Result<RawDelivery> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

fn delivery_row(raw: RawDelivery) -> Result<DeliveryRow, StoreError> {
    let (
        filing_id,
        municipality,
        state,
        attempts,
        next,
        created,
        window,
        mode,
        last_error,
        delivered,
        acked,
        reception,
    ) = raw;
    Ok(DeliveryRow {
        filing_id,
        municipality,
        state: DeliveryState::parse(&state).ok_or(StoreError::Corrupt {
            table: "deliveries",
            column: "state",
        })?,
        attempts: u32::try_from(attempts).unwrap_or(0),
        next_attempt_at: parse_ts(&next, "deliveries.next_attempt_at")?,
        created_at: parse_ts(&created, "deliveries.created_at")?,
        window_started_at: parse_ts(&window, "deliveries.window_started_at")?,
        mode,
        last_error,
        delivered_at: opt_ts(delivered, "deliveries.delivered_at")?,
        acknowledged_at: opt_ts(acked, "deliveries.acknowledged_at")?,
        reception_number: reception,
    })
}

fn load_delivery(conn: &Connection, filing_id: &str) -> Result<Option<DeliveryRow>, StoreError> {
    let raw = conn
        .query_row(
            &format!("SELECT {DELIVERY_COLUMNS} FROM deliveries d WHERE d.filing_id = ?1"),
            [filing_id],
            raw_delivery,
        )
        .optional()?;
    raw.map(delivery_row).transpose()
}

fn history(
    tx: &Transaction<'_>,
    filing_id: &str,
    at: OffsetDateTime,
    state: &str,
    note: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO history (filing_id, at, state, note) VALUES (?1, ?2, ?3, ?4)",
        params![filing_id, ts(at), state, note],
    )?;
    Ok(())
}

/// A `?, ?, …` list for `n` values after `offset` fixed parameters.
fn placeholders(offset: usize, n: usize) -> String {
    (0..n)
        .map(|i| format!("?{}", offset + i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn due_deliveries(
    conn: &Connection,
    now: OffsetDateTime,
    limit: usize,
) -> Result<Vec<DueDelivery>, StoreError> {
    let now = ts(now);
    let mut stmt = conn.prepare(
        "SELECT filing_id, municipality, attempts, COALESCE(window_started_at, created_at) FROM deliveries
         WHERE state = 'pending' AND next_attempt_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
         ORDER BY next_attempt_at LIMIT ?2",
    )?;
    let rows = stmt.query_map(
        params![now, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (filing_id, municipality, attempts, window) = row?;
        out.push(DueDelivery {
            filing_id,
            municipality,
            attempts: u32::try_from(attempts).unwrap_or(0),
            window_started_at: parse_ts(&window, "deliveries.window_started_at")?,
        });
    }
    Ok(out)
}

pub(super) fn claim_delivery(
    conn: &Connection,
    filing_id: &str,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
) -> Result<bool, StoreError> {
    let now = ts(now);
    let n = conn.execute(
        "UPDATE deliveries SET lease_until = ?3 WHERE filing_id = ?1 AND state = 'pending'
         AND next_attempt_at <= ?2 AND (lease_until IS NULL OR lease_until <= ?2)",
        params![filing_id, now, ts(lease_until)],
    )?;
    Ok(n == 1)
}

pub(super) fn delivery_material(
    conn: &Connection,
    filing_id: &str,
) -> Result<Option<DeliveryMaterial>, StoreError> {
    let row: Option<FilingRow> = conn
        .query_row(
            "SELECT municipality, received_at, manifest_sha256, record_json, report_json, purged_at FROM filings WHERE id = ?1 AND state = 'accepted'",
            [filing_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let Some((municipality, received_at, manifest_sha256, Some(record_json), report_json, None)) =
        row
    else {
        return Ok(None);
    };
    let mut stmt = conn.prepare("SELECT name, media_type, sha256, bytes, stripped FROM parts WHERE filing_id = ?1 ORDER BY rowid")?;
    let parts = stmt
        .query_map([filing_id], |r| {
            Ok(MaterialPart {
                name: r.get(0)?,
                media_type: r.get(1)?,
                sha256: r.get(2)?,
                bytes: r.get(3)?,
                stripped: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(DeliveryMaterial {
        filing_id: filing_id.to_owned(),
        municipality,
        received_at: parse_ts(&received_at, "received_at")?,
        manifest_sha256,
        record_json,
        report_json,
        parts,
    }))
}

pub(super) fn finish_attempt(
    conn: &mut Connection,
    filing_id: &str,
    a: &AttemptRecord,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let (state, attempts): (String, i64) = tx.query_row(
        "SELECT state, attempts FROM deliveries WHERE filing_id = ?1",
        [filing_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let attempt = attempts + 1;
    let (outcome, detail) = match &a.result {
        AttemptResult::Delivered { detail, .. } => ("delivered", detail.as_str()),
        AttemptResult::Retry { error, .. } => ("retry", error.as_str()),
        AttemptResult::Held { error } => ("held", error.as_str()),
    };
    tx.execute(
        "INSERT INTO delivery_attempts (filing_id, attempt, started_at, finished_at, mode, outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![filing_id, attempt, ts(a.started_at), ts(a.finished_at), a.mode, outcome, detail],
    )?;
    let finished = ts(a.finished_at);
    // A delivery an operator or the API already moved on (acknowledged by
    // a pull of the same filing, say) keeps its state; the attempt is
    // still recorded.
    let live = state == "pending";
    match &a.result {
        AttemptResult::Delivered {
            reception_number, ..
        } => {
            if live {
                let new_state = if reception_number.is_some() {
                    "acknowledged"
                } else {
                    "delivered"
                };
                tx.execute(
                    "UPDATE deliveries SET state = ?2, attempts = ?3, lease_until = NULL, mode = ?4, last_error = NULL, delivered_at = ?5,
                     acknowledged_at = CASE WHEN ?6 IS NULL THEN acknowledged_at ELSE ?5 END, reception_number = COALESCE(?6, reception_number)
                     WHERE filing_id = ?1",
                    params![filing_id, new_state, attempt, a.mode, finished, reception_number],
                )?;
                history(
                    &tx,
                    filing_id,
                    a.finished_at,
                    "delivered",
                    "市区町村へ送付しました / delivered to the municipality",
                )?;
                if reception_number.is_some() {
                    history(
                        &tx,
                        filing_id,
                        a.finished_at,
                        "acknowledged",
                        "市区町村が受け付けました / the municipality confirmed receipt",
                    )?;
                }
            } else {
                tx.execute(
                    "UPDATE deliveries SET attempts = ?2, lease_until = NULL WHERE filing_id = ?1",
                    params![filing_id, attempt],
                )?;
            }
        }
        AttemptResult::Retry {
            error,
            next_attempt_at,
        } => {
            tx.execute(
                "UPDATE deliveries SET attempts = ?2, lease_until = NULL, mode = ?3, last_error = ?4, next_attempt_at = ?5 WHERE filing_id = ?1",
                params![filing_id, attempt, a.mode, error, ts(*next_attempt_at)],
            )?;
        }
        AttemptResult::Held { error } => {
            tx.execute(
                "UPDATE deliveries SET state = CASE WHEN state = 'pending' THEN 'held' ELSE state END, attempts = ?2, lease_until = NULL, mode = ?3, last_error = ?4 WHERE filing_id = ?1",
                params![filing_id, attempt, a.mode, error],
            )?;
        }
    }
    let mut detail_json = serde_json::json!({
        "attempt": attempt,
        "mode": a.mode,
        "outcome": outcome,
        "detail": detail,
        "started_at": ts(a.started_at),
    });
    if let AttemptResult::Retry {
        next_attempt_at, ..
    } = &a.result
    {
        detail_json["next_attempt_at"] = ts(*next_attempt_at).into();
    }
    audit(
        &tx,
        a.finished_at,
        filing_id,
        "delivery_attempt",
        &detail_json.to_string(),
    )?;
    match &a.result {
        AttemptResult::Delivered {
            reception_number, ..
        } if live => {
            audit(
                &tx,
                a.finished_at,
                filing_id,
                "delivered",
                &serde_json::json!({ "mode": a.mode, "attempt": attempt }).to_string(),
            )?;
            if let Some(n) = reception_number {
                audit(
                    &tx,
                    a.finished_at,
                    filing_id,
                    "acknowledged",
                    &serde_json::json!({ "reception_number": n, "via": a.mode }).to_string(),
                )?;
            }
        }
        AttemptResult::Held { error } if live => {
            audit(
                &tx,
                a.finished_at,
                filing_id,
                "delivery_held",
                &serde_json::json!({ "attempts": attempt, "error": error }).to_string(),
            )?;
        }
        _ => {}
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn deliveries(
    conn: &Connection,
    state: Option<DeliveryState>,
    limit: usize,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let raws: Vec<RawDelivery> = match state {
        Some(s) => {
            let mut stmt = conn.prepare(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d WHERE d.state = ?1 ORDER BY d.created_at DESC LIMIT ?2"
            ))?;
            stmt.query_map(params![s.as_str(), limit], raw_delivery)?
                .collect::<Result<_, _>>()?
        }
        None => {
            let mut stmt = conn.prepare(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d ORDER BY d.created_at DESC LIMIT ?1"
            ))?;
            stmt.query_map(params![limit], raw_delivery)?
                .collect::<Result<_, _>>()?
        }
    };
    raws.into_iter().map(delivery_row).collect()
}

pub(super) fn delivery(
    conn: &Connection,
    filing_id: &str,
) -> Result<Option<(DeliveryRow, Vec<AttemptRow>)>, StoreError> {
    let Some(row) = load_delivery(conn, filing_id)? else {
        return Ok(None);
    };
    let mut stmt = conn.prepare(
        "SELECT attempt, started_at, finished_at, mode, outcome, detail FROM delivery_attempts WHERE filing_id = ?1 ORDER BY attempt",
    )?;
    let raws = stmt
        .query_map([filing_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut attempts = Vec::new();
    for (attempt, started, finished, mode, outcome, detail) in raws {
        attempts.push(AttemptRow {
            attempt: u32::try_from(attempt).unwrap_or(0),
            started_at: parse_ts(&started, "delivery_attempts.started_at")?,
            finished_at: parse_ts(&finished, "delivery_attempts.finished_at")?,
            mode,
            outcome,
            detail,
        });
    }
    Ok(Some((row, attempts)))
}

pub(super) fn retry_delivery(
    conn: &mut Connection,
    filing_id: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let at = ts(now);
    let previous: Option<String> = tx
        .query_row(
            "SELECT state FROM deliveries WHERE filing_id = ?1",
            [filing_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(previous) = previous.filter(|s| s == "held" || s == "pending") else {
        return Ok(false);
    };
    tx.execute(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = ?2, window_started_at = ?2, lease_until = NULL WHERE filing_id = ?1",
        params![filing_id, at],
    )?;
    audit(
        &tx,
        now,
        filing_id,
        "delivery_retry",
        &serde_json::json!({ "from": previous, "by": "operator" }).to_string(),
    )?;
    tx.commit()?;
    Ok(true)
}

pub(super) fn municipal_pending(
    conn: &Connection,
    municipalities: &[String],
    limit: usize,
) -> Result<Vec<PendingFiling>, StoreError> {
    if municipalities.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT f.id, f.municipality, f.received_at, d.state FROM deliveries d JOIN filings f ON f.id = d.filing_id
         WHERE d.state IN ('pending', 'delivered') AND f.purged_at IS NULL AND d.municipality IN ({}) ORDER BY f.received_at LIMIT ?1",
        placeholders(1, municipalities.len())
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut values: Vec<rusqlite::types::Value> =
        vec![i64::try_from(limit).unwrap_or(i64::MAX).into()];
    values.extend(
        municipalities
            .iter()
            .map(|m| rusqlite::types::Value::from(m.clone())),
    );
    let raws = stmt
        .query_map(rusqlite::params_from_iter(values), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for (id, municipality, received, state) in raws {
        out.push(PendingFiling {
            filing_id: id,
            municipality,
            received_at: parse_ts(&received, "received_at")?,
            delivery_state: DeliveryState::parse(&state).ok_or(StoreError::Corrupt {
                table: "deliveries",
                column: "state",
            })?,
        });
    }
    Ok(out)
}

/// The municipality of an accepted filing with a delivery, if it is one of `municipalities`.
fn owned_by(
    conn: &Connection,
    filing_id: &str,
    municipalities: &[String],
) -> Result<Option<String>, StoreError> {
    let m: Option<String> = conn
        .query_row(
            "SELECT f.municipality FROM filings f JOIN deliveries d ON d.filing_id = f.id WHERE f.id = ?1 AND f.state = 'accepted'",
            [filing_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(m.filter(|m| municipalities.iter().any(|x| x == m)))
}

fn current_decision(conn: &Connection, filing_id: &str) -> Result<Option<Decision>, StoreError> {
    let raw = conn
        .query_row(
            "SELECT decision_id, kind, decided_at, recorded_at, reason, message, superseded FROM decisions
             WHERE filing_id = ?1 AND superseded = 0 ORDER BY decided_at DESC, recorded_at DESC LIMIT 1",
            [filing_id],
            raw_decision,
        )
        .optional()?;
    raw.map(decision).transpose()
}

type RawDecision = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
);

fn raw_decision(r: &Row<'_>) -> rusqlite::Result<RawDecision> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn decision(raw: RawDecision) -> Result<Decision, StoreError> {
    let (decision_id, kind, decided, recorded, reason, message, superseded) = raw;
    Ok(Decision {
        decision_id,
        kind: DecisionKind::parse(&kind).ok_or(StoreError::Corrupt {
            table: "decisions",
            column: "kind",
        })?,
        decided_at: parse_ts(&decided, "decisions.decided_at")?,
        recorded_at: parse_ts(&recorded, "decisions.recorded_at")?,
        reason,
        message,
        superseded: superseded != 0,
    })
}

pub(super) fn current_decision_of(
    conn: &Connection,
    filing_id: &str,
) -> Result<Option<Decision>, StoreError> {
    current_decision(conn, filing_id)
}

pub(super) fn delivery_summary(
    conn: &Connection,
    filing_id: &str,
) -> Result<Option<(DeliveryState, Option<String>)>, StoreError> {
    Ok(load_delivery(conn, filing_id)?.map(|d| (d.state, d.reception_number)))
}

pub(super) fn municipal_filing(
    conn: &Connection,
    filing_id: &str,
    municipalities: &[String],
) -> Result<Option<MunicipalFiling>, StoreError> {
    if owned_by(conn, filing_id, municipalities)?.is_none() {
        return Ok(None);
    }
    let (municipality, received_at, manifest_sha256, record_json, report_json, purged_at): (String, String, String, Option<String>, String, Option<String>) = conn.query_row(
        "SELECT municipality, received_at, manifest_sha256, record_json, report_json, purged_at FROM filings WHERE id = ?1",
        [filing_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
    )?;
    let Some(delivery) = load_delivery(conn, filing_id)? else {
        return Ok(None);
    };
    let mut stmt = conn.prepare(
        "SELECT name, media_type, size, sha256, stripped IS NOT NULL FROM parts WHERE filing_id = ?1 ORDER BY rowid",
    )?;
    let parts = stmt
        .query_map([filing_id], |r| {
            Ok(PartInfo {
                name: r.get(0)?,
                media_type: r.get(1)?,
                size: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                sha256: r.get(3)?,
                has_stripped: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(MunicipalFiling {
        filing_id: filing_id.to_owned(),
        municipality,
        received_at: parse_ts(&received_at, "received_at")?,
        manifest_sha256,
        delivery,
        record_json,
        report_json,
        parts,
        decision: current_decision(conn, filing_id)?,
        purged_at: opt_ts(purged_at, "filings.purged_at")?,
    }))
}

pub(super) fn municipal_part(
    conn: &Connection,
    filing_id: &str,
    municipalities: &[String],
    part: &str,
    stripped: bool,
) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    if owned_by(conn, filing_id, municipalities)?.is_none() {
        return Ok(None);
    }
    let row: Option<PartRow> = conn
        .query_row(
            "SELECT p.media_type, p.bytes, p.stripped, f.purged_at FROM parts p JOIN filings f ON f.id = p.filing_id WHERE p.filing_id = ?1 AND p.name = ?2",
            params![filing_id, part],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    Ok(match row {
        Some((_, _, _, Some(_))) | None => None,
        Some((media_type, bytes, stripped_copy, None)) => {
            if stripped {
                stripped_copy.map(|b| (media_type, b))
            } else {
                Some((media_type, bytes))
            }
        }
    })
}

pub(super) fn mark_fetched(
    conn: &mut Connection,
    filing_id: &str,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let n = tx.execute(
        "UPDATE deliveries SET state = 'delivered', delivered_at = ?2, mode = 'pull', lease_until = NULL WHERE filing_id = ?1 AND state IN ('pending', 'held')",
        params![filing_id, ts(at)],
    )?;
    if n == 1 {
        history(
            &tx,
            filing_id,
            at,
            "delivered",
            "市区町村が届出を受け取りました / the municipality fetched the filing",
        )?;
        audit(
            &tx,
            at,
            filing_id,
            "delivered",
            &serde_json::json!({ "mode": "pull" }).to_string(),
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn acknowledge(
    conn: &mut Connection,
    filing_id: &str,
    municipalities: &[String],
    reception_number: Option<&str>,
    at: OffsetDateTime,
) -> Result<AckOutcome, StoreError> {
    let tx = conn.transaction()?;
    if owned_by(&tx, filing_id, municipalities)?.is_none() {
        return Ok(AckOutcome::NotFound);
    }
    let Some(row) = load_delivery(&tx, filing_id)? else {
        return Ok(AckOutcome::NotFound);
    };
    if row.state == DeliveryState::Acknowledged {
        return Ok(
            if reception_number.is_none() || row.reception_number.as_deref() == reception_number {
                AckOutcome::AlreadyAcknowledged(row)
            } else {
                AckOutcome::Conflict(row)
            },
        );
    }
    tx.execute(
        "UPDATE deliveries SET state = 'acknowledged', acknowledged_at = ?2, delivered_at = COALESCE(delivered_at, ?2), reception_number = ?3, lease_until = NULL WHERE filing_id = ?1",
        params![filing_id, ts(at), reception_number],
    )?;
    if row.delivered_at.is_none() {
        history(
            &tx,
            filing_id,
            at,
            "delivered",
            "市区町村へ送付しました / delivered to the municipality",
        )?;
    }
    history(
        &tx,
        filing_id,
        at,
        "acknowledged",
        "市区町村が受け付けました / the municipality confirmed receipt",
    )?;
    audit(&tx, at, filing_id, "acknowledged", &serde_json::json!({ "reception_number": reception_number, "via": "api", "previous": row.state.as_str() }).to_string())?;
    let row = load_delivery(&tx, filing_id)?.ok_or(StoreError::Corrupt {
        table: "deliveries",
        column: "filing_id",
    })?;
    tx.commit()?;
    Ok(AckOutcome::Acknowledged(row))
}

fn content_hash(d: &NewDecision) -> String {
    let decided_at = ts(d.decided_at);
    crate::audit::length_prefixed_sha256(&[
        d.kind.as_str().as_bytes(),
        decided_at.as_bytes(),
        d.reason.as_deref().unwrap_or("\u{0}").as_bytes(),
        d.message.as_deref().unwrap_or("\u{0}").as_bytes(),
    ])
}

pub(super) fn record_decision(
    conn: &mut Connection,
    filing_id: &str,
    municipalities: &[String],
    d: &NewDecision,
    at: OffsetDateTime,
) -> Result<DecisionOutcome, StoreError> {
    let tx = conn.transaction()?;
    if owned_by(&tx, filing_id, municipalities)?.is_none() {
        return Ok(DecisionOutcome::NotFound);
    }
    let Some(delivery) = load_delivery(&tx, filing_id)? else {
        return Ok(DecisionOutcome::NotFound);
    };
    let hash = content_hash(d);
    let existing = tx
        .query_row(
            "SELECT decision_id, kind, decided_at, recorded_at, reason, message, superseded, content_sha256 FROM decisions WHERE filing_id = ?1 AND decision_id = ?2",
            params![filing_id, d.decision_id],
            |r| Ok((raw_decision(r)?, r.get::<_, String>(7)?)),
        )
        .optional()?;
    if let Some((raw, stored_hash)) = existing {
        return Ok(if stored_hash == hash {
            DecisionOutcome::Replayed(decision(raw)?)
        } else {
            DecisionOutcome::IdConflict
        });
    }
    if delivery.state == DeliveryState::Pending || delivery.state == DeliveryState::Held {
        return Ok(DecisionOutcome::NotDelivered);
    }
    let current = current_decision(&tx, filing_id)?;
    let later = current.as_ref().is_none_or(|c| d.decided_at > c.decided_at);
    if let Some(c) = &current
        && later
        && c.kind.is_final()
    {
        return Ok(DecisionOutcome::AfterFinal(c.clone()));
    }
    let superseded = !later;
    tx.execute(
        "INSERT INTO decisions (filing_id, decision_id, kind, decided_at, recorded_at, reason, message, content_sha256, superseded) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![filing_id, d.decision_id, d.kind.as_str(), ts(d.decided_at), ts(at), d.reason, d.message, hash, superseded],
    )?;
    if !superseded {
        tx.execute(
            "UPDATE filings SET decision = ?2, decided_at = ?3, final_at = CASE WHEN ?4 THEN ?5 ELSE final_at END WHERE id = ?1",
            params![filing_id, d.kind.as_str(), ts(d.decided_at), d.kind.is_final(), ts(at)],
        )?;
        if delivery.state == DeliveryState::Delivered {
            // A decision implies receipt.
            tx.execute(
                "UPDATE deliveries SET state = 'acknowledged', acknowledged_at = ?2 WHERE filing_id = ?1",
                params![filing_id, ts(at)],
            )?;
            audit(
                &tx,
                at,
                filing_id,
                "acknowledged",
                &serde_json::json!({ "reception_number": null, "via": "decision" }).to_string(),
            )?;
        }
        let note = match d.kind {
            DecisionKind::Accepted => {
                "受理されました / accepted into the family register".to_owned()
            }
            DecisionKind::Rejected => format!(
                "不受理 / not accepted: {}",
                d.reason.as_deref().unwrap_or("")
            ),
            DecisionKind::CorrectionRequested => format!(
                "補正のお願い / correction requested: {}",
                d.message.as_deref().unwrap_or("")
            ),
        };
        let state = match d.kind {
            DecisionKind::Accepted => "municipality_accepted",
            DecisionKind::Rejected => "municipality_rejected",
            DecisionKind::CorrectionRequested => "correction_requested",
        };
        history(&tx, filing_id, at, state, &note)?;
    }
    // The texts may name people: the audit keeps their digest only.
    audit(
        &tx,
        at,
        filing_id,
        "decided",
        &serde_json::json!({
            "decision_id": d.decision_id,
            "kind": d.kind.as_str(),
            "decided_at": ts(d.decided_at),
            "content_sha256": hash,
            "superseded": superseded,
        })
        .to_string(),
    )?;
    let stored = tx.query_row(
        "SELECT decision_id, kind, decided_at, recorded_at, reason, message, superseded FROM decisions WHERE filing_id = ?1 AND decision_id = ?2",
        params![filing_id, d.decision_id],
        raw_decision,
    )?;
    let stored = decision(stored)?;
    tx.commit()?;
    Ok(DecisionOutcome::Recorded(stored))
}

pub(super) fn purgeable(
    conn: &Connection,
    cutoff: OffsetDateTime,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id FROM filings WHERE purged_at IS NULL AND final_at IS NOT NULL AND final_at <= ?1 ORDER BY final_at LIMIT ?2",
    )?;
    let ids = stmt
        .query_map(
            params![ts(cutoff), i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| r.get(0),
        )?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(ids)
}

pub(super) fn purge(
    conn: &mut Connection,
    filing_id: &str,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let row: Option<(String, Option<String>)> = tx
        .query_row(
            "SELECT report_json, purged_at FROM filings WHERE id = ?1",
            [filing_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((report_json, None)) = row else {
        return Ok(false);
    };
    // Keep what proves what happened: verdict, grade, codes, digests.
    let summary = super::verification_summary(&report_json, super::FilingState::Accepted);
    let parts: i64 = tx.query_row(
        "SELECT COUNT(*) FROM parts WHERE filing_id = ?1",
        [filing_id],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE parts SET bytes = X'', stripped = NULL WHERE filing_id = ?1",
        [filing_id],
    )?;
    tx.execute(
        "UPDATE filings SET record_json = NULL, report_json = ?2, purged_at = ?3 WHERE id = ?1",
        params![filing_id, summary, ts(at)],
    )?;
    tx.execute(
        "UPDATE decisions SET reason = NULL, message = NULL WHERE filing_id = ?1",
        [filing_id],
    )?;
    tx.execute(
        "UPDATE history SET note = CASE state WHEN 'municipality_rejected' THEN '不受理 / not accepted' WHEN 'correction_requested' THEN '補正のお願い / correction requested' ELSE note END WHERE filing_id = ?1",
        [filing_id],
    )?;
    tx.execute("DELETE FROM idempotency WHERE filing_id = ?1", [filing_id])?;
    history(
        &tx,
        filing_id,
        at,
        "purged",
        "保存期間を過ぎたため添付と個人情報を削除しました / attachments and personal data deleted after the retention period",
    )?;
    audit(
        &tx,
        at,
        filing_id,
        "purged",
        &serde_json::json!({ "parts_emptied": parts, "kept": ["digests", "states", "audit"] })
            .to_string(),
    )?;
    tx.commit()?;
    Ok(true)
}
