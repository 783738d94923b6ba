//! The application: shared state and the request handlers.
//!
//! Routes:
//! - `POST /v1/birth-notifications` — [`App::submit`]: bounded streaming
//!   multipart, digests while reading, verification on the blocking pool
//!   (at most `limits.max_concurrent_verifications` at once), one durable
//!   transaction, then `202` with the receipt. Nothing is acknowledged that
//!   is not on disk.
//! - `GET /v1/birth-notifications/{id}` — [`App::status`], with the access
//!   token as `Authorization: Bearer …`.
//! - `/healthz`, `/readyz`, `/metrics`, `/openapi.json`.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use http::{HeaderMap, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::Semaphore;

use verifier::digest::{Sha256, Sha256Stream};
use verifier::report::Verdict;

use crate::config::Settings;
use crate::ids;
use crate::metrics::Metrics;
use crate::problem::{self, GatewayCode, Lang};
use crate::store::{FilingState, HeldOutcome, NewFiling, NewPart, Store, StoreError};
use crate::trust::TrustMaterial;

/// The path of the submission route.
pub const SUBMISSIONS: &str = "/v1/birth-notifications";

/// A source of the current time, so tests can move it.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Shared state of a running gateway.
pub struct App {
    /// The settings in effect.
    pub settings: Settings,
    /// The durable store.
    pub store: Arc<dyn Store>,
    /// Trust anchors and CRLs; replaced whole on reload.
    pub trust: RwLock<Arc<TrustMaterial>>,
    /// Metrics.
    pub metrics: Metrics,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    verifications: Semaphore,
    uploads: Semaphore,
    policy: verifier::VerificationPolicy,
    /// The municipality directory: routing and client-certificate mapping.
    pub directory: Arc<crate::directory::Directory>,
    /// Wakes the outbox worker when a delivery row is committed.
    pub delivery_wake: tokio::sync::Notify,
    /// The CRL-directory stamp held filings were last re-verified against.
    reverified_for: std::sync::Mutex<Option<Option<std::time::SystemTime>>>,
}

type Body = Full<Bytes>;

/// One part as received.
struct ReceivedPart {
    name: String,
    media_type: String,
    bytes: Bytes,
    sha256: Sha256,
}

/// Why reading the body stopped.
enum ReadError {
    Problem(Box<Response<Body>>),
}

/// What the status endpoint returns.
#[derive(Serialize)]
struct StatusDocument<'a> {
    filing_id: &'a str,
    status: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    received_at: OffsetDateTime,
    manifest_sha256: &'a str,
    /// Delivery to the municipality: state and its reception number.
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<serde_json::Value>,
    /// The municipality's current decision (受理 / 不受理 / 補正).
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<serde_json::Value>,
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    purged_at: Option<OffsetDateTime>,
    history: &'a [crate::store::HistoryEntry],
}

/// The receipt of an accepted filing.
#[derive(Serialize)]
struct Receipt<'a> {
    filing_id: &'a str,
    status: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    received_at: OffsetDateTime,
    manifest_sha256: String,
    status_url: String,
    access_token: &'a str,
    verdict: Verdict,
    warnings: Vec<&'a formats::Problem>,
}

impl App {
    /// Assembles the application.
    pub fn new(
        settings: Settings,
        store: Arc<dyn Store>,
        trust: TrustMaterial,
        clock: Arc<dyn Clock>,
        directory: crate::directory::Directory,
    ) -> Self {
        let permits = usize::try_from(settings.limits.max_concurrent_verifications)
            .unwrap_or(1)
            .max(1);
        let policy = verifier::VerificationPolicy::online(
            settings.attachment_policy.clone(),
            usize::try_from(settings.limits.max_parts.saturating_sub(3)).unwrap_or(10),
        );
        let uploads = usize::try_from(settings.limits.max_concurrent_uploads)
            .unwrap_or(8)
            .max(1);
        Self {
            uploads: Semaphore::new(uploads),
            reverified_for: std::sync::Mutex::new(None),
            directory: Arc::new(directory),
            delivery_wake: tokio::sync::Notify::new(),
            policy,
            settings,
            store,
            trust: RwLock::new(Arc::new(trust)),
            metrics: Metrics::default(),
            clock,
            verifications: Semaphore::new(permits),
        }
    }

