//! The claim schema policies are checked against, docs/claims.md and the types there
//! agree (the verifier's own test ties docs/claims.md to the serialized claims).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use policy::cel::Type;
use policy::schema::{Section, SNP_TCB_FIELDS};

/// Every leaf path of the schema below `prefix`, with its type.
fn leaves(prefix: &str, ty: &Type, out: &mut BTreeMap<String, Type>) {
    match ty {
        Type::Object(obj) => {
            for (name, t) in obj.fields() {
                leaves(&format!("{prefix}.{name}"), t, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), other.clone());
        }
    }
}

/// Documented rows: path → the type column.
fn documented() -> BTreeMap<String, String> {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/claims.md"),
    )
    .unwrap();
    let claims_part = doc.split("## Warnings").next().unwrap();
    let mut out = BTreeMap::new();
    for line in claims_part.lines().filter(|l| l.starts_with("| `")) {
        let mut cols = line.split('|').map(str::trim);
        cols.next();
        let name = cols.next().unwrap().trim_matches('`').to_owned();
        let ty = cols.next().unwrap().to_owned();
        if name == "tee" {
            continue;
        }
        if let Some((head, rest)) = name.split_once(".{") {
            for f in rest.trim_end_matches('}').split(',') {
                out.insert(format!("{head}.{f}"), ty.clone());
            }
        } else if let Some(head) = name.strip_suffix(".*") {
            // `x.*` is a TCB (its component fields) or a map of hex values keyed by
            // index (`gpu.measurements`, `tpm.pcrs`).
            if !head.ends_with("_tcb") {
                out.insert(head.to_owned(), "hexmap".to_owned());
            } else {
                for f in SNP_TCB_FIELDS {
                    let t = if f == "raw" { "hex" } else { "int" };
                    out.insert(format!("{head}.{f}"), t.to_owned());
                }
            }
        } else {
            out.insert(name, ty);
        }
    }
    out
}

fn compatible(doc_type: &str, ty: &Type) -> bool {
    let doc_type = doc_type.split(' ').next().unwrap_or_default();
    match doc_type {
        // Rows of several fields with different types (`tdx.tcb_launch.{…}`).
        "" => true,
        "int" => *ty == Type::Int,
        "bool" => *ty == Type::Bool,
        "string" | "hex" => *ty == Type::String,
        "time" => *ty == Type::Timestamp,
        "hexmap" => *ty == Type::Map(Box::new(Type::String)),
        "hex[4]" | "string[]" => *ty == Type::List(Box::new(Type::String)),
        "int[]" | "int[16]" => *ty == Type::List(Box::new(Type::Int)),
        "object[]" => matches!(ty, Type::List(inner) if matches!(**inner, Type::Object(_))),
        _ => false,
    }
}

#[test]
fn schema_and_claims_doc_list_the_same_typed_claims() {
    let doc = documented();
    let mut schema = BTreeMap::new();
    // Azure sections share their hardware variable with the plain kind (`snp`): the
    // schema is one per variable, whichever section declares it.
    for section in Section::ALL {
        for (name, ty) in section.claim_variables() {
            let mut own = BTreeMap::new();
            leaves(name, &ty, &mut own);
            for (path, ty) in own {
                if let Some(other) = schema.insert(path.clone(), ty.clone()) {
                    assert_eq!(other, ty, "{path}: typed differently in two sections");
                }
            }
        }
    }
    let missing: Vec<&String> = doc.keys().filter(|k| !schema.contains_key(*k)).collect();
    let undocumented: Vec<&String> = schema.keys().filter(|k| !doc.contains_key(*k)).collect();
    assert!(
        missing.is_empty(),
        "documented claims missing from the schema: {missing:?}"
    );
    assert!(
        undocumented.is_empty(),
        "schema claims missing from docs/claims.md: {undocumented:?}"
    );
    let mismatched: Vec<String> = doc
        .iter()
        .filter(|(path, t)| !compatible(t, &schema[*path]))
        .map(|(path, t)| format!("{path}: documented `{t}`, schema {}", schema[path].name()))
        .collect();
    assert!(mismatched.is_empty(), "{mismatched:#?}");
}
