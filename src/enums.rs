//! Enumerations shared by several areas, stored as their GraphQL names in TEXT columns.

/// Declares an enum that is a GraphQL enum and is stored as its name (e.g. `"CABLE_TV"`) in a
/// TEXT column: rows read it and queries compare with it directly, on either database.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $($(#[$vmeta])* #[graphql(name = $text)] $variant),+
        }

        // One implementation for SQLite, PostgreSQL and the multi-backend connection: the
        // column holds the name as text.
        impl<DB: diesel::backend::Backend> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                $name::from_db(&text).map_err(|e| e.message().into())
            }
        }

        impl<DB: diesel::backend::Backend> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

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

    #[test]
    fn columns_read_and_write_the_names() {
        use diesel::dsl::sql;
        use diesel::prelude::*;
        use diesel::sql_types::Text;
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        let read: ServiceType = diesel::select(sql::<Text>("'CABLE_TV'")).get_result(&mut conn).unwrap();
        assert_eq!(read, ServiceType::CableTv);
        let written: String = diesel::select(ServiceType::Broadband.into_sql::<Text>()).get_result(&mut conn).unwrap();
        assert_eq!(written, "BROADBAND");
        // Text that names no variant is a corrupt row: an error, never a guess.
        assert!(diesel::select(sql::<Text>("'DTH'")).get_result::<ServiceType>(&mut conn).is_err());
    }
}