    fn trust(&self) -> Arc<TrustMaterial> {
        match self.trust.read() {
            Ok(t) => Arc::clone(&t),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn verification_policy(&self) -> verifier::VerificationPolicy {
        self.policy.clone()
    }

    /// Routes one request; logs one line for it.
    pub async fn handle(self: Arc<Self>, req: Request<Incoming>) -> Response<Body> {
        let started = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let lang = Lang::from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE));
        let request_id = ids::new_token()
            .map(|t| t[..16].to_owned())
            .unwrap_or_default();
        let (route, mut response, filing) = match (method.clone(), path.as_str()) {
            (Method::POST, SUBMISSIONS) => {
                let (r, f) = Arc::clone(&self).submit(req, lang).await;
                ("submit", r, f)
            }
            (Method::GET, p) if p.starts_with("/v1/birth-notifications/") => {
                let id = p.trim_start_matches("/v1/birth-notifications/").to_owned();
                let r = self.status(&id, req.headers(), lang).await;
                ("status", r, Some(id))
            }
            (_, p) if p == crate::municipal::PREFIX || p.starts_with("/v1/municipal/filings/") => {
                let (r, f) = Arc::clone(&self).municipal(req, lang).await;
                ("municipal", r, f)
            }
            (Method::GET, "/healthz") => (
                "healthz",
                problem::json_response(
                    StatusCode::OK,
                    "application/json",
                    r#"{"status":"ok"}"#.to_owned(),
                ),
                None,
            ),
            (Method::GET, "/readyz") => ("readyz", self.readyz().await, None),
            (Method::GET, "/metrics") => ("metrics", self.metrics_response().await, None),
            (Method::GET, "/openapi.json") => (
                "openapi",
                problem::json_response(
                    StatusCode::OK,
                    "application/json",
                    crate::openapi::document().to_string(),
                ),
                None,
            ),
            (_, SUBMISSIONS | "/healthz" | "/readyz" | "/metrics" | "/openapi.json") => (
                "other",
                problem::gateway_problem(
                    GatewayCode::MethodNotAllowed,
                    "",
                    "このメソッドは使えません。",
                    format!("Method {method} is not allowed here."),
                    &path,
                    lang,
                ),
                None,
            ),
            _ => (
                "other",
                problem::gateway_problem(
                    GatewayCode::RouteNotFound,
                    "",
                    "このURLはありません。",
                    "No such route.",
                    &path,
                    lang,
                ),
                None,
            ),
        };
        if let Ok(v) = http::HeaderValue::from_str(&request_id) {
            response.headers_mut().insert("x-request-id", v);
        }
        let seconds = started.elapsed().as_secs_f64();
        let status = response.status().as_u16();
        self.metrics.request(route, status, seconds);
        // One line per request; ids, sizes and timings only — never names,
        // addresses, birth dates or tokens.
        tracing::info!(
            request_id = %request_id,
            method = %method,
            route,
            status,
            filing_id = filing.as_deref().filter(|f| ids::looks_like_filing_id(f)).unwrap_or("-"),
            duration_ms = (seconds * 1000.0).round() as u64,
            "request"
        );
        response
    }

    async fn readyz(&self) -> Response<Body> {
        let store = Arc::clone(&self.store);
        let writable = tokio::task::spawn_blocking(move || store.check_writable())
            .await
            .map(|r| r.is_ok())
            .unwrap_or(false);
        let trust = self.trust();
        let now = self.clock.now();
        let anchors = trust.store.anchor_count() > 0;
        let crls_fresh = trust.crls_fresh_until.is_some_and(|t| t > now);
        let ok = writable && anchors && crls_fresh;
        let body = serde_json::json!({
            "status": if ok { "ready" } else { "not_ready" },
            "store_writable": writable,
            "trust_anchors_loaded": anchors,
            "crls_fresh": crls_fresh,
        });
        problem::json_response(
            if ok {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            },
            "application/json",
            body.to_string(),
        )
    }

