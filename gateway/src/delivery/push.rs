//! Push delivery: the package as one `multipart/mixed` POST over mutual TLS
//! (see [`super::package`] for the format), and the classification of the
//! answer.
//!
//! | answer | meaning |
//! |---|---|
//! | 2xx | delivered; a JSON body `{"reception_number": "…"}` also acknowledges |
//! | 409 | the receiver already has this idempotency key: delivered |
//! | 400, 401, 403, 404, 405, 410, 411, 413, 414, 415, 422 | the receiver refuses the package itself or our credentials: retrying cannot help, the delivery is held for an operator |
//! | 408, 425, 429, 5xx, other | transient: retried with backoff (not sooner than a 429/503's `Retry-After` seconds) |
//! | no connection, TLS failure, timeout | transient: retried with backoff |

use http::Method;

use super::Outcome;
use super::package::Package;
use crate::client::{Client, SendOptions};
use crate::directory::PushEndpoint;

/// The longest reception number accepted from a receiver.
const MAX_RECEPTION_NUMBER: usize = 64;

/// Statuses that retrying the same package cannot change.
const PERMANENT: &[u16] = &[400, 401, 403, 404, 405, 410, 411, 413, 414, 415, 422];

/// Sends `package` to `endpoint`.
pub async fn send(endpoint: &PushEndpoint, package: &Package) -> Outcome {
    let url = endpoint.url.to_string();
    let client = match Client::with_config(&url, (*endpoint.tls).clone()) {
        Ok(c) => c.with_timeout(endpoint.timeout),
        Err(e) => return Outcome::Permanent(format!("push url: {e}")),
    };
    let boundary = crate::delivery::package::new_boundary();
    let body = bytes::Bytes::from(package.multipart_body(&boundary));
    let options = SendOptions::default()
        .idempotency_key(package.filing_id.clone())
        .header(
            "birthgate-package-version",
            super::package::PACKAGE_VERSION.to_string(),
        );
    let exchange = async {
        let mut conn = client.connect().await?;
        let path = if endpoint.url.path().is_empty() {
            "/"
        } else {
            ""
        };
        conn.send(
            Method::POST,
            path,
            Some(&format!("multipart/mixed; boundary={boundary}")),
            vec![body],
            &options,
        )
        .await
    };
    // The client bounds connect and exchange; this bounds the whole.
    let answer = match tokio::time::timeout(
        endpoint.timeout + std::time::Duration::from_secs(1),
        exchange,
    )
    .await
    {
        Ok(Ok(a)) => a,
        Ok(Err(e)) => return Outcome::Transient(e.to_string()),
        Err(_) => return Outcome::Transient(format!("no answer within {:?}", endpoint.timeout)),
    };
    let outcome = classify(answer.status, &answer.body);
    // A receiver that says when to come back (429/503 + Retry-After in
    // seconds) is not asked again sooner.
    match (outcome, retry_after(answer.status, &answer.headers)) {
        (Outcome::Transient(error), Some(after)) => Outcome::Busy {
            error,
            retry_after: after,
        },
        (outcome, _) => outcome,
    }
}

/// `Retry-After` of a 429 or 503 answer, in whole seconds (at most a day;
/// HTTP dates are not honoured: clocks differ).
pub fn retry_after(status: u16, headers: &http::HeaderMap) -> Option<std::time::Duration> {
    if status != 429 && status != 503 {
        return None;
    }
    headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|s| *s <= 86_400)
        .map(std::time::Duration::from_secs)
}

/// What an answer means (see the module table).
pub fn classify(status: u16, body: &serde_json::Value) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered {
            detail: format!("receiver answered {status}"),
            reception_number: body["reception_number"]
                .as_str()
                .filter(|n| {
                    !n.is_empty()
                        && n.len() <= MAX_RECEPTION_NUMBER
                        && n.chars().all(|c| !c.is_control())
                })
                .map(str::to_owned),
        },
        409 => Outcome::Delivered {
            detail: "receiver already had this filing (409)".to_owned(),
            reception_number: None,
        },
        s if PERMANENT.contains(&s) => {
            Outcome::Permanent(format!("receiver refused the package with {s}"))
        }
        s => Outcome::Transient(format!("receiver answered {s}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified() {
        let json = serde_json::json!({ "reception_number": "R-2026-0001" });
        assert!(
            matches!(classify(201, &json), Outcome::Delivered { reception_number: Some(n), .. } if n == "R-2026-0001")
        );
        assert!(matches!(
            classify(200, &serde_json::Value::Null),
            Outcome::Delivered {
                reception_number: None,
                ..
            }
        ));
        assert!(matches!(
            classify(200, &serde_json::json!({ "reception_number": "a\nb" })),
            Outcome::Delivered {
                reception_number: None,
                ..
            }
        ));
        assert!(matches!(
            classify(409, &serde_json::Value::Null),
            Outcome::Delivered { .. }
        ));
        for s in [400, 403, 404, 413, 415, 422] {
            assert!(
                matches!(classify(s, &serde_json::Value::Null), Outcome::Permanent(_)),
                "{s}"
            );
        }
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(
                matches!(classify(s, &serde_json::Value::Null), Outcome::Transient(_)),
                "{s}"
            );
        }
    }
}
