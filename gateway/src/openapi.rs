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
            "/healthz": { "get": { "operationId": "healthz", "summary": "Liveness", "responses": { "200": { "description": "The process answers." } } } },
            "/readyz": { "get": { "operationId": "readyz", "summary": "Readiness: store writable, trust anchors loaded, CRLs fresh", "responses": { "200": { "description": "Ready." }, "503": { "description": "Not ready; the body says which check failed." } } } },
            "/metrics": { "get": { "operationId": "metrics", "summary": "Prometheus metrics", "responses": { "200": { "description": "OpenMetrics text." } } } },
            "/openapi.json": { "get": { "operationId": "openapi", "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1." } } } }
        },
        "components": {
            "securitySchemes": { "accessToken": { "type": "http", "scheme": "bearer", "description": "The access_token of the receipt." } },
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
                        "history": { "type": "array", "items": { "type": "object", "required": ["at", "state", "note"], "properties": { "at": { "type": "string", "format": "date-time" }, "state": { "type": "string" }, "note": { "type": "string" } } } }
                    }
                }
            }
        },
        "x-problem-codes": problem_codes()
    })
}
