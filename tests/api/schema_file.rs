//! The checked-in `schema.graphql` is what the server serves, and it parses.

#[test]
fn schema_graphql_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    let current = isp_billing::graphql::sdl();
    assert!(
        checked_in == current,
        "schema.graphql is stale: regenerate it with `cargo run -- print-schema > schema.graphql`"
    );
}

#[test]
fn schema_graphql_parses_as_sdl() {
    let sdl = isp_billing::graphql::sdl();
    let document = async_graphql_parser::parse_schema(&sdl).expect("the SDL parses");
    assert!(document.definitions.len() > 10);
    for needle in ["scalar Money", "scalar Date", "scalar DateTime", "interface Node", "type PlanConnection"] {
        assert!(sdl.contains(needle), "SDL has `{needle}`");
    }
}

/// Every field, argument or type a description names in backticks (`camelCase`, or
/// `Type.field`) exists: a description never sends a frontend developer to a field that is not
/// there.
#[test]
fn descriptions_name_only_fields_that_exist() {
    use async_graphql_parser::types::{TypeKind, TypeSystemDefinition};
    let document = async_graphql_parser::parse_schema(isp_billing::graphql::sdl()).expect("the SDL parses");
    let mut names = std::collections::HashSet::new();
    let mut fields_of: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut descriptions = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(t) = definition else { continue };
        let t = &t.node;
        names.insert(t.name.node.to_string());
        descriptions.extend(t.description.iter().map(|d| d.node.clone()));
        let mut fields = Vec::new();
        match &t.kind {
            TypeKind::Object(o) => {
                for f in &o.fields {
                    fields.push(f.node.name.node.to_string());
                    descriptions.extend(f.node.description.iter().map(|d| d.node.clone()));
                    for a in &f.node.arguments {
                        names.insert(a.node.name.node.to_string());
                        descriptions.extend(a.node.description.iter().map(|d| d.node.clone()));
                    }
                }
            }
            TypeKind::Interface(i) => fields.extend(i.fields.iter().map(|f| f.node.name.node.to_string())),
            TypeKind::InputObject(i) => {
                for f in &i.fields {
                    fields.push(f.node.name.node.to_string());
                    descriptions.extend(f.node.description.iter().map(|d| d.node.clone()));
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.values {
                    names.insert(v.node.value.node.to_string());
                    descriptions.extend(v.node.description.iter().map(|d| d.node.clone()));
                }
            }
            _ => {}
        }
        names.extend(fields.iter().cloned());
        fields_of.insert(t.name.node.to_string(), fields);
    }
    let mut missing = Vec::new();
    for description in &descriptions {
        // Odd pieces between backticks are code spans.
        for span in description.split('`').skip(1).step_by(2) {
            let ident: String = span.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
            let rest = &span[ident.len()..];
            if !(rest.is_empty() || rest.starts_with('(') || rest.starts_with(':')) {
                continue;
            }
            let camel = |s: &str| {
                s.starts_with(|c: char| c.is_ascii_lowercase())
                    && s.chars().any(|c| c.is_ascii_uppercase())
                    && s.chars().all(|c| c.is_ascii_alphanumeric())
            };
            match ident.split_once('.') {
                Some((ty, field))
                    if camel(field) && fields_of.get(ty).is_some_and(|fields| !fields.iter().any(|f| f == field)) =>
                {
                    missing.push(format!("{ty}.{field}"))
                }
                None if camel(&ident) && !names.contains(&ident) => missing.push(ident),
                _ => {}
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "descriptions name fields that do not exist: {missing:?}");
}

/// What a list field's description says when the list is not a connection.
const NOT_PAGED: &str = "Not paged:";

/// Every field that returns a list either is a connection's own `edges`/`nodes`, or says in its
/// description why it is not paged (`Not paged:` and what bounds it): a list that can grow
/// without bound is a connection (`first`/`after`/`last`/`before`, `totalCount`, `pageInfo`),
/// and a new plain list cannot slip in without someone saying why it stays small.
#[test]
fn every_list_is_a_connection_or_says_why_not() {
    use async_graphql_parser::types::{BaseType, FieldDefinition, Type, TypeKind, TypeSystemDefinition};
    fn is_list(ty: &Type) -> bool {
        matches!(ty.base, BaseType::List(_))
    }
    let document = async_graphql_parser::parse_schema(isp_billing::graphql::sdl()).expect("the SDL parses");
    let mut unexplained = Vec::new();
    let mut lists = 0;
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(t) = definition else { continue };
        let t = &t.node;
        let fields: Vec<&FieldDefinition> = match &t.kind {
            TypeKind::Object(o) => o.fields.iter().map(|f| &f.node).collect(),
            TypeKind::Interface(i) => i.fields.iter().map(|f| &f.node).collect(),
            _ => continue,
        };
        let connection = fields.iter().any(|f| f.name.node == "pageInfo");
        for field in fields.iter().filter(|f| is_list(&f.ty.node)) {
            lists += 1;
            let name = field.name.node.as_str();
            if connection && (name == "edges" || name == "nodes") {
                continue;
            }
            // Descriptions are wrapped text: a line break counts as a space.
            let says_why = field.description.as_ref().is_some_and(|d| {
                let text = d.node.split_whitespace().collect::<Vec<_>>().join(" ");
                text.split(NOT_PAGED).nth(1).is_some_and(|why| why.trim().len() >= 10)
            });
            if !says_why {
                unexplained.push(format!("{}.{name}", t.name.node));
            }
        }
    }
    assert!(lists > 20, "the walk found the lists ({lists})");
    assert!(
        unexplained.is_empty(),
        "these fields return a list that is neither a connection nor says why (\"{NOT_PAGED} <what bounds it>\" \
         in its description): {unexplained:?}"
    );
}
