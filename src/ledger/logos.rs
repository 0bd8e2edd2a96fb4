//! Donors' logos. An upload is recognised by its content (PNG, JPEG or WebP, whatever its name
//! says), checked for size before it is decoded, then decoded, scaled down and encoded again as
//! PNG, so no byte a visitor's browser receives came from the uploader: no metadata, no trailing
//! payload, no polyglot. The result is stored in the database under the SHA-256 of its bytes,
//! which names it in its URL, so it can be cached for good and shared by several processes.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::db::{self, logos::LogoRow, DbConn};
use crate::error::{AppError, AppResult};

/// The largest upload accepted, in bytes (1 MB).
pub const MAX_UPLOAD_BYTES: usize = 1024 * 1024;
/// The largest width and height accepted, in pixels.
pub const MAX_SIDE: u32 = 2000;
/// Logos are scaled down to fit this square: the wall shows them at most 200 px wide, and twice
/// that keeps them sharp on high-density screens.
pub const STORED_MAX_SIDE: u32 = 400;
/// The type every stored logo has.
pub const CONTENT_TYPE: &str = "image/png";
/// Where stored logos are served from.
pub const URL_PREFIX: &str = "/logos/";

/// A logo ready to store: re-encoded, with its name.
#[derive(Debug, Clone)]
pub struct ProcessedLogo {
    pub hash: String,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl ProcessedLogo {
    /// The path the logo is served at, e.g. `/logos/3f…9a.png`.
    pub fn path(&self) -> String {
        path_for(&self.hash)
    }
}

fn path_for(hash: &str) -> String {
    format!("{URL_PREFIX}{hash}.png")
}

/// The hash a logo path names, if it is one of ours.
pub fn hash_of_path(path: &str) -> Option<&str> {
    let hash = path.strip_prefix(URL_PREFIX)?.strip_suffix(".png")?;
    (hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
    .then_some(hash)
}

fn refuse(message: impl Into<String>) -> AppError {
    AppError::invalid("logo", message)
}

/// Checks and re-encodes an upload. CPU-bound (up to a few hundred milliseconds for the largest
/// image): call it off the async workers.
pub fn process(upload: &[u8]) -> AppResult<ProcessedLogo> {
    if upload.is_empty() {
        return Err(refuse("choose an image file to upload"));
    }
    if upload.len() > MAX_UPLOAD_BYTES {
        return Err(refuse(too_large(upload.len())));
    }
    let format = match image::guess_format(upload) {
        Ok(format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => format,
        Ok(other) => {
            return Err(refuse(format!(
                "{} images are not accepted; upload a PNG, JPEG or WebP image",
                other.extensions_str().first().map_or("these", |e| *e).to_uppercase()
            )))
        }
        Err(_) if looks_like_svg(upload) => {
            return Err(refuse(
                "SVG logos are not accepted (an SVG file can carry scripts); upload a PNG, JPEG or WebP image",
            ))
        }
        Err(_) => {
            return Err(refuse(
                "this file is not a PNG, JPEG or WebP image, whatever its name says",
            ))
        }
    };
    let reader = || {
        let mut reader = ImageReader::with_format(Cursor::new(upload), format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(64 * 1024 * 1024);
        reader.limits(limits);
        reader
    };
    // The header first: an image too large in pixels is refused before it is decoded.
    let (width, height) = ImageReader::with_format(Cursor::new(upload), format)
        .into_dimensions()
        .map_err(|_| refuse(damaged()))?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(refuse(format!(
            "the image is {width}×{height} pixels; at most {MAX_SIDE}×{MAX_SIDE} are accepted"
        )));
    }
    let decoded = reader().decode().map_err(|_| refuse(damaged()))?;
    let scaled = if width > STORED_MAX_SIDE || height > STORED_MAX_SIDE {
        decoded.resize(
            STORED_MAX_SIDE,
            STORED_MAX_SIDE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        decoded
    };
    // Only what is seen survives: 8-bit RGB, or RGBA when there is transparency.
    let pixels = if scaled.color().has_alpha() {
        image::DynamicImage::ImageRgba8(scaled.to_rgba8())
    } else {
        image::DynamicImage::ImageRgb8(scaled.to_rgb8())
    };
    let mut bytes = Vec::new();
    pixels
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .map_err(|e| AppError::Internal(format!("encoding a logo: {e}")))?;
    let hash = hex::encode(Sha256::digest(&bytes));
    Ok(ProcessedLogo {
        hash,
        width: pixels.width(),
        height: pixels.height(),
        bytes,
    })
}

/// The message for an upload over the limit.
pub fn too_large(bytes: usize) -> String {
    format!(
        "the file is {:.1} MB; at most 1 MB is accepted",
        bytes as f64 / (1024.0 * 1024.0)
    )
}

fn damaged() -> &'static str {
    "the image could not be read; it may be damaged or truncated"
}

fn looks_like_svg(upload: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&upload[..upload.len().min(4096)]).to_ascii_lowercase();
    head.contains("<svg") || (head.trim_start().starts_with("<?xml") && head.contains("svg"))
}

/// Gives a donor this logo (replacing any earlier one) and returns its path.
pub fn attach(conn: &mut DbConn, donor_id: i64, logo: &ProcessedLogo) -> AppResult<String> {
    let donor = donor_row(conn, donor_id)?;
    if donor.erased_at.is_some() {
        return Err(AppError::Conflict(format!(
            "donor {donor_id} has been erased and cannot get a logo"
        )));
    }
    let to_i32 = |v: u32| i32::try_from(v).map_err(|e| AppError::Internal(e.to_string()));
    db::logos::insert(
        conn,
        &LogoRow {
            hash: logo.hash.clone(),
            content_type: CONTENT_TYPE.to_owned(),
            width: to_i32(logo.width)?,
            height: to_i32(logo.height)?,
            bytes: logo.bytes.clone(),
            created_at: db::now(),
        },
    )?;
    let path = logo.path();
    db::logos::set_donor_logo(conn, donor_id, Some(&path))?;
    if let Some(old) = donor.logo_path.filter(|old| *old != path) {
        forget(conn, &old)?;
    }
    Ok(path)
}

/// Takes a donor's logo away; the stored file goes too unless another donor shows it.
pub fn detach(conn: &mut DbConn, donor_id: i64) -> AppResult<Option<String>> {
    let donor = donor_row(conn, donor_id)?;
    db::logos::set_donor_logo(conn, donor_id, None)?;
    if let Some(old) = &donor.logo_path {
        forget(conn, old)?;
    }
    Ok(donor.logo_path)
}

/// The donor a logo is for, from the table: a logo service needs no more than its row.
fn donor_row(conn: &mut DbConn, donor_id: i64) -> AppResult<db::donors::DonorRow> {
    db::donors::find(conn, donor_id)?.ok_or_else(|| AppError::not_found("donor", donor_id))
}

/// Deletes a stored logo no donor shows any more (paths that are not ours are left alone).
pub fn forget(conn: &mut DbConn, path: &str) -> AppResult<()> {
    if let Some(hash) = hash_of_path(path) {
        db::logos::delete_if_unused(conn, hash, path)?;
    }
    Ok(())
}

/// A stored logo by the hash in its URL.
pub fn find(conn: &mut DbConn, hash: &str) -> AppResult<Option<LogoRow>> {
    Ok(db::logos::find(conn, hash)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, Rgba};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 7])
        });
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn message(err: AppError) -> String {
        match err {
            AppError::Invalid { field, message } => {
                assert_eq!(field.as_deref(), Some("logo"));
                message
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_png_is_re_encoded_and_scaled_to_fit() {
        let upload = png(800, 200);
        let logo = process(&upload).unwrap();
        assert_eq!((logo.width, logo.height), (400, 100));
        assert_ne!(logo.bytes, upload);
        assert_eq!(image::guess_format(&logo.bytes).unwrap(), ImageFormat::Png);
        assert_eq!(logo.path(), format!("/logos/{}.png", logo.hash));
        assert_eq!(hash_of_path(&logo.path()), Some(logo.hash.as_str()));
    }

    #[test]
    fn bytes_after_the_image_are_not_served_back() {
        let mut upload = png(10, 10);
        let clean = process(&upload).unwrap();
        upload.extend_from_slice(b"<script>alert(1)</script>");
        let logo = process(&upload).unwrap();
        assert_eq!(logo.bytes, clean.bytes);
    }

    #[test]
    fn transparency_is_kept() {
        let img = ImageBuffer::from_fn(4, 4, |x, _| Rgba([0, 0, 0, (x * 60) as u8]));
        let mut upload = Vec::new();
        image::DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut upload), ImageFormat::Png)
            .unwrap();
        let logo = process(&upload).unwrap();
        let back = image::load_from_memory(&logo.bytes).unwrap();
        assert!(back.color().has_alpha());
    }

    #[test]
    fn refusals_say_why() {
        assert!(message(process(b"").unwrap_err()).contains("choose"));
        assert!(message(
            process(b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>")
                .unwrap_err()
        )
        .contains("SVG"));
        assert!(
            message(process(b"just some text, named logo.png").unwrap_err()).contains("not a PNG")
        );
        assert!(
            message(process(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap_err()).contains("GIF")
        );
        assert!(message(process(&png(2001, 10)).unwrap_err()).contains("2001×10"));
        let mut truncated = png(50, 50);
        truncated.truncate(60);
        assert!(message(process(&truncated).unwrap_err()).contains("damaged"));
        assert!(message(process(&vec![0x89; MAX_UPLOAD_BYTES + 1]).unwrap_err()).contains("1 MB"));
    }

    #[test]
    fn only_our_own_paths_name_a_stored_logo() {
        assert_eq!(hash_of_path("/static/demo/logo-1.svg"), None);
        assert_eq!(hash_of_path("/logos/../x.png"), None);
        assert_eq!(
            hash_of_path(&format!("/logos/{}.png", "A".repeat(64))),
            None
        );
    }
}
