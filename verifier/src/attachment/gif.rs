//! GIF: the block walk and the stripped copy without comment and
//! application extensions (XMP travels in an application extension).

use super::metadata::MetadataFindings;

/// Walks the blocks; returns the stripped copy, or `None` when the
/// structure is broken or truncated.
pub(crate) fn strip(bytes: &[u8], findings: &mut MetadataFindings) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let flags = *bytes.get(10)?;
    let mut pos = 13;
    if flags & 0x80 != 0 {
        pos += 3 << ((flags & 7) + 1);
    }
    out.extend_from_slice(bytes.get(..pos)?);
    loop {
        match *bytes.get(pos)? {
            0x3B => {
                out.push(0x3B);
                return Some(out);
            }
            0x21 => {
                let label = *bytes.get(pos + 1)?;
                let end = sub_blocks_end(bytes, pos + 2)?;
                match label {
                    0xFE => findings.add_other("gif:comment"),
                    0xFF => {
                        let app = bytes.get(pos + 3..pos + 14).unwrap_or_default();
                        if app.starts_with(b"XMP Data") {
                            findings.add_other("xmp");
                        } else if !app.starts_with(b"NETSCAPE") && !app.starts_with(b"ANIMEXTS") {
                            findings.add_other(format!(
                                "gif:application:{}",
                                String::from_utf8_lossy(app)
                            ));
                        }
                    }
                    _ => out.extend_from_slice(bytes.get(pos..end)?),
                }
                pos = end;
            }
            0x2C => {
                let flags = *bytes.get(pos + 9)?;
                let mut data = pos + 10;
                if flags & 0x80 != 0 {
                    data += 3 << ((flags & 7) + 1);
                }
                let end = sub_blocks_end(bytes, data + 1)?;
                out.extend_from_slice(bytes.get(pos..end)?);
                pos = end;
            }
            _ => return None,
        }
    }
}

/// The offset after a chain of data sub-blocks starting at `pos`.
fn sub_blocks_end(bytes: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let n = usize::from(*bytes.get(pos)?);
        pos += 1 + n;
        if n == 0 {
            return (pos <= bytes.len()).then_some(pos);
        }
    }
}
