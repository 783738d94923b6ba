//! HTTP answers for problems: `application/problem+json` (RFC 9457), and
//! the one place where every kind of error becomes an HTTP status.
//!
//! A problem document carries the RFC 9457 members (`type`, `title`,
//! `status`, `detail`, `instance`) and a `problems` array: every problem
//! found, each with its stable `code`, `severity`, `pointer` and `message`
//! in the language the client asked for (`Accept-Language: ja` or English),
//! plus both languages.

use bytes::Bytes;
use formats::{Problem, Severity};
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;
use serde::Serialize;

formats::define_problem_codes! {
    /// Problems the gateway itself reports about a request.
    pub enum GatewayCode {
        /// The request is not `multipart/form-data` with a boundary (415).
        RequestContentType = "request.content_type", Error;
        /// The body exceeds `limits.max_body_bytes` (413).
        RequestTooLarge = "request.too_large", Error;
        /// A part exceeds `limits.max_part_bytes` (413).
        RequestPartTooLarge = "request.part_too_large", Error;
        /// More parts than `limits.max_parts` (413).
        RequestTooManyParts = "request.too_many_parts", Error;
        /// The multipart body is malformed, or a part has no name (400).
        RequestMalformed = "request.malformed", Error;
        /// The body did not arrive in time (`limits.body_timeout_ms`, `limits.body_idle_timeout_ms`) (408).
        RequestTimeout = "request.timeout", Error;
        /// The `Idempotency-Key` header is not 1–255 visible ASCII characters (400).
        IdempotencyKeyInvalid = "request.idempotency_key_invalid", Error;
        /// The `Idempotency-Key` was used for a different request (409).
        IdempotencyConflict = "request.idempotency_conflict", Error;
        /// No such filing, or the access token is wrong or missing (404; the two are not told apart).
        FilingNotFound = "filing.not_found", Error;
        /// No such route (404).
        RouteNotFound = "route.not_found", Error;
        /// The route exists but not with this method (405).
        MethodNotAllowed = "route.method_not_allowed", Error;
        /// The filing could not be made durable; nothing was acknowledged, send it again (503).
        StoreUnavailable = "store.unavailable", Error;
        /// The server is shutting down or over capacity; send it again (503).
        Unavailable = "server.unavailable", Error;
        /// An internal error not caused by the request (500); reported, never expected.
        Internal = "server.internal", Error;
        /// The receiving municipality is not routed by the municipality directory: the filing would have nowhere to go, so it is not accepted (422).
        MunicipalityNotRouted = "delivery.municipality_not_routed", Error;
        /// The municipal API needs a client certificate (mutual TLS) (401).
        ClientCertificateRequired = "municipal.client_certificate_required", Error;
        /// The client certificate is not mapped to any municipality in the directory (403).
        ClientNotAuthorized = "municipal.not_authorized", Error;
        /// The request body is not the JSON this route expects; the pointer names the field (400).
        BodyInvalid = "request.body_invalid", Error;
        /// The filing has not been delivered yet (held or still waiting), so it cannot be decided (409).
        FilingNotDelivered = "filing.not_delivered", Error;
        /// The decision id was already used with different content (409).
        DecisionIdConflict = "decision.id_conflict", Error;
        /// A final decision (受理/不受理) is already recorded; a later one is refused (409).
        DecisionAfterFinal = "decision.after_final", Error;
        /// The filing was already acknowledged with a different reception number (409).
        AcknowledgementConflict = "acknowledgement.conflict", Error;
        /// The filing's attachments and personal data were purged after the retention period (410).
        FilingPurged = "filing.purged", Error;
    }
}

/// The client's language for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 日本語.
    Ja,
    /// English.
    En,
}

impl Lang {
    /// From `Accept-Language`: Japanese when `ja` is preferred over `en`.
    pub fn from_accept_language(value: Option<&HeaderValue>) -> Self {
        let Some(v) = value.and_then(|v| v.to_str().ok()) else {
            return Lang::En;
        };
        let mut best: (f32, Lang) = (-1.0, Lang::En);
        for item in v.split(',') {
            let mut pieces = item.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = if tag == "ja" || tag.starts_with("ja-") {
                Lang::Ja
            } else if tag == "en" || tag.starts_with("en-") || tag == "*" {
                Lang::En
            } else {
                continue;
            };
            if q > best.0 {
                best = (q, lang);
            }
        }
        best.1
    }
}

#[derive(Serialize)]
struct ProblemEntry<'a> {
    code: &'a str,
    severity: Severity,
    pointer: &'a str,
    message: &'a str,
    message_ja: &'a str,
    message_en: &'a str,
}

#[derive(Serialize)]
struct ProblemDocument<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    instance: &'a str,
    problems: Vec<ProblemEntry<'a>>,
}

