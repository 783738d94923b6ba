//! Trust anchors, chain building and revocation, the JPKI signing-certificate
//! profile, and the dev PKI generator. (Under construction.)
#![forbid(unsafe_code)]
