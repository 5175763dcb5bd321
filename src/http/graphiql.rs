//! GraphiQL, served from the binary: the page and the release builds of GraphiQL, React and
//! ReactDOM it loads (vendored in `assets/graphiql/`, with their licences), so it works on a
//! machine without internet. File names carry their versions, so browsers may keep them for a
//! year; an upgrade changes the names.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// The page at `GET /graphql` (for a browser).
pub const PAGE: &str = include_str!("../../assets/graphiql/index.html");

/// The files under `/graphiql/`: name, content type, bytes.
const FILES: [(&str, &str, &[u8]); 4] = [
    (
        "graphiql-3.9.0.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql-3.9.0.min.js"),
    ),
    (
        "graphiql-3.9.0.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql-3.9.0.min.css"),
    ),
    (
        "react-18.3.1.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-18.3.1.production.min.js"),
    ),
    (
        "react-dom-18.3.1.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom-18.3.1.production.min.js"),
    ),
];

/// The GraphiQL page.
pub fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// `GET /graphiql/{file}`: one of the vendored files, cached for a year; `404` otherwise.
pub async fn asset(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_loads_only_files_that_are_served() {
        let mut linked = 0;
        for part in super::PAGE.split("/graphiql/").skip(1) {
            let name = &part[..part.find('"').unwrap()];
            assert!(super::FILES.iter().any(|(n, _, _)| *n == name), "the page links {name}, which is not served");
            linked += 1;
        }
        assert_eq!(linked, super::FILES.len());
        assert!(!super::PAGE.contains("http://") && !super::PAGE.contains("https://"), "nothing from elsewhere");
    }
}
