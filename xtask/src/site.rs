//! Builds the static site: `trunk build --release` with relative URLs, then the steps Trunk
//! cannot do: a Content-Security-Policy that allows exactly the page's own inline bootstrap
//! script (by hash), so `dist/` is safe on any static host without server headers, and the
//! service worker's versioned file list.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::tools::{run, Env};
use crate::Result;

const CSP_PLACEHOLDER: &str = "__GENESIS_CSP__";

pub fn build(env: &Env, out: &Path) -> Result<()> {
    run(env.command("trunk").args([
        "build",
        "--release",
        "--offline",
        "--public-url",
        "./",
        "--dist",
        &out.to_string_lossy(),
    ]))?;
    let index_path = out.join("index.html");
    let index = std::fs::read_to_string(&index_path)
        .map_err(|e| format!("cannot read {}: {e}", index_path.display()))?;
    let index = index.replace(CSP_PLACEHOLDER, &content_security_policy(&index));
    std::fs::write(&index_path, index)
        .map_err(|e| format!("cannot write {}: {e}", index_path.display()))?;
    write_service_worker(out)
}

/// Fills the service worker template with this build's files and a version that changes
/// whenever any of them does.
fn write_service_worker(out: &Path) -> Result<()> {
    let sw_path = out.join("sw.js");
    let template = std::fs::read_to_string(&sw_path)
        .map_err(|e| format!("cannot read {}: {e}", sw_path.display()))?;
    let mut files: Vec<String> = std::fs::read_dir(out)
        .map_err(|e| format!("cannot list {}: {e}", out.display()))?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "sw.js")
        .collect();
    files.sort();
    let mut hasher = Sha256::new();
    for name in &files {
        let bytes =
            std::fs::read(out.join(name)).map_err(|e| format!("cannot read {name}: {e}"))?;
        hasher.update(name.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let version: String = hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let assets: Vec<String> = std::iter::once("\"./\"".to_string())
        .chain(files.iter().map(|name| format!("\"./{name}\"")))
        .collect();
    let worker = template
        .replace("__GENESIS_VERSION__", &version)
        .replace("__GENESIS_ASSETS__", &format!("[{}]", assets.join(", ")));
    std::fs::write(&sw_path, worker).map_err(|e| format!("cannot write {}: {e}", sw_path.display()))
}

/// No remote connections, no plugins, no inline script but the bootstrap Trunk writes.
fn content_security_policy(index_html: &str) -> String {
    let script_hashes: Vec<String> = inline_scripts(index_html)
        .into_iter()
        .map(|body| format!("'sha256-{}'", base64(&Sha256::digest(body.as_bytes()))))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; worker-src 'self'; \
         connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; manifest-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'none'",
        script_hashes.join(" ")
    )
}

/// The bodies of `<script>` elements that have no `src`.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut bodies = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after_tag = &rest[start..];
        let Some(tag_end) = after_tag.find('>') else {
            break;
        };
        let tag = &after_tag[..tag_end];
        let body_and_more = &after_tag[tag_end + 1..];
        let Some(close) = body_and_more.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            bodies.push(&body_and_more[..close]);
        }
        rest = &body_and_more[close..];
    }
    bodies
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in vectors {
            assert_eq!(base64(input.as_bytes()), expected, "base64({input:?})");
        }
    }

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = "<script src=\"./a.js\"></script><script type=\"module\">\nboot();\n</script>";
        assert_eq!(inline_scripts(html), vec!["\nboot();\n"]);
        let csp = content_security_policy(html);
        let expected = base64(&Sha256::digest(b"\nboot();\n"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert!(csp.contains("connect-src 'self'"));
    }
}
