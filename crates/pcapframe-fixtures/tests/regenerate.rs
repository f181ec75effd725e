//! Every committed fixture is exactly what the generator writes today.

#[test]
fn committed_fixtures_are_reproduced_byte_for_byte() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    for (name, bytes) in pcapframe_fixtures::all() {
        let committed =
            std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("fixtures/{name}: {e} (run `make fixtures`)"));
        assert!(committed == bytes, "fixtures/{name} differs from the generator's output (run `make fixtures`)");
    }
}
