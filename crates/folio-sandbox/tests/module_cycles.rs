//! folio-sandbox's modules import each other in one direction only: no module reaches, through
//! any chain of `use`, `crate::` or `super::` paths, a module that reaches it back (the server's
//! shared state lives in `state.rs`, which the routes import and which imports none of them; the
//! generator's resource builders never reach the code that assembles a member's history).

#[path = "../../../tests/module_graph.rs"]
mod module_graph;

#[test]
fn no_module_reaches_a_module_that_reaches_it_back() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let cycles = module_graph::cycles_in(&src).expect("folio-sandbox's modules read");
    assert!(
        cycles.is_empty(),
        "module import cycles in folio-sandbox:\n{}",
        cycles.join("\n")
    );
}
