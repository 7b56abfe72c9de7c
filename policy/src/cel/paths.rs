//! Which parts of each variable an expression reads, so that binding converts only
//! those (binding whole claims trees was most of an appraisal's cost).
//!
//! A read is a chain of field selections from a variable, `snp.policy.debug`: the
//! selected field is needed with everything under it. A variable used any other way
//! (`snp` alone, `snp.tcb.all(…)`'s range, `svnAtLeast(snp.reported_tcb, …)`'s
//! argument) needs that value whole. Reading too much only costs time; reading too
//! little would change what an expression sees (`has()` would turn false), so the
//! collection errs towards whole values: a comprehension variable that shadows a
//! top-level name adds that name's paths too.

use std::collections::BTreeMap;

use cel::common::ast::{Expr, IdedExpr};

use super::check::for_each_child;

/// The part of a value that expressions read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    /// All of it.
    Whole,
    /// These fields (or map entries) only, each as far as it is read; an object or
    /// map converted under this need holds no other member.
    Fields(BTreeMap<String, Self>),
}

impl Default for Need {
    /// Nothing yet: [`Need::add`] widens it.
    fn default() -> Self {
        Self::Fields(BTreeMap::new())
    }
}

impl Need {
    /// Widens the need by the value at `path` (field names below the variable), whole.
    pub fn add<S: AsRef<str>>(&mut self, path: &[S]) {
        match self {
            Self::Whole => {}
            Self::Fields(fields) => match path.split_first() {
                None => *self = Self::Whole,
                Some((first, rest)) => fields
                    .entry(first.as_ref().to_owned())
                    .or_default()
                    .add(rest),
            },
        }
    }

    /// Widens the need by everything `other` needs.
    pub fn merge(&mut self, other: &Self) {
        match (&mut *self, other) {
            (Self::Whole, _) => {}
            (_, Self::Whole) => *self = Self::Whole,
            (Self::Fields(mine), Self::Fields(theirs)) => {
                for (name, need) in theirs {
                    mine.entry(name.clone()).or_default().merge(need);
                }
            }
        }
    }

    /// What is needed of member `name` of a value needed this way: `None` when nothing
    /// is.
    pub fn field(&self, name: &str) -> Option<&Self> {
        match self {
            Self::Whole => Some(&Self::Whole),
            Self::Fields(fields) => fields.get(name),
        }
    }
}

/// Every read in `expr`: the variable (or comprehension variable) and the fields
/// selected from it, outermost last. `has(a.b)` reads `a.b`.
pub(crate) fn reads(expr: &IdedExpr) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    collect(expr, &mut out);
    out
}

fn collect(e: &IdedExpr, out: &mut Vec<(String, Vec<String>)>) {
    if let Some(read) = chain(e) {
        out.push(read);
        return;
    }
    if let Expr::Select(select) = &e.expr {
        // A test (`has`) of a chain reads the tested field like a selection would.
        if let Some((root, mut fields)) = chain(&select.operand) {
            fields.push(select.field.clone());
            out.push((root, fields));
            return;
        }
    }
    for_each_child(e, &mut |child| collect(child, out));
}

/// `a.b.c` as (`a`, [`b`, `c`]); `None` for anything but selections from a name.
fn chain(e: &IdedExpr) -> Option<(String, Vec<String>)> {
    match &e.expr {
        Expr::Ident(name) => Some((name.clone(), Vec::new())),
        Expr::Select(select) if !select.test => {
            let (root, mut fields) = chain(&select.operand)?;
            fields.push(select.field.clone());
            Some((root, fields))
        }
        _ => None,
    }
}
