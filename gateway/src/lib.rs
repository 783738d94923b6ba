//! The birthgate server and command line: TLS intake of 出生届 filings,
//! durable accept-before-acknowledge, receipts and status, operations
//! endpoints, and the embedded default a newcomer runs with one command.
//!
//! The server takes a bound listener and a shutdown future
//! ([`server::serve`]); everything it shares lives in [`app::App`]. The
//! `verifier` does the checking (pure); this crate owns sockets, storage and
//! time.
//!
//! # Layout
//! - [`config`] — settings: defaults, TOML file, environment, flags; every
//!   bad setting reported with its key.
//! - [`devmode`] — the embedded default: dev PKI and trust layout on first start.
//! - [`server`] — TLS (rustls, ring), connection cap, timeouts, graceful shutdown.
//! - [`app`] — routing and the handlers (submit, status, health, metrics, OpenAPI).
//! - [`store`] — the durable store's narrow interface and its SQLite implementation.
//! - [`audit`] — the audit chain's hash formula and `birthgate audit verify`'s check.
//! - [`trust`] — loading and reloading anchors, intermediates and CRLs.
//! - [`directory`] — the municipality directory: routes (push / spool /
//!   pull) and which client certificates speak for which municipalities.
//! - [`delivery`] — the outbox worker, the delivery package, spool and push,
//!   and the retention purge.
//! - [`municipal`] — the municipal API (mutual TLS): list, fetch,
//!   acknowledge, decide.
//! - [`problem`] — problem+json and the one mapping of errors to HTTP status.
//! - [`metrics`], [`openapi`], [`ids`].
//! - [`client`] — `birthgate submit`, `status` and `bench` (the load tool).
#![forbid(unsafe_code)]

pub mod app;
pub mod audit;
pub mod client;
pub mod config;
pub mod delivery;
pub mod devmode;
pub mod directory;
pub mod ids;
pub mod metrics;
pub mod municipal;
pub mod openapi;
pub mod problem;
pub mod server;
pub mod store;
pub mod trust;