    async fn metrics_response(&self) -> Response<Body> {
        let store = Arc::clone(&self.store);
        let counts = tokio::task::spawn_blocking(move || store.counts().ok())
            .await
            .ok()
            .flatten();
        let mut r = Response::new(Full::new(Bytes::from(self.metrics.render(counts))));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            http::HeaderValue::from_static(
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            ),
        );
        r
    }

    async fn status(&self, id: &str, headers: &HeaderMap, lang: Lang) -> Response<Body> {
        let instance = format!("{SUBMISSIONS}/{id}");
        let not_found = || {
            problem::gateway_problem(
                GatewayCode::FilingNotFound,
                "",
                "届出が見つからないか、アクセストークンが正しくありません。",
                "No such filing, or the access token is wrong.",
                &instance,
                lang,
            )
        };
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let (Some(token), true) = (token, ids::looks_like_filing_id(id)) else {
            return not_found();
        };
        let store = Arc::clone(&self.store);
        let key = id.to_owned();
        let found = match tokio::task::spawn_blocking(move || store.filing_status(&key)).await {
            Ok(Ok(found)) => found,
            _ => {
                return problem::gateway_problem(
                    GatewayCode::StoreUnavailable,
                    "",
                    "一時的に状況を確認できません。",
                    "The store is unavailable; try again.",
                    &instance,
                    lang,
                );
            }
        };
        let Some(status) = found.filter(|s| s.token_hash == ids::token_hash(token)) else {
            return not_found();
        };
        let doc = StatusDocument {
            filing_id: &status.id,
            status: status.state.as_str(),
            received_at: status.received_at,
            manifest_sha256: &status.manifest_sha256,
            delivery: status.delivery.as_ref().map(|(state, reception)| {
                serde_json::json!({ "state": state, "reception_number": reception })
            }),
            decision: status.decision.as_ref().map(|d| {
                serde_json::json!({
                    "kind": d.kind,
                    "label_ja": d.kind.label_ja(),
                    "decided_at": d.decided_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                    "reason": d.reason,
                    "message": d.message,
                })
            }),
            purged_at: status.purged_at,
            history: &status.history,
        };
        problem::json_response(
            StatusCode::OK,
            "application/json",
            serde_json::to_string(&doc).unwrap_or_default(),
        )
    }

    /// `POST /v1/birth-notifications`.
    async fn submit(
        self: Arc<Self>,
        req: Request<Incoming>,
        lang: Lang,
    ) -> (Response<Body>, Option<String>) {
        let received_at = self.clock.now();
        let (parts, body) = req.into_parts();
        let gw = |code, pointer: &str, ja: String, en: String| {
            problem::gateway_problem(code, pointer, ja, en, SUBMISSIONS, lang)
        };

        let idempotency_key = match parts.headers.get("idempotency-key") {
            None => None,
            Some(v) => match v.to_str() {
                Ok(k)
                    if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) =>
                {
                    Some(k.to_owned())
                }
                _ => {
                    return (
                        gw(
                            GatewayCode::IdempotencyKeyInvalid,
                            "",
                            "Idempotency-Key は1〜255文字の英数記号です。".into(),
                            "Idempotency-Key must be 1-255 visible ASCII characters.".into(),
                        ),
                        None,
                    );
                }
            },
        };
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let boundary = match multer::parse_boundary(content_type) {
            Ok(b)
                if content_type
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data") =>
            {
                b
            }
            _ => {
                return (
                    gw(
                        GatewayCode::RequestContentType,
                        "",
                        "multipart/form-data(boundary付き)で送ってください。".into(),
                        format!(
                            "Send multipart/form-data with a boundary, not '{}'.",
                            content_type.chars().take(80).collect::<String>()
                        ),
                    ),
                    None,
                );
            }
        };
        let limits = self.settings.limits;
        if let Some(len) = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            && len > limits.max_body_bytes
        {
            // Read (and discard) a bounded amount first, so a client that
            // writes its whole body before reading still gets the answer
            // instead of a reset connection.
            drain(body, DRAIN_CAP_BYTES, Duration::from_secs(2)).await;
            return (too_large_body(limits.max_body_bytes, lang), None);
        }

        // Bound the bodies held in memory: a slot is held from the first
        // body byte until the answer. Waiting longer than the header
        // timeout for a slot is answered 503 with Retry-After.
        let Ok(Ok(_upload)) =
            tokio::time::timeout(limits.header_timeout, self.uploads.acquire()).await
        else {
            return (
                gw(
                    GatewayCode::Unavailable,
                    "",
                    "混み合っています。しばらくしてから送り直してください。".into(),
                    "The gateway is busy (limits.max_concurrent_uploads); retry shortly.".into(),
                ),
                None,
            );
        };
        let received = match self.read_parts(body, boundary, lang).await {
            Ok(p) => p,
            Err(ReadError::Problem(r)) => return (*r, None),
        };
        let total: u64 = received.iter().map(|p| p.bytes.len() as u64).sum();
        self.metrics.received(total);

        // The request's identity for idempotency: names, types and digests in order.
        let request_hash = {
            let mut h = Sha256Stream::default();
            for p in &received {
                for field in [p.name.as_bytes(), p.media_type.as_bytes(), &p.sha256.0] {
                    h.update(&(field.len() as u64).to_be_bytes());
                    h.update(field);
                }
            }
            h.finish().0.to_vec()
        };
        if let Some(key) = &idempotency_key {
            match self.replay(key, &request_hash, lang).await {
                Ok(Some(r)) => return (r, None),
                Ok(None) => {}
                Err(r) => return (*r, None),
            }
        }

        // Verify on the blocking pool, a bounded number at a time.
        let Ok(permit) = self.verifications.acquire().await else {
            return (
                gw(
                    GatewayCode::Unavailable,
                    "",
                    "停止処理中です。".into(),
                    "The server is shutting down.".into(),
                ),
                None,
            );
        };
        let app = Arc::clone(&self);
        let verify_started = Instant::now();
        let joined = tokio::task::spawn_blocking(move || {
            let trust = app.trust();
            let policy = app.verification_policy();
            let submission = verifier::Submission {
                parts: received
                    .iter()
                    .map(|p| verifier::manifest::Part {
                        name: &p.name,
                        media_type: &p.media_type,
                        bytes: &p.bytes,
                        sha256: Some(p.sha256),
                    })
                    .collect(),
            };
            let v = verifier::verify(
                &submission,
                &trust.store,
                &trust.revocation,
                received_at,
                &policy,
            );
            (v, received)
        })
        .await;
        drop(permit);
        let (mut verification, received) = match joined {
            Ok(x) => x,
            Err(_) => {
                tracing::error!("verification task failed");
                return (
                    gw(
                        GatewayCode::Internal,
                        "",
                        "内部エラーが発生しました。".into(),
                        "Internal error during verification.".into(),
                    ),
                    None,
                );
            }
        };
        let verdict = verification.report.verdict;
        self.metrics.verification(
            verdict_label(verdict),
            verify_started.elapsed().as_secs_f64(),
        );

        if verdict == Verdict::Reject {
            let body = problem::document(
                StatusCode::UNPROCESSABLE_ENTITY,
                "filing-rejected",
                "The filing was not accepted",
                SUBMISSIONS,
                &verification.report.problems,
                lang,
            );
            if let Some(key) = &idempotency_key {
                let store = Arc::clone(&self.store);
                let (key, hash, b) = (key.clone(), request_hash.clone(), body.clone());
                // Best effort: a refusal that is not remembered is simply refused again.
                let _ = tokio::task::spawn_blocking(move || {
                    store.remember_answer(&key, &hash, 422, &b)
                })
                .await;
            }
            return (
                problem::json_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "application/problem+json",
                    body,
                ),
                None,
            );
        }

        // Nothing is accepted into a dead end: the directory must route the
        // receiving municipality.
        if let Some(code) = verification.receiving_municipality.as_deref()
            && self.directory.route(code).is_none()
        {
            return (
                gw(
                    GatewayCode::MunicipalityNotRouted,
                    "/receiving_municipality",
                    format!(
                        "届出先の市区町村({code})への送付先が登録されていないため、受け付けられません。"
                    ),
                    format!(
                        "The receiving municipality {code} has no delivery route in the directory ({}); the filing was not accepted.",
                        self.directory.source
                    ),
                ),
                None,
            );
        }

        // Accepted or held: commit everything in one transaction, then answer.
        let (Some(id), Some(token)) = (ids::new_filing_id(), ids::new_token()) else {
            return (
                gw(
                    GatewayCode::Internal,
                    "",
                    "内部エラーが発生しました。".into(),
                    "No randomness available.".into(),
                ),
                None,
            );
        };
        let state = if verdict == Verdict::Hold {
            FilingState::Held
        } else {
            FilingState::Accepted
        };
        let manifest_sha256 = verification
            .report
            .manifest_sha256
            .map(|d| d.to_hex())
            .unwrap_or_default();
        let warnings: Vec<&formats::Problem> = verification.report.problems.iter().collect();
        let receipt = Receipt {
            filing_id: &id,
            status: state.as_str(),
            received_at,
            manifest_sha256: manifest_sha256.clone(),
            status_url: format!("{}{SUBMISSIONS}/{id}", self.settings.public_url()),
            access_token: &token,
            verdict,
            warnings,
        };
        let receipt_json = serde_json::to_string(&receipt).unwrap_or_default();
        let mut stripped = std::mem::take(&mut verification.stripped);
        let filing = NewFiling {
            id: id.clone(),
            received_at,
            state,
            token_hash: ids::token_hash(&token),
            manifest_sha256,
            municipality: verification
                .receiving_municipality
                .clone()
                .unwrap_or_default(),
            report_json: serde_json::to_string(&verification.report).unwrap_or_default(),
            record_json: verification
                .record
                .as_ref()
                .and_then(|r| serde_json::to_string(r).ok()),
            parts: received
                .into_iter()
                .map(|p| NewPart {
                    // Moved, not copied: a stripped photo is as large as the photo.
                    stripped: stripped
                        .iter()
                        .position(|(n, _)| *n == p.name)
                        .map(|i| stripped.swap_remove(i).1),
                    name: p.name,
                    media_type: p.media_type,
                    sha256: p.sha256.to_hex(),
                    bytes: p.bytes,
                })
                .collect(),
            idempotency: idempotency_key.clone().map(|k| (k, request_hash.clone())),
            response: (202, receipt_json.clone()),
        };
        let store = Arc::clone(&self.store);
        match tokio::task::spawn_blocking(move || store.commit_filing(&filing)).await {
            Ok(Ok(())) => {
                self.delivery_wake.notify_one();
                let mut r =
                    problem::json_response(StatusCode::ACCEPTED, "application/json", receipt_json);
                if let Ok(v) = http::HeaderValue::from_str(&format!("{SUBMISSIONS}/{id}")) {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                (r, Some(id))
            }
            Ok(Err(StoreError::IdempotencyConflict)) => {
                // Another request with the same key committed first.
                let key = idempotency_key.unwrap_or_default();
                match self.replay(&key, &request_hash, lang).await {
                    Ok(Some(r)) => (r, None),
                    Ok(None) | Err(_) => (gw(GatewayCode::StoreUnavailable, "", "保存できませんでした。もう一度送ってください。".into(), "The filing could not be stored; nothing was acknowledged. Send it again.".into()), None),
                }
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "commit failed; answering 503");
                (
                    gw(
                        GatewayCode::StoreUnavailable,
                        "",
                        "届出を保存できませんでした。受け付けていません。もう一度送ってください。"
                            .into(),
                        "The filing could not be made durable and was not accepted. Send it again."
                            .into(),
                    ),
                    None,
                )
            }
            Err(_) => (
                gw(
                    GatewayCode::StoreUnavailable,
                    "",
                    "届出を保存できませんでした。".into(),
                    "The filing could not be stored.".into(),
                ),
                None,
            ),
        }
    }

    /// The stored answer for a repeated key, or 409 for different bytes.
    async fn replay(
        &self,
        key: &str,
        request_hash: &[u8],
        lang: Lang,
    ) -> Result<Option<Response<Body>>, Box<Response<Body>>> {
        let store = Arc::clone(&self.store);
        let k = key.to_owned();
        let answer = match tokio::task::spawn_blocking(move || store.answer_for(&k)).await {
            Ok(Ok(a)) => a,
            _ => {
                return Err(Box::new(problem::gateway_problem(
                    GatewayCode::StoreUnavailable,
                    "",
                    "一時的に利用できません。",
                    "The store is unavailable.",
                    SUBMISSIONS,
                    lang,
                )));
            }
        };
        match answer {
            None => Ok(None),
            Some(a) if a.request_hash == request_hash => {
                let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::ACCEPTED);
                let ct = if status.is_success() {
                    "application/json"
                } else {
                    "application/problem+json"
                };
                let mut r = problem::json_response(status, ct, a.body);
                r.headers_mut()
                    .insert("idempotent-replay", http::HeaderValue::from_static("true"));
                Ok(Some(r))
            }
            Some(_) => Err(Box::new(problem::gateway_problem(
                GatewayCode::IdempotencyConflict,
                "",
                "この Idempotency-Key は別の内容の届出に使われています。".to_owned(),
                "This Idempotency-Key was used for a different request.".to_owned(),
                SUBMISSIONS,
                lang,
            ))),
        }
    }

    /// Reads the multipart body under every limit, hashing while reading.
    async fn read_parts(
        &self,
        body: Incoming,
        boundary: String,
        lang: Lang,
    ) -> Result<Vec<ReceivedPart>, ReadError> {
        let limits = self.settings.limits;
        let deadline = tokio::time::Instant::now() + limits.body_timeout;
        let stream = timed_body(body, deadline, limits.body_idle_timeout);
        let constraints = multer::Constraints::new().size_limit(
            multer::SizeLimit::new()
                .whole_stream(limits.max_body_bytes)
                .per_field(limits.max_part_bytes),
        );
        let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
        let mut parts: Vec<ReceivedPart> = Vec::new();
        let gw = |code, pointer: &str, ja: String, en: String| {
            ReadError::Problem(Box::new(problem::gateway_problem(
                code,
                pointer,
                ja,
                en,
                SUBMISSIONS,
                lang,
            )))
        };
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(multipart_error(e, limits, lang)),
            };
            if parts.len() as u64 >= limits.max_parts {
                return Err(gw(
                    GatewayCode::RequestTooManyParts,
                    "",
                    format!("パートは{}個までです(limits.max_parts)。", limits.max_parts),
                    format!(
                        "At most {} parts are accepted (limits.max_parts).",
                        limits.max_parts
                    ),
                ));
            }
            let Some(name) = field
                .name()
                .map(str::to_owned)
                .filter(|n| !n.is_empty() && n.len() <= 64)
            else {
                return Err(gw(
                    GatewayCode::RequestMalformed,
                    "",
                    "名前のないパートがあります。".into(),
                    "A part has no name (Content-Disposition name=…).".into(),
                ));
            };
            let media_type = field
                .content_type()
                .map(|m| m.essence_str().to_owned())
                .unwrap_or_default();
            let mut field = field;
            let mut hasher = Sha256Stream::default();
            let mut buf = BytesMut::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        hasher.update(&chunk);
                        buf.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => return Err(multipart_error(e, limits, lang)),
                }
            }
            parts.push(ReceivedPart {
                name,
                media_type,
                bytes: buf.freeze(),
                sha256: hasher.finish(),
            });
        }
        Ok(parts)
    }

    /// Re-verifies held filings with the current trust material. Returns how
    /// many were resolved.
    pub fn reverify_held(&self) -> Result<usize, StoreError> {
        let trust = self.trust();
        let policy = self.verification_policy();
        let mut resolved = 0;
        for (id, received_at) in self.store.held_filings()? {
            let stored = self.store.filing_parts(&id)?;
            let submission = verifier::Submission {
                parts: stored
                    .iter()
                    .map(|p| verifier::manifest::Part {
                        name: &p.name,
                        media_type: &p.media_type,
                        bytes: &p.bytes,
                        sha256: None,
                    })
                    .collect(),
            };
            let v = verifier::verify(
                &submission,
                &trust.store,
                &trust.revocation,
                received_at,
                &policy,
            );
            let report_json = serde_json::to_string(&v.report).unwrap_or_default();
            let outcome = match (v.report.verdict, &v.record) {
                (Verdict::Hold, _) => continue,
                (Verdict::Accept | Verdict::AcceptWithWarnings, Some(record)) => {
                    HeldOutcome::Accepted {
                        report_json,
                        record_json: serde_json::to_string(record).unwrap_or_default(),
                    }
                }
                _ => HeldOutcome::Rejected { report_json },
            };
            self.store.resolve_held(&id, self.clock.now(), &outcome)?;
            self.delivery_wake.notify_one();
            resolved += 1;
        }
        Ok(resolved)
    }

    /// Reloads the trust material when the CRL directory changed; then
    /// re-verifies held filings.
    pub fn refresh_trust(&self) {
        let current = self.trust();
        let stamp = self
            .settings
            .crl_dir
            .as_deref()
            .and_then(crate::trust::newest_mtime);
        if stamp != current.crl_dir_stamp {
            match crate::trust::load(&self.settings) {
                Ok(t) => {
                    if let Ok(mut slot) = self.trust.write() {
                        *slot = Arc::new(t);
                    }
                    tracing::info!("trust material reloaded");
                }
                Err(e) => {
                    tracing::warn!(error = %e, "trust material reload failed; keeping the previous")
                }
            }
        }
        // Re-verify held filings only when the trust material they were
        // held for has changed (and once after start-up): re-running every
        // held verification on every tick would redo the same work with
        // the same data.
        let loaded = self.trust().crl_dir_stamp;
        let Ok(mut last) = self.reverified_for.lock() else {
            return;
        };
        if *last == Some(loaded) {
            return;
        }
        *last = Some(loaded);
        drop(last);
        match self.reverify_held() {
            Ok(0) => {}
            Ok(n) => tracing::info!(resolved = n, "held filings re-verified"),
            Err(e) => tracing::warn!(error = %e, "re-verification of held filings failed"),
        }
    }
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Accept => "accept",
        Verdict::AcceptWithWarnings => "accept_with_warnings",
        Verdict::Reject => "reject",
        Verdict::Hold => "hold",
    }
}

