//! Attachment checks. (Under construction.)
