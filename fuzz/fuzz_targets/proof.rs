#![no_main]

#[path = "../src/entry.rs"]
#[allow(dead_code)]
mod entry;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    entry::proof(data, entry::shared_fixture());
});