/// Most bytes read and discarded from a refused body before answering.
const DRAIN_CAP_BYTES: u64 = 16 * 1024 * 1024;

/// Reads and discards up to `cap` bytes of `body`, for at most `within`.
async fn drain(mut body: Incoming, cap: u64, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    let mut seen = 0u64;
    while seen < cap {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => seen += frame.data_ref().map_or(0, |d| d.len() as u64),
            _ => break,
        }
    }
}

fn too_large_body(limit: u64, lang: Lang) -> Response<Body> {
    problem::gateway_problem(
        GatewayCode::RequestTooLarge,
        "",
        format!("送信データが大きすぎます(上限 {limit} バイト、limits.max_body_bytes)。"),
        format!("The request body exceeds {limit} bytes (limits.max_body_bytes)."),
        SUBMISSIONS,
        lang,
    )
}

/// Marker error for a body that did not arrive in time.
#[derive(Debug)]
struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("request body timed out")
    }
}

impl std::error::Error for BodyTimeout {}

/// The body as a stream of data chunks that fails with [`BodyTimeout`] when
/// the deadline passes or the client pauses longer than `idle`.
fn timed_body(
    body: Incoming,
    deadline: tokio::time::Instant,
    idle: Duration,
) -> impl Stream<Item = Result<Bytes, Box<dyn std::error::Error + Send + Sync>>> {
    futures_util::stream::unfold(Some(body), move |state| async move {
        let mut body = state?;
        loop {
            let wait = deadline.min(tokio::time::Instant::now() + idle);
            match tokio::time::timeout_at(wait, body.frame()).await {
                Err(_) => {
                    return Some((
                        Err(Box::new(BodyTimeout) as Box<dyn std::error::Error + Send + Sync>),
                        None,
                    ));
                }
                Ok(None) => return None,
                Ok(Some(Err(e))) => {
                    return Some((
                        Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
                        None,
                    ));
                }
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        return Some((Ok(data), Some(body)));
                    }
                    // Trailers: keep reading.
                }
            }
        }
    })
    .boxed()
}

