//! The 出生届 data model. (Under construction.)
#![forbid(unsafe_code)]
