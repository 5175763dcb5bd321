//! Enumerations shared by several areas, stored as their GraphQL names in TEXT columns.

/// Declares an enum that is a GraphQL enum and is stored as its name (e.g. `"CABLE_TV"`).
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* #[graphql(name = $text)] $variant),+
        }

        impl $name {
            /// The stored (and GraphQL) name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads a stored name; unknown text is a corrupt row, reported as an internal error.
            pub fn from_db(text: &str) -> Result<Self, $crate::error::AppError> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::error::AppError::Internal(format!(
                        concat!("unknown ", stringify!($name), " {:?} in the database"), other
                    ))),
                }
            }
        }
    };
}

text_enum! {
    /// What a plan or customer is for.
    pub enum ServiceType {
        /// Internet access.
        Broadband => "BROADBAND",
        /// Cable television.
        CableTv => "CABLE_TV",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for t in [ServiceType::Broadband, ServiceType::CableTv] {
            assert_eq!(ServiceType::from_db(t.as_str()).unwrap(), t);
        }
        assert!(ServiceType::from_db("DTH").is_err());
    }
}
