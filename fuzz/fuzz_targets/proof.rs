#![no_main]

#[path = "../src/entry.rs"]
#[allow(dead_code)]
mod entry;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn fixture() -> &'static entry::Fixture {
    static FIXTURE: OnceLock<entry::Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // libfuzzer-sys' hook aborts on every panic, even one that our code catches on purpose
        // (halo2's key readers panic on some malformed input; `artifact` turns that into an
        // error). Uncaught panics still abort: the fuzz_target! wrapper aborts on them.
        std::panic::set_hook(Box::new(|_| {}));
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/models");
        match entry::fixture(&models) {
            Ok(f) => f,
            Err(e) => panic!("fuzz fixture: {e}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    entry::proof(data, fixture());
});
