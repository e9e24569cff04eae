//! Short names for the main wasm module's imports from its JS glue. wasm-bindgen names each
//! import `__wbg_<function>_<16 hex digits>`; the digits do not compress, and every name is
//! sent twice, in the wasm's import section and as a key of the glue's import object. Giving
//! each a short name in both files takes about 6 KB (brotli) off every tab's first load.

use crate::Result;

/// Part of the build's file names (`spa.rs`): another way of naming gives other files.
pub const SCHEME: &str = "import names: $ and base 36, in import order";

/// Renames every import of `module` in `wasm` to a short name, and the same names in `js`.
/// Each old name must be in `js` exactly once, or nothing is changed.
pub fn shorten(wasm: &[u8], js: &str, module: &str) -> Result<(Vec<u8>, String)> {
    let mut renamed = Vec::new();
    let mut out = wasm.get(..8).ok_or("not a wasm module")?.to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        let (size, payload_at) = leb(wasm, at + 1)?;
        let end = payload_at + size;
        let payload = wasm
            .get(payload_at..end)
            .ok_or("a section runs past the end")?;
        if id == IMPORT_SECTION {
            let section = rename_imports(payload, module, &mut renamed)?;
            out.push(id);
            write_leb(&mut out, section.len());
            out.extend(section);
        } else {
            out.extend(&wasm[at..end]);
        }
        at = end;
    }
    let mut js = js.to_owned();
    for (old, new) in &renamed {
        if js.matches(old.as_str()).count() != 1 {
            return Err(format!("the JS glue does not name the import {old} once"));
        }
        js = js.replace(old.as_str(), new);
    }
    Ok((out, js))
}

const IMPORT_SECTION: u8 = 2;

fn rename_imports(
    payload: &[u8],
    module: &str,
    renamed: &mut Vec<(String, String)>,
) -> Result<Vec<u8>> {
    let (count, mut at) = leb(payload, 0)?;
    let mut out = Vec::with_capacity(payload.len());
    write_leb(&mut out, count);
    for _ in 0..count {
        let (from, next) = name(payload, at)?;
        let (field, next) = name(payload, next)?;
        let desc_end = skip_import_desc(payload, next)?;
        let field = if from == module {
            let short = short_name(renamed.len());
            renamed.push((field.to_owned(), short.clone()));
            short
        } else {
            field.to_owned()
        };
        for text in [from, field.as_str()] {
            write_leb(&mut out, text.len());
            out.extend(text.as_bytes());
        }
        out.extend(&payload[next..desc_end]);
        at = desc_end;
    }
    Ok(out)
}

/// `$0`, `$1`, … `$z`, `$10`, …: valid JS identifiers that no wasm-bindgen name takes.
fn short_name(mut n: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    loop {
        digits.push(DIGITS[n % DIGITS.len()]);
        n /= DIGITS.len();
        if n == 0 {
            break;
        }
    }
    digits.reverse();
    format!("${}", String::from_utf8_lossy(&digits))
}

/// Where an import's description ends: a function's type, a table, a memory, a global or a tag.
fn skip_import_desc(bytes: &[u8], at: usize) -> Result<usize> {
    let kind = *bytes.get(at).ok_or("an import without a kind")?;
    let limits = |at: usize| -> Result<usize> {
        let flags = *bytes.get(at).ok_or("limits without flags")?;
        let (_, at) = leb(bytes, at + 1)?;
        Ok(if flags & 1 == 1 {
            leb(bytes, at)?.1
        } else {
            at
        })
    };
    match kind {
        0 => Ok(leb(bytes, at + 1)?.1),
        1 => limits(at + 2),
        2 => limits(at + 1),
        3 => Ok(at + 3),
        4 => Ok(leb(bytes, at + 2)?.1),
        other => Err(format!("an import of unknown kind {other}")),
    }
}

fn name(bytes: &[u8], at: usize) -> Result<(&str, usize)> {
    let (len, at) = leb(bytes, at)?;
    let text = bytes.get(at..at + len).ok_or("a name runs past the end")?;
    let text = std::str::from_utf8(text).map_err(|_| "a name that is not UTF-8")?;
    Ok((text, at + len))
}

fn leb(bytes: &[u8], mut at: usize) -> Result<(usize, usize)> {
    let mut value = 0usize;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(at).ok_or("a number runs past the end")?;
        at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, at));
        }
        shift += 7;
        if shift > 35 {
            return Err("a number too long".into());
        }
    }
}

fn write_leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing two functions from the glue and a memory from elsewhere.
    fn module() -> Vec<u8> {
        let mut imports = vec![3];
        for (from, field, desc) in [
            ("./app_bg.js", "__wbg_log_0123456789abcdef", vec![0, 0]),
            ("./app_bg.js", "__wbg_now_fedcba9876543210", vec![0, 1]),
            ("env", "memory", vec![2, 1, 17, 32]),
        ] {
            for text in [from, field] {
                imports.push(text.len() as u8);
                imports.extend(text.as_bytes());
            }
            imports.extend(desc);
        }
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([1, 4, 1, 0x60, 0, 0]); // a type section: one () -> ()
        wasm.push(IMPORT_SECTION);
        write_leb(&mut wasm, imports.len());
        wasm.extend(imports);
        wasm
    }

    #[test]
    fn renames_the_glue_imports_in_both_files_and_nothing_else() {
        let js = "const i={__proto__:null,__wbg_log_0123456789abcdef:function(a){},\
                  __wbg_now_fedcba9876543210(){return 1}};";
        let (wasm, js) = shorten(&module(), js, "./app_bg.js").unwrap();
        assert_eq!(
            js,
            "const i={__proto__:null,$0:function(a){},$1(){return 1}};"
        );
        let section = &wasm[14..];
        let (size, at) = leb(section, 1).unwrap();
        let mut names = Vec::new();
        let (count, mut next) = leb(&section[at..at + size], 0).unwrap();
        for _ in 0..count {
            let payload = &section[at..at + size];
            let (from, after) = name(payload, next).unwrap();
            let (field, after) = name(payload, after).unwrap();
            names.push(format!("{from} {field}"));
            next = skip_import_desc(payload, after).unwrap();
        }
        assert_eq!(names, ["./app_bg.js $0", "./app_bg.js $1", "env memory"]);
        assert_eq!(
            at + size,
            wasm.len() - 14,
            "the section is the rest of the module"
        );
    }

    #[test]
    fn refuses_glue_that_does_not_name_an_import_once() {
        let js = "const i={__wbg_log_0123456789abcdef:function(a){}};";
        assert!(shorten(&module(), js, "./app_bg.js").is_err());
    }

    #[test]
    fn short_names_are_distinct_identifiers() {
        let names: std::collections::HashSet<_> = (0..2000).map(short_name).collect();
        assert_eq!(names.len(), 2000);
        assert_eq!(short_name(35), "$z");
        assert_eq!(short_name(36), "$10");
    }
}
