//! PDF attachments: structure (lopdf, strict first, with a cap on every
//! stream's decompressed size), active content and embedded files, page
//! count, the page images, and the text layer behind [`PdfTextExtractor`].

use std::sync::{Arc, mpsc};
use std::time::Duration;

use lopdf::{Dictionary, Document, LoadOptions, Object};

/// Limits handed to a [`PdfTextExtractor`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PdfTextLimits {
    /// Wall-clock limit of the extraction.
    pub timeout: Duration,
    /// Largest decompressed size of one page's content.
    pub max_stream_bytes: usize,
    /// Only the first this many pages are read.
    pub max_pages: usize,
}

impl PdfTextLimits {
    /// Limits for an extraction.
    pub fn new(timeout: Duration, max_stream_bytes: usize, max_pages: usize) -> Self {
        Self {
            timeout,
            max_stream_bytes,
            max_pages,
        }
    }
}

/// Why a text layer could not be extracted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PdfTextError {
    /// The extractor reported an error (unreadable document, unsupported encoding, stream over the limit).
    #[error("text extraction failed: {0}")]
    Failed(String),
    /// The extractor panicked; the panic was contained.
    #[error("text extraction panicked")]
    Panicked,
    /// The extractor did not finish within the time limit.
    #[error("text extraction exceeded {0:?}")]
    TimedOut(Duration),
}

/// Extracts the text layer of a PDF. PDF text extraction runs third-party
/// code over hostile input that can panic or loop, so `inspect` takes it
/// behind this trait: [`InProcessPdfText`] contains panics and bounds the
/// wait; the gateway provides an implementation that runs the extraction in
/// a subprocess, which it can kill (a thread cannot be killed).
pub trait PdfTextExtractor: Send + Sync {
    /// The text of the first `limits.max_pages` pages, or why not.
    fn extract(&self, pdf: &[u8], limits: &PdfTextLimits) -> Result<String, PdfTextError>;
}

/// Runs lopdf's text extraction on a worker thread under `catch_unwind`
/// and waits at most `limits.timeout`. On time-out the worker is abandoned
/// (it holds a copy of the bytes and finishes or loops on its own): fine for
/// tests and the embedded setup, which is why production uses the
/// gateway's subprocess extractor.
///
/// lopdf decodes strings through the font's `/Encoding` (standard Latin
/// encodings) or its `/ToUnicode` CMap: Helvetica/WinAnsi text and
/// Japanese in a Type0 Identity-H font with a ToUnicode CMap both come
/// through (both are tested). Text in CID fonts without a ToUnicode CMap
/// comes out as nothing useful, and the cross-check then finds nothing to
/// compare (no warning: absence of evidence is not a mismatch).
#[derive(Debug, Clone, Copy, Default)]
pub struct InProcessPdfText;

impl PdfTextExtractor for InProcessPdfText {
    fn extract(&self, pdf: &[u8], limits: &PdfTextLimits) -> Result<String, PdfTextError> {
        let bytes: Arc<[u8]> = Arc::from(pdf);
        let (tx, rx) = mpsc::channel();
        let (cap, max_pages) = (limits.max_stream_bytes, limits.max_pages);
        let spawned = std::thread::Builder::new()
            .name("pdf-text".into())
            .spawn(move || {
                let result = std::panic::catch_unwind(move || -> Result<String, String> {
                    let options = LoadOptions {
                        max_decompressed_size: Some(cap),
                        ..LoadOptions::default()
                    };
                    let doc = Document::load_mem_with_options(&bytes, options)
                        .map_err(|e| e.to_string())?;
                    let pages: Vec<u32> = doc.get_pages().keys().copied().take(max_pages).collect();
                    let mut text = String::new();
                    // A page whose fonts lopdf cannot decode yields an error
                    // chunk; the other pages still count.
                    for t in doc
                        .extract_text_chunks_with_limit(&pages, cap)
                        .into_iter()
                        .flatten()
                    {
                        text.push_str(&t);
                        text.push('\n');
                    }
                    Ok(text)
                });
                let _ = tx.send(result);
            });
        if spawned.is_err() {
            return Err(PdfTextError::Failed("no worker thread".into()));
        }
        match rx.recv_timeout(limits.timeout) {
            Ok(Ok(Ok(text))) => Ok(text),
            Ok(Ok(Err(e))) => Err(PdfTextError::Failed(e)),
            Ok(Err(_)) => Err(PdfTextError::Panicked),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(PdfTextError::TimedOut(limits.timeout)),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(PdfTextError::Panicked),
        }
    }
}

/// Active content and embedded files found in the objects.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hazards {
    pub(crate) javascript: bool,
    pub(crate) launch: bool,
    pub(crate) embedded_file: bool,
}

/// Result of loading.
pub(crate) enum Loaded {
    /// Loaded strictly.
    Conforming(Document),
    /// Only lenient loading (with repair) succeeded.
    Repaired(Document),
    /// The document is encrypted.
    Encrypted,
    /// Not readable.
    Corrupt(String),
}

/// Loads strictly, then leniently; every stream decompression is capped.
pub(crate) fn load(bytes: &[u8], max_stream_bytes: usize) -> Loaded {
    let attempt = |strict: bool| {
        std::panic::catch_unwind(|| {
            Document::load_mem_with_options(
                bytes,
                LoadOptions {
                    strict,
                    max_decompressed_size: Some(max_stream_bytes),
                    ..LoadOptions::default()
                },
            )
        })
        .unwrap_or_else(|_| Err(lopdf::Error::Unimplemented("contained panic")))
    };
    let declares_encryption = |doc: &Document| doc.trailer.has(b"Encrypt") || doc.was_encrypted();
    match attempt(true) {
        Ok(doc) if declares_encryption(&doc) => Loaded::Encrypted,
        Ok(doc) => Loaded::Conforming(doc),
        Err(strict_error) => match attempt(false) {
            Ok(doc) if declares_encryption(&doc) => Loaded::Encrypted,
            Ok(doc) => Loaded::Repaired(doc),
            Err(e) => {
                // An encrypted file lopdf cannot open without the password.
                if contains_name(bytes, b"/Encrypt") {
                    Loaded::Encrypted
                } else {
                    Loaded::Corrupt(format!("{strict_error}; {e}"))
                }
            }
        },
    }
}

