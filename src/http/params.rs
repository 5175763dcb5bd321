//! The query parameters a download accepts: one it does not know (a misspelling, most likely)
//! is refused naming it, with the closest known one suggested, rather than silently ignored.

use axum::http::Uri;

use crate::downloads::links;
use crate::error::AppError;

/// `BAD_USER_INPUT` naming the first parameter of `uri` that is neither one of `own` nor one
/// of a download link's (`expires`, `session`, `signature`).
pub fn only_known(uri: &Uri, own: &[&str]) -> Result<(), AppError> {
    let known = || own.iter().chain(links::PARAMS.iter()).copied();
    let names =
        uri.query().unwrap_or("").split('&').filter(|p| !p.is_empty()).map(|p| p.split('=').next().unwrap_or(p));
    match names.into_iter().find(|name| !known().any(|k| k == *name)) {
        None => Ok(()),
        Some(name) => {
            let name: String = name.chars().take(60).collect();
            let accepted = if own.is_empty() { "none of its own".to_owned() } else { own.join(", ") };
            let hint = crate::suggest::did_you_mean(&name, known());
            Err(AppError::bad_input(
                name.clone(),
                format!("unknown query parameter `{name}` (this download takes {accepted}).{hint}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::only_known;

    #[test]
    fn names_the_parameter_it_does_not_know() {
        let uri = |s: &str| s.parse::<axum::http::Uri>().unwrap();
        assert!(only_known(&uri("/reports/dues.csv?asOf=2026-04-01"), &["asOf"]).is_ok());
        assert!(only_known(&uri("/invoices/x.pdf"), &[]).is_ok());
        assert!(only_known(&uri("/invoices/x.pdf?expires=1&session=2&signature=ab"), &[]).is_ok());
        let e = only_known(&uri("/reports/dues.csv?asof=2026-04-01"), &["asOf", "companyId"]).unwrap_err();
        assert!(matches!(&e, crate::error::AppError::BadInput { field, .. } if field == "asof"));
        assert!(e.message().ends_with("Did you mean \"asOf\"?"), "{}", e.message());
    }
}