fn multipart_error(e: multer::Error, limits: crate::config::Limits, lang: Lang) -> ReadError {
    let gw = |code, pointer: &str, ja: String, en: String| {
        ReadError::Problem(Box::new(problem::gateway_problem(
            code,
            pointer,
            ja,
            en,
            SUBMISSIONS,
            lang,
        )))
    };
    match e {
        multer::Error::StreamSizeExceeded { .. } => ReadError::Problem(Box::new(too_large_body(limits.max_body_bytes, lang))),
        multer::Error::FieldSizeExceeded { field_name, .. } => {
            let name = field_name.unwrap_or_default();
            gw(
                GatewayCode::RequestPartTooLarge,
                &name,
                format!("パート「{name}」が大きすぎます(上限 {} バイト、limits.max_part_bytes)。", limits.max_part_bytes),
                format!("Part '{name}' exceeds {} bytes (limits.max_part_bytes).", limits.max_part_bytes),
            )
        }
        multer::Error::StreamReadFailed(inner) if inner.is::<BodyTimeout>() => gw(
            GatewayCode::RequestTimeout,
            "",
            "送信に時間がかかりすぎたため打ち切りました。".into(),
            "The request body did not arrive in time (limits.body_timeout_ms / limits.body_idle_timeout_ms).".into(),
        ),
        other => gw(
            GatewayCode::RequestMalformed,
            "",
            "multipart の形式が正しくありません。".into(),
            format!("The multipart body is malformed: {other}."),
        ),
    }
}
