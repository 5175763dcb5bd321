//! [`row_and_new!`](crate::row_and_new): a table's row struct and its insert struct from one
//! field list.

/// Declares the two diesel structs of a table from one field list: the row (`Queryable`, read
/// back with its `id`) and the new row (`Insertable`, everything the insert sets).
///
/// ```text
/// row_and_new! {
///     table = refunds;
///
///     /// A row of `refunds`.
///     #[derive(Debug, Clone, Queryable)]
///     pub struct RefundRow {
///         pub id: i64,
///         ..NewRefund
///     }
///
///     #[derive(Debug, Clone, Insertable)]
///     #[diesel(treat_none_as_default_value = false)]
///     pub struct NewRefund {
///         pub refund_id: String,
///         pub payment_id: i64,
///         pub customer_id: i64,
///         pub amount_paise: i64,
///         pub reason: String,
///         pub approved_by: Option<i64>,
///         pub created_at: NaiveDateTime,
///     }
/// }
/// ```
///
/// The row's fields are `id`, then the new row's fields in their order, then any fields written
/// after `..NewRefund` (columns the insert leaves to their defaults or to later statements).
/// `Queryable` reads columns by position, so that must be the table's column order: the macro
/// checks it, and that the fields are every column, against `table::all_columns` at compile
/// time. Both structs get `#[diesel(table_name = table)]`; the attributes written on each
/// (derives, doc comments, `treat_none_as_default_value`) stay on that struct alone, while a
/// field's doc comment is on it in both. The new row has `into_row(id, ..)` (the extra fields'
/// values after `id`): what it reads back as, for tests' fixtures and for rows inserted later
/// under ids taken first ([`crate::db::NewIds`]).
#[macro_export]
macro_rules! row_and_new {
    (
        table = $table:ident;

        $(#[$row_meta:meta])*
        $row_vis:vis struct $row:ident {
            pub id: $id_ty:ty,
            ..$spread:ident
            $(, $(#[$extra_meta:meta])* pub $extra:ident: $extra_ty:ty)* $(,)?
        }

        $(#[$new_meta:meta])*
        $new_vis:vis struct $new:ident {
            $($(#[$field_meta:meta])* pub $field:ident: $field_ty:ty),* $(,)?
        }
    ) => {
        $(#[$row_meta])*
        #[diesel(table_name = $table)]
        $row_vis struct $row {
            pub id: $id_ty,
            $($(#[$field_meta])* pub $field: $field_ty,)*
            $($(#[$extra_meta])* pub $extra: $extra_ty,)*
        }

        $(#[$new_meta])*
        #[diesel(table_name = $table)]
        $new_vis struct $new {
            $($(#[$field_meta])* pub $field: $field_ty,)*
        }

        impl $new {
            /// The row this new row reads back as once inserted as `id`.
            #[allow(dead_code)]
            pub fn into_row(self, id: $id_ty $(, $extra: $extra_ty)*) -> $row {
                $row { id, $($field: self.$field,)* $($extra,)* }
            }
        }

        // `..Name` in the row names the new row declared with it.
        const _: fn($new) -> $spread = |new| new;

        // The row's fields are the table's columns, in the table's order (`Queryable` is positional).
        const _: () = {
            let _: ($table::id, $($table::$field,)* $($table::$extra,)*) = $table::all_columns;
        };
    };
}
