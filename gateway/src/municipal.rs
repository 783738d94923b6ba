//! 市区町村向けAPI — the municipal API, over mutual TLS.
//!
//! The client certificate is verified by the TLS layer against
//! `municipal.client_ca`; the directory ([`crate::directory`]) maps it to
//! the municipality codes it serves. A request without a certificate is
//! answered 401, a certificate mapped to no municipality 403, and a filing
//! of another municipality is the same 404 as a filing that does not exist
//! (a certificate learns nothing about other municipalities' filings).
//!
//! Routes (all JSON unless noted):
//! - `GET /v1/municipal/filings` — filings not yet acknowledged, oldest first.
//! - `GET /v1/municipal/filings/{id}` — record, register-entry text, report,
//!   parts with their digests and URLs, delivery state and decision.
//! - `GET /v1/municipal/filings/{id}/package` — the delivery package as
//!   `multipart/mixed` (the same bytes a push sends).
//! - `GET /v1/municipal/filings/{id}/parts/{name}` — an original part, byte
//!   for byte; `…/parts/{name}/stripped` — its metadata-stripped copy.
//! - `POST /v1/municipal/filings/{id}/acknowledgement` —
//!   `{"reception_number": "…"}` (optional): receipt confirmed.
//! - `POST /v1/municipal/filings/{id}/decisions` — `{"decision_id", "kind":
//!   "accepted"|"rejected"|"correction_requested", "decided_at",
//!   "reason" (不受理), "message" (補正)}`. Idempotent by `decision_id`;
//!   ordered by `decided_at`: a delayed earlier decision is recorded as
//!   superseded and never replaces a later one; nothing follows a final
//!   decision (受理/不受理). This is also the callback URL push
//!   municipalities use (`decisions_url` in `package.json`).
//!
//! Fetching a filing (its document or package) marks a waiting delivery
//! delivered; acknowledging or deciding marks it acknowledged.

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::app::App;
use crate::problem::{self, GatewayCode, Lang};
use crate::store::{AckOutcome, DecisionKind, DecisionOutcome, NewDecision, StoreError};

/// The route prefix.
pub const PREFIX: &str = "/v1/municipal/filings";

/// Largest JSON body accepted on the municipal POST routes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Longest decision id, reason or message.
const MAX_ID: usize = 128;
const MAX_TEXT: usize = 4_000;

/// The verified client certificate of the connection (DER), put in the
/// request's extensions by the server.
#[derive(Debug, Clone)]
pub struct PeerCertificate(pub Arc<Vec<u8>>);

type Body = Full<Bytes>;

/// The body of `POST …/acknowledgement`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckBody {
    /// The municipality's reception number (受付番号), optional.
    #[serde(default)]
    pub reception_number: Option<String>,
}

/// The body of `POST …/decisions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// The municipality's id for the decision (idempotency).
    pub decision_id: String,
    /// 受理 / 不受理 / 補正.
    pub kind: DecisionKind,
    /// When the clerk decided.
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// 不受理: the reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// 補正: the message for the parent.
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Serialize)]
struct PartDoc<'a> {
    name: &'a str,
    media_type: &'a str,
    size: u64,
    sha256: &'a str,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    stripped_url: Option<String>,
}

fn ok_json(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    problem::json_response(
        status,
        "application/json",
        serde_json::to_string(value).unwrap_or_default(),
    )
}

fn store_unavailable(instance: &str, lang: Lang) -> Response<Body> {
    problem::gateway_problem(
        GatewayCode::StoreUnavailable,
        "",
        "一時的に処理できません。もう一度お試しください。",
        "The store is unavailable; try again.",
        instance,
        lang,
    )
}

fn not_found(instance: &str, lang: Lang) -> Response<Body> {
    problem::gateway_problem(
        GatewayCode::FilingNotFound,
        "",
        "この届出は見つかりません。",
        "No such filing for the municipalities this certificate serves.",
        instance,
        lang,
    )
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Option<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "municipal API: store error");
            None
        }
        Err(_) => None,
    }
}

