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