/// Whether `name` occurs as a PDF name token (followed by a delimiter).
fn contains_name(bytes: &[u8], name: &[u8]) -> bool {
    bytes.windows(name.len() + 1).any(|w| {
        w.starts_with(name)
            && matches!(
                w[name.len()],
                b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'<' | b'[' | b'(' | b'>' | 0
            )
    })
}

/// Walks every object (names are compared after lopdf decoded `#xx`
/// escapes, so `/J#61vaScript` is caught).
pub(crate) fn hazards(doc: &Document) -> Hazards {
    let mut h = Hazards::default();
    for object in doc.objects.values() {
        visit(object, &mut h, 0);
    }
    for (_, value) in doc.trailer.iter() {
        visit(value, &mut h, 0);
    }
    h
}

fn visit(object: &Object, h: &mut Hazards, depth: usize) {
    if depth > 64 {
        return;
    }
    match object {
        Object::Dictionary(d) => visit_dict(d, h, depth),
        Object::Stream(s) => visit_dict(&s.dict, h, depth),
        Object::Array(items) => items.iter().for_each(|o| visit(o, h, depth + 1)),
        _ => {}
    }
}

fn visit_dict(d: &Dictionary, h: &mut Hazards, depth: usize) {
    for (key, value) in d.iter() {
        match key.as_slice() {
            b"JS" | b"JavaScript" => h.javascript = true,
            b"Launch" => h.launch = true,
            b"EmbeddedFiles" | b"EF" => h.embedded_file = true,
            b"S" => match value.as_name() {
                Ok(b"JavaScript") => h.javascript = true,
                Ok(b"Launch") => h.launch = true,
                Ok(b"GoToE") => h.embedded_file = true,
                _ => {}
            },
            b"Subtype" if value.as_name().ok() == Some(b"FileAttachment") => h.embedded_file = true,
            b"Type" if value.as_name().ok() == Some(b"EmbeddedFile") => h.embedded_file = true,
            _ => {}
        }
        visit(value, h, depth + 1);
    }
}

/// The largest image of a page, as something the image checks can read.
pub(crate) enum PageImage {
    /// A DCTDecode stream: JPEG bytes.
    Jpeg(Vec<u8>),
    /// Raw samples rebuilt to grey.
    Gray {
        width: u32,
        height: u32,
        pixels: Vec<u8>,
    },
    /// Declares more pixels than the policy allows.
    Bomb { width: u64, height: u64 },
    /// An encoding the image checks do not read (JPX, CCITT, JBIG2, 1-bit,
    /// indexed or CMYK colour, chained filters): the page is not measured.
    /// Bilevel fax-style scans are common and legitimate, so this is no fault.
    Unsupported,
    /// The image data is broken (does not inflate, too few samples).
    Broken(String),
}

/// The largest image on page `page_id`, if any.
pub(crate) fn page_image(
    doc: &Document,
    page_id: lopdf::ObjectId,
    max_pixels: u64,
    max_stream_bytes: usize,
) -> Option<PageImage> {
    let images = doc.get_page_images(page_id).ok()?;
    let image = images
        .into_iter()
        .max_by_key(|i| i.width.max(0).saturating_mul(i.height.max(0)))?;
    let (w, h) = (image.width.max(0) as u64, image.height.max(0) as u64);
    if w * h > max_pixels {
        return Some(PageImage::Bomb {
            width: w,
            height: h,
        });
    }
    let filters = image.filters.clone().unwrap_or_default();
    if filters.iter().any(|f| f == "DCTDecode") {
        if filters.len() == 1 {
            return Some(PageImage::Jpeg(image.content.to_vec()));
        }
        return Some(PageImage::Unsupported);
    }
    let components = match image.color_space.as_deref() {
        Some("DeviceGray" | "CalGray") => 1,
        Some("DeviceRGB" | "CalRGB") => 3,
        _ => return Some(PageImage::Unsupported),
    };
    // Filters lopdf inflates; CCITTFax, JBIG2 and JPX are not read here.
    let decodable = filters.iter().all(|f| {
        matches!(
            f.as_str(),
            "FlateDecode" | "LZWDecode" | "ASCII85Decode" | "ASCIIHexDecode" | "RunLengthDecode"
        )
    });
    if image.bits_per_component != Some(8) || !decodable {
        return Some(PageImage::Unsupported);
    }
    let stream = doc.get_object(image.id).ok()?.as_stream().ok()?;
    let samples = match stream.decompressed_content_with_limit(max_stream_bytes) {
        Ok(s) => s,
        Err(e) => return Some(PageImage::Broken(e.to_string())),
    };
    let expected = (w * h) as usize * components;
    if samples.len() < expected || w == 0 || h == 0 {
        return Some(PageImage::Broken(format!(
            "{} sample bytes for {w}×{h}",
            samples.len()
        )));
    }
    let pixels = if components == 1 {
        let mut s = samples;
        s.truncate(expected);
        s
    } else {
        super::jpeg::rgb_to_gray(&samples[..expected])
    };
    Some(PageImage::Gray {
        width: w as u32,
        height: h as u32,
        pixels,
    })
}