impl App {
    /// The municipalities the request's client certificate serves, or the
    /// 401/403 answer.
    fn municipalities(
        &self,
        req: &Request<Incoming>,
        instance: &str,
        lang: Lang,
    ) -> Result<Vec<String>, Box<Response<Body>>> {
        let Some(cert) = req.extensions().get::<PeerCertificate>() else {
            return Err(Box::new(problem::gateway_problem(
                GatewayCode::ClientCertificateRequired,
                "",
                "市区町村のクライアント証明書(相互TLS)が必要です。",
                "This API needs a municipal client certificate (mutual TLS).",
                instance,
                lang,
            )));
        };
        let codes: BTreeSet<String> = self.directory.municipalities_for(&cert.0);
        if codes.is_empty() {
            return Err(Box::new(problem::gateway_problem(
                GatewayCode::ClientNotAuthorized,
                "",
                "このクライアント証明書はどの市区町村にも割り当てられていません。",
                "This client certificate is not mapped to any municipality in the directory.",
                instance,
                lang,
            )));
        }
        Ok(codes.into_iter().collect())
    }

    /// Routes a request below [`PREFIX`]. Returns the route label and the
    /// filing id (for the request log) with the answer.
    pub async fn municipal(
        self: Arc<Self>,
        req: Request<Incoming>,
        lang: Lang,
    ) -> (Response<Body>, Option<String>) {
        let path = req.uri().path().to_owned();
        let codes = match self.municipalities(&req, &path, lang) {
            Ok(c) => c,
            Err(r) => return (*r, None),
        };
        let rest = path.strip_prefix(PREFIX).unwrap_or("");
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        let method = req.method().clone();
        let id = segments.first().map(|s| (*s).to_owned());
        if let Some(id) = &id
            && !crate::ids::looks_like_filing_id(id)
        {
            return (not_found(&path, lang), None);
        }
        let response = match (method, segments.as_slice()) {
            (Method::GET, []) => self.list(codes, &path, lang).await,
            (Method::GET, [id]) => self.fetch(id, codes, &path, lang).await,
            (Method::GET, [id, "package"]) => self.package(id, codes, &path, lang).await,
            (Method::GET, [id, "parts", name]) => {
                self.part(id, codes, name, false, &path, lang).await
            }
            (Method::GET, [id, "parts", name, "stripped"]) => {
                self.part(id, codes, name, true, &path, lang).await
            }
            (Method::POST, [id, "acknowledgement"]) => {
                let id = (*id).to_owned();
                match read_json::<AckBody>(req, &path, lang).await {
                    Ok(body) => self.acknowledge(&id, codes, body, &path, lang).await,
                    Err(r) => *r,
                }
            }
            (Method::POST, [id, "decisions"]) => {
                let id = (*id).to_owned();
                match read_json::<DecisionBody>(req, &path, lang).await {
                    Ok(body) => self.decide(&id, codes, body, &path, lang).await,
                    Err(r) => *r,
                }
            }
            (m, _) if m != Method::GET && m != Method::POST => problem::gateway_problem(
                GatewayCode::MethodNotAllowed,
                "",
                "このメソッドは使えません。",
                format!("Method {m} is not allowed here."),
                &path,
                lang,
            ),
            _ => problem::gateway_problem(
                GatewayCode::RouteNotFound,
                "",
                "このURLはありません。",
                "No such route.",
                &path,
                lang,
            ),
        };
        (response, id)
    }

