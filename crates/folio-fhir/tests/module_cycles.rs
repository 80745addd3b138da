//! folio-fhir's modules import each other in one direction only: no module reaches, through any
//! chain of `use` or `crate::` paths, a module that reaches it back (the JSON accessors they all
//! read with live in a leaf module, `fields.rs`, that imports nothing from the crate).

#[path = "../../../tests/module_graph.rs"]
mod module_graph;

#[test]
fn no_module_reaches_a_module_that_reaches_it_back() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let cycles = module_graph::cycles_in(&src).expect("folio-fhir's modules read");
    assert!(
        cycles.is_empty(),
        "module import cycles in folio-fhir:\n{}",
        cycles.join("\n")
    );
}