/// The `type` URI of a problem document.
pub fn type_uri(kind: &str) -> String {
    format!("urn:birthgate:problem:{kind}")
}

/// Builds a problem+json body.
pub fn document(
    status: StatusCode,
    kind: &str,
    title: &str,
    instance: &str,
    problems: &[Problem],
    lang: Lang,
) -> String {
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let detail = match lang {
        Lang::Ja => format!("{}件の問題があります。", errors.max(problems.len())),
        Lang::En => format!(
            "{} problem(s); every one is listed in `problems`.",
            errors.max(problems.len())
        ),
    };
    let doc = ProblemDocument {
        kind: type_uri(kind),
        title,
        status: status.as_u16(),
        detail,
        instance,
        problems: problems
            .iter()
            .map(|p| ProblemEntry {
                code: &p.code,
                severity: p.severity,
                pointer: &p.pointer,
                message: match lang {
                    Lang::Ja => &p.message_ja,
                    Lang::En => &p.message_en,
                },
                message_ja: &p.message_ja,
                message_en: &p.message_en,
            })
            .collect(),
    };
    serde_json::to_string(&doc).unwrap_or_else(|_| String::from("{}"))
}

/// A problem+json response.
pub fn response(
    status: StatusCode,
    kind: &str,
    title: &str,
    instance: &str,
    problems: &[Problem],
    lang: Lang,
) -> Response<Full<Bytes>> {
    json_response(
        status,
        "application/problem+json",
        document(status, kind, title, instance, problems, lang),
    )
}

/// A JSON response with the given content type.
pub fn json_response(
    status: StatusCode,
    content_type: &'static str,
    body: String,
) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A single gateway problem as a response: the one mapping from
/// [`GatewayCode`] to HTTP status.
pub fn gateway_problem(
    code: GatewayCode,
    pointer: &str,
    ja: impl Into<String>,
    en: impl Into<String>,
    instance: &str,
    lang: Lang,
) -> Response<Full<Bytes>> {
    let status = status_of(code);
    let p = Problem::new(code, pointer, ja, en);
    let kind = code.as_str().replace(['.', '_'], "-");
    let title = status.canonical_reason().unwrap_or("Error");
    let mut r = response(status, &kind, title, instance, &[p], lang);
    if matches!(
        code,
        GatewayCode::RequestTimeout
            | GatewayCode::RequestTooLarge
            | GatewayCode::RequestPartTooLarge
            | GatewayCode::RequestTooManyParts
    ) {
        // The rest of the body is not read: the connection cannot be reused.
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if matches!(
        code,
        GatewayCode::StoreUnavailable | GatewayCode::Unavailable
    ) {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    r
}

/// The HTTP status of each gateway problem.
pub fn status_of(code: GatewayCode) -> StatusCode {
    match code {
        GatewayCode::RequestContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        GatewayCode::RequestTooLarge
        | GatewayCode::RequestPartTooLarge
        | GatewayCode::RequestTooManyParts => StatusCode::PAYLOAD_TOO_LARGE,
        GatewayCode::RequestMalformed | GatewayCode::IdempotencyKeyInvalid => {
            StatusCode::BAD_REQUEST
        }
        GatewayCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        GatewayCode::IdempotencyConflict => StatusCode::CONFLICT,
        GatewayCode::FilingNotFound | GatewayCode::RouteNotFound => StatusCode::NOT_FOUND,
        GatewayCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        GatewayCode::StoreUnavailable | GatewayCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        GatewayCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        GatewayCode::MunicipalityNotRouted => StatusCode::UNPROCESSABLE_ENTITY,
        GatewayCode::ClientCertificateRequired => StatusCode::UNAUTHORIZED,
        GatewayCode::ClientNotAuthorized => StatusCode::FORBIDDEN,
        GatewayCode::BodyInvalid => StatusCode::BAD_REQUEST,
        GatewayCode::FilingNotDelivered
        | GatewayCode::DecisionIdConflict
        | GatewayCode::DecisionAfterFinal
        | GatewayCode::AcknowledgementConflict => StatusCode::CONFLICT,
        GatewayCode::FilingPurged => StatusCode::GONE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_by_quality() {
        let l = |s: &'static str| Lang::from_accept_language(Some(&HeaderValue::from_static(s)));
        assert_eq!(l("ja"), Lang::Ja);
        assert_eq!(l("ja-JP,en;q=0.5"), Lang::Ja);
        assert_eq!(l("en-US,ja;q=0.8"), Lang::En);
        assert_eq!(l("fr, ja;q=0.1"), Lang::Ja);
        assert_eq!(l("fr"), Lang::En);
        assert_eq!(Lang::from_accept_language(None), Lang::En);
    }
}