    async fn list(&self, codes: Vec<String>, instance: &str, lang: Lang) -> Response<Body> {
        let store = Arc::clone(&self.store);
        let Some(pending) = blocking(move || store.municipal_pending(&codes, 1_000)).await else {
            return store_unavailable(instance, lang);
        };
        let base = self.settings.public_url();
        let filings: Vec<serde_json::Value> = pending
            .iter()
            .map(|p| {
                serde_json::json!({
                    "filing_id": p.filing_id,
                    "municipality": p.municipality,
                    "received_at": p.received_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                    "delivery_state": p.delivery_state,
                    "url": format!("{base}{PREFIX}/{}", p.filing_id),
                })
            })
            .collect();
        ok_json(StatusCode::OK, &serde_json::json!({ "filings": filings }))
    }

    async fn fetch(
        &self,
        id: &str,
        codes: Vec<String>,
        instance: &str,
        lang: Lang,
    ) -> Response<Body> {
        let store = Arc::clone(&self.store);
        let key = id.to_owned();
        let Some(found) = blocking(move || store.municipal_filing(&key, &codes)).await else {
            return store_unavailable(instance, lang);
        };
        let Some(f) = found else {
            return not_found(instance, lang);
        };
        let typed = f
            .record_json
            .as_deref()
            .and_then(|r| serde_json::from_str::<formats::record::FamilyRegisterFiling>(r).ok());
        let register_entry = typed.as_ref().map(|r| r.register_entry_text());
        let record = typed.and_then(|r| serde_json::to_value(r).ok());
        let report: serde_json::Value = serde_json::from_str(&f.report_json).unwrap_or_default();
        let base = format!("{}{PREFIX}/{}", self.settings.public_url(), f.filing_id);
        let parts: Vec<PartDoc<'_>> = f
            .parts
            .iter()
            .map(|p| PartDoc {
                name: &p.name,
                media_type: &p.media_type,
                size: p.size,
                sha256: &p.sha256,
                url: format!("{base}/parts/{}", p.name),
                stripped_url: p
                    .has_stripped
                    .then(|| format!("{base}/parts/{}/stripped", p.name)),
            })
            .collect();
        let doc = serde_json::json!({
            "filing_id": f.filing_id,
            "municipality": f.municipality,
            "received_at": f.received_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "manifest_sha256": f.manifest_sha256,
            "delivery": f.delivery,
            "decision": f.decision,
            "purged_at": f.purged_at.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
            "record": record,
            "register_entry_text": register_entry,
            "report": report,
            "parts": if f.purged_at.is_some() { Vec::new() } else { parts },
            "package_url": format!("{base}/package"),
            "acknowledgement_url": format!("{base}/acknowledgement"),
            "decisions_url": format!("{base}/decisions"),
        });
        if f.purged_at.is_none() {
            self.fetched(id).await;
        }
        ok_json(StatusCode::OK, &doc)
    }

    async fn fetched(&self, id: &str) {
        let store = Arc::clone(&self.store);
        let (key, at) = (id.to_owned(), self.clock.now());
        let _ = blocking(move || store.mark_fetched(&key, at)).await;
    }

