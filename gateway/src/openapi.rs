//! The OpenAPI 3.1 description of the external contract (DESIGN.md §3),
//! served at `/openapi.json`. Problem codes are listed from the code enums
//! themselves, so the document cannot fall behind them.

use formats::problem::ProblemKind;
use serde_json::{Value, json};

fn codes<K: ProblemKind>(all: &[K]) -> Vec<Value> {
    all.iter()
        .map(|c| {
            json!({
                "code": c.as_str(),
                "severity": match c.severity() { formats::Severity::Error => "error", formats::Severity::Warning => "warning" },
                "description": c.description(),
            })
        })
        .collect()
}

/// Every problem code the gateway can answer with, with severity and meaning.
pub fn problem_codes() -> Vec<Value> {
    let mut all = codes(formats::ProblemCode::ALL);
    all.extend(codes(verifier::codes::VerifierCode::ALL));
    all.extend(codes(verifier::attachment::AttachmentCode::ALL));
    all.extend(codes(crate::problem::GatewayCode::ALL));
    all
}

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/ProblemDocument" } } }
    })
}

/// The document.
pub fn document() -> Value {
    let code_list: Vec<Value> = problem_codes().iter().map(|c| c["code"].clone()).collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "birthgate — 出生届オンライン受付ゲートウェイ",
            "version": "1",
            "description": "Receives 出生届 filings with images of the 出生証明書, signed with the notifier's JPKI signing certificate, verifies them and keeps them durably for delivery to the municipality of the 本籍地. Every refusal lists every problem as application/problem+json (RFC 9457).",
        },
        "servers": [{ "url": "https://127.0.0.1:8443" }],
        "paths": {
            "/v1/birth-notifications": {
                "post": {
                    "operationId": "submitBirthNotification",
                    "summary": "File a 出生届",
                    "parameters": [{
                        "name": "Idempotency-Key", "in": "header", "required": false,
                        "description": "1–255 visible ASCII characters. A repeat with the same key and the same parts gets the first answer; the same key with different parts gets 409.",
                        "schema": { "type": "string", "minLength": 1, "maxLength": 255 }
                    }, {
                        "name": "Accept-Language", "in": "header", "required": false,
                        "description": "`ja` for Japanese messages in `problems[].message`; English otherwise.",
                        "schema": { "type": "string" }
                    }],
                    "requestBody": {
                        "required": true,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["manifest", "notification", "signature", "certificate-1"],
                                    "properties": {
                                        "manifest": { "type": "string", "contentMediaType": "application/json", "description": "The signed manifest: SHA-256 and size of `notification` and of every attachment (part name, media type, size, SHA-256)." },
                                        "notification": { "type": "string", "contentMediaType": "application/json", "description": "The 出生届, JSON Schema urn:birthgate:schema:birth-notification.v1 (formats/schema/birth-notification.v1.json)." },
                                        "signature": { "type": "string", "contentMediaType": "application/pkcs7-signature", "description": "DER CMS SignedData, detached, over the exact manifest bytes, by the notifier's JPKI signing certificate." },
                                        "certificate-1": { "type": "string", "contentMediaType": "image/jpeg", "description": "First page of the 出生証明書: image/jpeg, image/png, image/tiff, image/gif or application/pdf. Further pages: certificate-2, certificate-3, …" }
                                    },
                                    "patternProperties": { "^certificate-[1-9][0-9]{0,3}$": { "type": "string" } },
                                    "additionalProperties": false
                                },
                                "encoding": {
                                    "manifest": { "contentType": "application/json" },
                                    "notification": { "contentType": "application/json" },
                                    "signature": { "contentType": "application/pkcs7-signature" },
                                    "certificate-1": { "contentType": "image/jpeg, image/png, image/tiff, image/gif, application/pdf" }
                                }
                            }
                        }
                    },
                    "responses": {
                        "202": { "description": "Accepted and durably stored (or held for revocation data).", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Receipt" } } } },
                        "400": problem_response("Malformed multipart body or Idempotency-Key."),
                        "408": problem_response("The body did not arrive in time."),
                        "409": problem_response("Idempotency-Key reused with different parts."),
                        "413": problem_response("Body, part or part count over the limit; the problem names the limit."),
                        "415": problem_response("Not multipart/form-data."),
                        "422": problem_response("Not accepted: every problem listed."),
                        "503": problem_response("Could not be made durable; nothing acknowledged. Retry.")
                    }
                }
            },
            "/v1/birth-notifications/{id}": {
                "get": {
                    "operationId": "getBirthNotificationStatus",
                    "summary": "Status and history of a filing",
                    "security": [{ "accessToken": [] }],
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^bg-[0-9a-f]{32}$" } }],
                    "responses": {
                        "200": { "description": "Status and history.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Status" } } } },
                        "404": problem_response("No such filing, or wrong or missing token (not told apart).")
                    }
                }
            },
            "/v1/municipal/filings": {
                "get": {
                    "operationId": "listMunicipalFilings",
                    "summary": "市区町村: filings not yet acknowledged, oldest first (mutual TLS)",
                    "security": [{ "municipalClientCertificate": [] }],
                    "responses": {
                        "200": { "description": "The filings of the municipalities this certificate serves.", "content": { "application/json": { "schema": { "type": "object", "required": ["filings"], "properties": { "filings": { "type": "array", "items": { "type": "object", "properties": { "filing_id": { "type": "string" }, "municipality": { "type": "string" }, "received_at": { "type": "string", "format": "date-time" }, "delivery_state": { "type": "string", "enum": ["pending", "delivered"] }, "url": { "type": "string", "format": "uri" } } } } } } } } },
                        "401": problem_response("No client certificate (municipal.client_certificate_required)."),
                        "403": problem_response("The certificate is mapped to no municipality (municipal.not_authorized).")
                    }
                }
            },
            "/v1/municipal/filings/{id}": {
                "get": {
                    "operationId": "getMunicipalFiling",
                    "summary": "市区町村: one filing — family-register record, register-entry text, verification report, parts with digests and URLs, delivery state, decision. Marks a waiting delivery delivered.",
                    "security": [{ "municipalClientCertificate": [] }],
                    "parameters": [{ "$ref": "#/components/parameters/FilingId" }],
                    "responses": {
                        "200": { "description": "The filing.", "content": { "application/json": { "schema": { "type": "object" } } } },
                        "401": problem_response("No client certificate."),
                        "403": problem_response("Certificate mapped to no municipality."),
                        "404": problem_response("No such filing for the municipalities of this certificate (another municipality's filing is not told apart).")
                    }
                }
            },
            "/v1/municipal/filings/{id}/package": {
                "get": {
                    "operationId": "getMunicipalPackage",
                    "summary": "市区町村: the delivery package (format version 1) as multipart/mixed, the same bytes a push sends",
                    "security": [{ "municipalClientCertificate": [] }],
                    "parameters": [{ "$ref": "#/components/parameters/FilingId" }],
                    "responses": {
                        "200": { "description": "package.json first, then record.json, register-entry.txt, report.json, original/…, stripped/….", "content": { "multipart/mixed": {} } },
                        "404": problem_response("No such filing for this certificate."),
                        "410": problem_response("Purged after the retention period (filing.purged).")
                    }
                }
            },
            "/v1/municipal/filings/{id}/parts/{name}": {
                "get": {
                    "operationId": "getMunicipalPart",
                    "summary": "市区町村: an original signed part, byte for byte",
                    "security": [{ "municipalClientCertificate": [] }],
                    "parameters": [{ "$ref": "#/components/parameters/FilingId" }, { "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }],
                    "responses": { "200": { "description": "The part with its media type." }, "404": problem_response("No such part or filing for this certificate.") }
                }
            },
            "/v1/municipal/filings/{id}/parts/{name}/stripped": {
                "get": {
                    "operationId": "getMunicipalStrippedPart",
                    "summary": "市区町村: the metadata-stripped copy of an attachment",
                    "security": [{ "municipalClientCertificate": [] }],
                    "parameters": [{ "$ref": "#/components/parameters/FilingId" }, { "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }],
                    "responses": { "200": { "description": "The stripped copy." }, "404": problem_response("No stripped copy, part or filing for this certificate.") }
                }
            },
            "/v1/municipal/filings/{id}/acknowledgement": {
                "post": {
                    "operationId": "acknowledgeMunicipalFiling",
                    "summary": "市区町村: confirm receipt, optionally with the municipality's reception number (idempotent)",
                    "security": [{ "municipalClientCertificate": [] }],
                    "parameters": [{ "$ref": "#/components/parameters/FilingId" }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "properties": { "reception_number": { "type": "string", "minLength": 1, "maxLength": 64 } } } } } },
                    "responses": {
                        "200": { "description": "Acknowledged (now or before with the same number).", "content": { "application/json": { "schema": { "type": "object" } } } },
                        "400": problem_response("Body not as specified; the pointer names the field."),
                        "404": problem_response("No such filing for this certificate."),
                        "409": problem_response("Already acknowledged with another reception number, or not delivered.")
                    }
                }
            },
            "/v1/municipal/filings/{id}/decisions": {
                "post": {
                    "operationId": "decideMunicipalFiling",
                    "summary": "市区町村: 受理 / 不受理 / 補正 — also the callback URL of push municipalities (decisions_url in package.json)",
                    "description": "Idempotent by decision_id (same content → 200 with idempotent-replay; other content → 409). Ordered by decided_at: a delayed earlier decision is recorded as superseded and never replaces a later one. Nothing follows 受理 or 不受理 (409). 不受理 needs a reason, 補正 a message for the parent; the parent's status shows them.",
                    "security": [{ "municipalClientCertificate": [] }],
                    "parameters": [{ "$ref": "#/components/parameters/FilingId" }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "required": ["decision_id", "kind", "decided_at"], "properties": {
                        "decision_id": { "type": "string", "minLength": 1, "maxLength": 128 },
                        "kind": { "type": "string", "enum": ["accepted", "rejected", "correction_requested"] },
                        "decided_at": { "type": "string", "format": "date-time" },
                        "reason": { "type": "string", "maxLength": 4000 },
                        "message": { "type": "string", "maxLength": 4000 }
                    } } } } },
                    "responses": {
                        "201": { "description": "Recorded (superseded: true when a later decision was already recorded).", "content": { "application/json": { "schema": { "type": "object" } } } },
                        "200": { "description": "The same decision again." },
                        "400": problem_response("Body not as specified; the pointer names the field."),
                        "404": problem_response("No such filing for this certificate."),
                        "409": problem_response("decision_id reused with other content, after a final decision, or the filing is not delivered.")
                    }
                }
            },
            "/healthz": { "get": { "operationId": "healthz", "summary": "Liveness", "responses": { "200": { "description": "The process answers." } } } },
            "/readyz": { "get": { "operationId": "readyz", "summary": "Readiness: store writable, trust anchors loaded, CRLs fresh", "responses": { "200": { "description": "Ready." }, "503": { "description": "Not ready; the body says which check failed." } } } },
            "/metrics": { "get": { "operationId": "metrics", "summary": "Prometheus metrics", "responses": { "200": { "description": "OpenMetrics text." } } } },
            "/openapi.json": { "get": { "operationId": "openapi", "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1." } } } }
        },
        "components": {
            "securitySchemes": {
                "accessToken": { "type": "http", "scheme": "bearer", "description": "The access_token of the receipt." },
                "municipalClientCertificate": { "type": "mutualTLS", "description": "A client certificate issued by a CA in municipal.client_ca and mapped to municipality codes by the directory's [[clients]] (SAN URI or certificate SHA-256)." }
            },
            "parameters": {
                "FilingId": { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^bg-[0-9a-f]{32}$" } }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["code", "severity", "pointer", "message", "message_ja", "message_en"],
                    "properties": {
                        "code": { "type": "string", "enum": code_list },
                        "severity": { "type": "string", "enum": ["error", "warning"] },
                        "pointer": { "type": "string", "description": "JSON pointer into the notification, a part name, or `manifest#/…`." },
                        "message": { "type": "string" },
                        "message_ja": { "type": "string" },
                        "message_en": { "type": "string" }
                    }
                },
                "ProblemDocument": {
                    "type": "object",
                    "required": ["type", "title", "status", "problems"],
                    "properties": {
                        "type": { "type": "string", "format": "uri" },
                        "title": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string" },
                        "instance": { "type": "string" },
                        "problems": { "type": "array", "items": { "$ref": "#/components/schemas/Problem" } }
                    }
                },
                "Receipt": {
                    "type": "object",
                    "required": ["filing_id", "status", "received_at", "manifest_sha256", "status_url", "access_token", "verdict", "warnings"],
                    "properties": {
                        "filing_id": { "type": "string", "pattern": "^bg-[0-9a-f]{32}$" },
                        "status": { "type": "string", "enum": ["accepted", "held"] },
                        "received_at": { "type": "string", "format": "date-time" },
                        "manifest_sha256": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
                        "status_url": { "type": "string", "format": "uri" },
                        "access_token": { "type": "string", "description": "Shown once; only its hash is stored." },
                        "verdict": { "type": "string", "enum": ["accept", "accept_with_warnings", "hold"] },
                        "warnings": { "type": "array", "items": { "$ref": "#/components/schemas/ProblemEntry" } }
                    }
                },
                "ProblemEntry": {
                    "type": "object",
                    "required": ["code", "severity", "pointer", "message_ja", "message_en"],
                    "properties": {
                        "code": { "type": "string", "enum": code_list },
                        "severity": { "type": "string", "enum": ["error", "warning"] },
                        "pointer": { "type": "string" },
                        "message_ja": { "type": "string" },
                        "message_en": { "type": "string" }
                    }
                },
                "Status": {
                    "type": "object",
                    "required": ["filing_id", "status", "received_at", "manifest_sha256", "history"],
                    "properties": {
                        "filing_id": { "type": "string" },
                        "status": { "type": "string", "enum": ["accepted", "held", "rejected"] },
                        "received_at": { "type": "string", "format": "date-time" },
                        "manifest_sha256": { "type": "string" },
                        "delivery": { "type": "object", "properties": { "state": { "type": "string", "enum": ["pending", "delivered", "acknowledged", "held"] }, "reception_number": { "type": ["string", "null"] } } },
                        "decision": { "type": "object", "properties": { "kind": { "type": "string", "enum": ["accepted", "rejected", "correction_requested"] }, "label_ja": { "type": "string", "enum": ["受理", "不受理", "補正"] }, "decided_at": { "type": "string", "format": "date-time" }, "reason": { "type": ["string", "null"] }, "message": { "type": ["string", "null"], "description": "補正: what the parent is asked to correct." } } },
                        "purged_at": { "type": "string", "format": "date-time", "description": "When attachments and personal data were purged after the retention period." },
                        "history": { "type": "array", "items": { "type": "object", "required": ["at", "state", "note"], "properties": { "at": { "type": "string", "format": "date-time" }, "state": { "type": "string" }, "note": { "type": "string" } } } }
                    }
                }
            }
        },
        "x-problem-codes": problem_codes()
    })
}
