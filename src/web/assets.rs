//! Static files, embedded in the binary at build time, served under content-hashed names
//! (`/static/coffer.3f9a…c2.css`) that never change meaning, so browsers may keep them for a
//! year without asking again. The plain names still answer, with a day's caching, for links
//! made before.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

/// How browsers may keep a file under its hashed name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// How long under its plain name.
const PLAIN: &str = "public, max-age=86400";

/// The hashed name of each file, and the file of each hashed name.
struct Names {
    hashed: HashMap<String, String>,
    plain: HashMap<String, String>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut hashed = HashMap::new();
        let mut plain = HashMap::new();
        for path in Assets::iter() {
            let Some(file) = Assets::get(&path) else {
                continue;
            };
            let digest = hex::encode(Sha256::digest(&file.data));
            let name = match path.rsplit_once('.') {
                Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{}.{ext}", &digest[..16]),
                _ => format!("{path}.{}", &digest[..16]),
            };
            hashed.insert(path.to_string(), name.clone());
            plain.insert(name, path.to_string());
        }
        Names { hashed, plain }
    })
}

/// The URL of a static file under its content-hashed name (the plain one if it is unknown).
pub fn url(path: &str) -> String {
    match names().hashed.get(path) {
        Some(name) => format!("/static/{name}"),
        None => format!("/static/{path}"),
    }
}

/// An embedded static file's type and bytes, by its path under `/static/`.
pub fn embedded(path: &str) -> Option<(String, Vec<u8>)> {
    let file = Assets::get(path.strip_prefix("/static/")?)?;
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    Some((mime.essence_str().to_owned(), file.data.into_owned()))
}

fn file(path: &str, cache: &'static str) -> HttpResponse {
    match Assets::get(path) {
        Some(file) => HttpResponse::Ok()
            .content_type(mime_guess::from_path(path).first_or_octet_stream().as_ref())
            .insert_header((header::CACHE_CONTROL, cache))
            .body(file.data.into_owned()),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found"),
    }
}

/// `GET /static/{path}`: a hashed name for a year, a plain one for a day.
pub async fn serve(path: web::Path<String>) -> HttpResponse {
    match names().plain.get(path.as_str()) {
        Some(plain) => file(plain, IMMUTABLE),
        None => file(&path, PLAIN),
    }
}

/// `GET /favicon.ico`: browsers ask for it wherever a page does not say otherwise.
pub async fn favicon() -> HttpResponse {
    file("favicon.svg", PLAIN)
}

/// `GET /robots.txt`: the public pages may be indexed; the console and donors' own pages not.
pub async fn robots() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, PLAIN))
        .body(
            "User-agent: *\nAllow: /\nDisallow: /admin/\nDisallow: /donate/manage\n\
             Disallow: /donate/thanks\nDisallow: /api/v1/admin/\n",
        )
}