    async fn package(
        &self,
        id: &str,
        codes: Vec<String>,
        instance: &str,
        lang: Lang,
    ) -> Response<Body> {
        let store = Arc::clone(&self.store);
        let key = id.to_owned();
        let owned = blocking(move || store.municipal_filing(&key, &codes)).await;
        let Some(owned) = owned else {
            return store_unavailable(instance, lang);
        };
        let Some(f) = owned else {
            return not_found(instance, lang);
        };
        if f.purged_at.is_some() {
            return purged(instance, lang);
        }
        let store = Arc::clone(&self.store);
        let key = id.to_owned();
        let Some(Some(material)) = blocking(move || store.delivery_material(&key)).await else {
            return store_unavailable(instance, lang);
        };
        let public_url = self.settings.public_url();
        let built = tokio::task::spawn_blocking(move || {
            crate::delivery::package::build(material, &public_url).map(|p| {
                let boundary = crate::delivery::package::new_boundary();
                let body = p.multipart_body(&boundary);
                (boundary, body)
            })
        })
        .await;
        let Ok(Ok((boundary, body))) = built else {
            return store_unavailable(instance, lang);
        };
        self.fetched(id).await;
        let mut r = Response::new(Full::new(Bytes::from(body)));
        if let Ok(v) = http::HeaderValue::from_str(&format!("multipart/mixed; boundary={boundary}"))
        {
            r.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        r.headers_mut().insert(
            "birthgate-package-version",
            http::HeaderValue::from(crate::delivery::package::PACKAGE_VERSION),
        );
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        r
    }

    async fn part(
        &self,
        id: &str,
        codes: Vec<String>,
        name: &str,
        stripped: bool,
        instance: &str,
        lang: Lang,
    ) -> Response<Body> {
        let store = Arc::clone(&self.store);
        let (key, part) = (id.to_owned(), name.to_owned());
        let Some(found) =
            blocking(move || store.municipal_part(&key, &codes, &part, stripped)).await
        else {
            return store_unavailable(instance, lang);
        };
        let Some((media_type, bytes)) = found else {
            return not_found(instance, lang);
        };
        let mut r = Response::new(Full::new(Bytes::from(bytes)));
        if let Ok(v) = http::HeaderValue::from_str(&media_type) {
            r.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        r
    }

    async fn acknowledge(
        &self,
        id: &str,
        codes: Vec<String>,
        body: AckBody,
        instance: &str,
        lang: Lang,
    ) -> Response<Body> {
        if let Some(n) = &body.reception_number
            && (n.is_empty() || n.chars().count() > 64 || n.chars().any(char::is_control))
        {
            return problem::gateway_problem(
                GatewayCode::BodyInvalid,
                "/reception_number",
                "受付番号は1〜64文字で、制御文字を含められません。",
                "reception_number must be 1-64 characters without control characters.",
                instance,
                lang,
            );
        }
        let store = Arc::clone(&self.store);
        let (key, at) = (id.to_owned(), self.clock.now());
        let Some(outcome) =
            blocking(move || store.acknowledge(&key, &codes, body.reception_number.as_deref(), at))
                .await
        else {
            return store_unavailable(instance, lang);
        };
        match outcome {
            AckOutcome::NotFound => not_found(instance, lang),
            AckOutcome::NotDelivered => not_delivered(instance, lang),
            AckOutcome::Acknowledged(d) | AckOutcome::AlreadyAcknowledged(d) => {
                ok_json(StatusCode::OK, &d)
            }
            AckOutcome::Conflict(_) => problem::gateway_problem(
                GatewayCode::AcknowledgementConflict,
                "/reception_number",
                "この届出は別の受付番号で受付済みです。",
                "This filing was already acknowledged with a different reception number.",
                instance,
                lang,
            ),
        }
    }

    async fn decide(
        &self,
        id: &str,
        codes: Vec<String>,
        body: DecisionBody,
        instance: &str,
        lang: Lang,
    ) -> Response<Body> {
        let bad = |pointer: &str, ja: &str, en: &str| {
            problem::gateway_problem(GatewayCode::BodyInvalid, pointer, ja, en, instance, lang)
        };
        if body.decision_id.is_empty()
            || body.decision_id.len() > MAX_ID
            || !body.decision_id.bytes().all(|b| b.is_ascii_graphic())
        {
            return bad(
                "/decision_id",
                "decision_id は1〜128文字の英数記号です。",
                "decision_id must be 1-128 visible ASCII characters.",
            );
        }
        let text_ok = |t: &Option<String>| t.as_ref().is_none_or(|t| t.chars().count() <= MAX_TEXT);
        if !text_ok(&body.reason) || !text_ok(&body.message) {
            return bad(
                "",
                "reason と message は4000文字までです。",
                "reason and message are at most 4000 characters.",
            );
        }
        let present = |t: &Option<String>| t.as_ref().is_some_and(|t| !t.trim().is_empty());
        match body.kind {
            DecisionKind::Rejected if !present(&body.reason) => {
                return bad(
                    "/reason",
                    "不受理には理由(reason)が必要です。",
                    "A rejection (不受理) needs a reason.",
                );
            }
            DecisionKind::CorrectionRequested if !present(&body.message) => {
                return bad(
                    "/message",
                    "補正には届出人へのメッセージ(message)が必要です。",
                    "A correction request (補正) needs a message for the parent.",
                );
            }
            _ => {}
        }
        let now = self.clock.now();
        if body.decided_at > now + time::Duration::minutes(5) {
            return bad(
                "/decided_at",
                "decided_at が未来の日時です。",
                "decided_at is in the future.",
            );
        }
        let decision = NewDecision {
            decision_id: body.decision_id,
            kind: body.kind,
            decided_at: body.decided_at,
            reason: body.reason.filter(|_| body.kind == DecisionKind::Rejected),
            message: body
                .message
                .filter(|_| body.kind == DecisionKind::CorrectionRequested),
        };
        let store = Arc::clone(&self.store);
        let key = id.to_owned();
        let Some(outcome) =
            blocking(move || store.record_decision(&key, &codes, &decision, now)).await
        else {
            return store_unavailable(instance, lang);
        };
        match outcome {
            DecisionOutcome::NotFound => not_found(instance, lang),
            DecisionOutcome::NotDelivered => not_delivered(instance, lang),
            DecisionOutcome::Recorded(d) => ok_json(StatusCode::CREATED, &d),
            DecisionOutcome::Replayed(d) => {
                let mut r = ok_json(StatusCode::OK, &d);
                r.headers_mut()
                    .insert("idempotent-replay", http::HeaderValue::from_static("true"));
                r
            }
            DecisionOutcome::IdConflict => problem::gateway_problem(
                GatewayCode::DecisionIdConflict,
                "/decision_id",
                "この decision_id は別の内容で使われています。",
                "This decision_id was already used with different content.",
                instance,
                lang,
            ),
            DecisionOutcome::AfterFinal(current) => problem::gateway_problem(
                GatewayCode::DecisionAfterFinal,
                "/kind",
                format!("この届出は{}で確定しています。", current.kind.label_ja()),
                format!(
                    "This filing already has a final decision ({}).",
                    current.kind.as_str()
                ),
                instance,
                lang,
            ),
        }
    }
}

fn not_delivered(instance: &str, lang: Lang) -> Response<Body> {
    problem::gateway_problem(
        GatewayCode::FilingNotDelivered,
        "",
        "この届出はまだ送付されていません。",
        "This filing has not been delivered yet.",
        instance,
        lang,
    )
}

fn purged(instance: &str, lang: Lang) -> Response<Body> {
    problem::gateway_problem(
        GatewayCode::FilingPurged,
        "",
        "保存期間を過ぎたため、添付と個人情報は削除されました。",
        "The attachments and personal data were purged after the retention period.",
        instance,
        lang,
    )
}

/// Reads a bounded JSON body into `T`, naming the offending field.
async fn read_json<T: serde::de::DeserializeOwned>(
    req: Request<Incoming>,
    instance: &str,
    lang: Lang,
) -> Result<T, Box<Response<Body>>> {
    let bad = |pointer: String, ja: String, en: String| {
        Box::new(problem::gateway_problem(
            GatewayCode::BodyInvalid,
            &pointer,
            ja,
            en,
            instance,
            lang,
        ))
    };
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    if !is_json {
        return Err(Box::new(problem::gateway_problem(
            GatewayCode::RequestContentType,
            "",
            "application/json で送ってください。",
            "Send application/json.",
            instance,
            lang,
        )));
    }
    let body = match tokio::time::timeout(
        std::time::Duration::from_secs(30),
        Limited::new(req.into_body(), MAX_BODY_BYTES).collect(),
    )
    .await
    {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(_)) => {
            return Err(bad(
                String::new(),
                "本文が大きすぎるか、途中で切れました。".into(),
                format!("The body is larger than {MAX_BODY_BYTES} bytes or was cut off."),
            ));
        }
        Err(_) => {
            return Err(Box::new(problem::gateway_problem(
                GatewayCode::RequestTimeout,
                "",
                "本文が時間内に届きませんでした。",
                "The body did not arrive in time.",
                instance,
                lang,
            )));
        }
    };
    parse_body(&body).map_err(|BodyError { pointer, what }| {
        bad(
            pointer,
            format!("本文が正しくありません: {what}"),
            format!("The body is not valid: {what}"),
        )
    })
}

/// Why a municipal request body was refused: the JSON pointer of the
/// field (empty for the whole body) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    /// JSON pointer of the offending field.
    pub pointer: String,
    /// What is wrong.
    pub what: String,
}

