//! Generates the Acme client from its spec; a spec problem fails the build with its location.

fn main() {
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    if imagegen_codegen::Builder::new().spec("specs/acme.yaml").write_to(out_dir).is_err() {
        std::process::exit(1);
    }
}
