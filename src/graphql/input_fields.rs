//! The fields of every input type, read once from the schema's SDL, for the "Did you mean ...?"
//! of an unknown input field (async-graphql names the type but not its fields).

use std::collections::HashMap;
use std::sync::OnceLock;

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

/// The field names of input type `name`, in schema order (none for a name that is not one).
pub fn of(name: &str) -> &'static [String] {
    static FIELDS: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    let fields = FIELDS.get_or_init(|| read(&super::sdl()));
    fields.get(name).map_or(&[], Vec::as_slice)
}

fn read(sdl: &str) -> HashMap<String, Vec<String>> {
    let Ok(doc) = async_graphql::parser::parse_schema(sdl) else { return HashMap::new() };
    doc.definitions
        .into_iter()
        .filter_map(|definition| match definition {
            TypeSystemDefinition::Type(ty) => match ty.node.kind {
                TypeKind::InputObject(input) => Some((
                    ty.node.name.node.to_string(),
                    input.fields.into_iter().map(|f| f.node.name.node.to_string()).collect(),
                )),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn knows_the_input_types() {
        assert!(super::of("CreatePaymentInput").iter().any(|f| f == "customerId"));
        assert!(super::of("CustomerFilterInput").iter().any(|f| f == "serviceType"));
        assert!(super::of("Customer").is_empty(), "an output type");
    }
}