/// Parses a municipal request body (untrusted bytes) into `T`, naming the
/// field that is wrong.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        // serde_path_to_error writes `a.b` for fields and `?` where the
        // position is unknown (a syntax error): keep the known prefix.
        let path = e.path().to_string();
        let known: Vec<&str> = path
            .split('.')
            .take_while(|seg| !seg.is_empty() && *seg != "?")
            .collect();
        let inner = e.into_inner();
        let (pointer, what) = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                (String::new(), "not valid JSON".to_owned())
            }
            _ if known.is_empty() => (String::new(), inner.to_string()),
            _ => (format!("/{}", known.join("/")), inner.to_string()),
        };
        BodyError { pointer, what }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decision_bodies_are_parsed_or_refused_naming_the_field() {
        let ok: DecisionBody = parse_body(br#"{"decision_id":"d-1","kind":"correction_requested","decided_at":"2026-11-26T10:00:00+09:00","message":"m"}"#).expect("valid");
        assert_eq!(ok.kind, DecisionKind::CorrectionRequested);
        for (body, pointer) in [
            (
                &br#"{"decision_id":"d","kind":"maybe","decided_at":"2026-11-26T10:00:00Z"}"#[..],
                "/kind",
            ),
            (
                br#"{"decision_id":"d","kind":"accepted","decided_at":"yesterday"}"#,
                "/decided_at",
            ),
            (
                br#"{"decision_id":5,"kind":"accepted","decided_at":"2026-11-26T10:00:00Z"}"#,
                "/decision_id",
            ),
            (br#"{"kind":"accepted""#, ""),
        ] {
            let e = parse_body::<DecisionBody>(body).expect_err("invalid");
            assert_eq!(
                e.pointer,
                pointer,
                "{}: {e:?}",
                String::from_utf8_lossy(body)
            );
        }
        let e = parse_body::<DecisionBody>(br#"{"decision_id":"d","kind":"accepted","decided_at":"2026-11-26T10:00:00Z","extra":1}"#).expect_err("unknown field");
        assert!(e.what.contains("extra"), "{e:?}");
        let e = parse_body::<AckBody>(br#"{"reception_number":12}"#).expect_err("number");
        assert_eq!(e.pointer, "/reception_number");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_and_non_json_is_refused(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let decision = parse_body::<DecisionBody>(&bytes);
            let ack = parse_body::<AckBody>(&bytes);
            if serde_json::from_slice::<serde_json::Value>(&bytes).is_err() {
                prop_assert!(decision.is_err());
                prop_assert!(ack.is_err());
            }
        }

        #[test]
        fn mutated_valid_decisions_are_parsed_or_refused_with_a_pointer(at in 0usize..120, byte in any::<u8>()) {
            let mut body = br#"{"decision_id":"d-1","kind":"rejected","decided_at":"2026-11-26T10:00:00+09:00","reason":"r"}"#.to_vec();
            let i = at % body.len();
            body[i] = byte;
            if let Err(e) = parse_body::<DecisionBody>(&body) {
                prop_assert!(e.pointer.is_empty() || e.pointer.starts_with('/'));
                prop_assert!(!e.what.is_empty());
            }
        }
    }
}
