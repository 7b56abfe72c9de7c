//! Which parts of each variable an expression reads, so that binding converts only
//! those (binding whole claims trees was most of an appraisal's cost).
//!
//! A read is a chain of field selections from a variable, `snp.policy.debug`: the
//! selected field is needed with everything under it. A list that a comprehension
//! ranges over (`gpu.ocsp.all(c, c.status == "good")`) needs of each item what the
//! loop reads of its variable (`status`). A variable used any other way (`snp` alone,
//! `svnAtLeast(snp.reported_tcb, …)`'s argument) needs that value whole. Reading too
//! much only costs time; reading too little would change what an expression sees
//! (`has()` would turn false), so the collection errs towards whole values: a
//! comprehension variable that shadows a top-level name adds that name's paths too, a
//! loop variable that is used bare makes its items needed whole, and a two-variable
//! comprehension needs its range whole.

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
    /// Each item of a list, as far as this says (what a comprehension over it reads of
    /// its loop variable). Anything but a list is needed whole: a comprehension over a
    /// map ranges over its keys, and whatever its body reads of the map is a read of
    /// its own.
    Items(Box<Self>),
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
        self.add_at(path, &Self::Whole);
    }

    /// Widens the need by `tail` of the value at `path`.
    pub(crate) fn add_at<S: AsRef<str>>(&mut self, path: &[S], tail: &Self) {
        match path.split_first() {
            None => self.merge(tail),
            Some((first, rest)) => match self {
                Self::Whole => {}
                Self::Fields(fields) => fields
                    .entry(first.as_ref().to_owned())
                    .or_default()
                    .add_at(rest, tail),
                // A field of what is also ranged over as a list: it is not a list after
                // all (or the checker would have refused the selection), so keep it all.
                Self::Items(_) => *self = Self::Whole,
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
            (Self::Items(mine), Self::Items(theirs)) => mine.merge(theirs),
            // Nothing yet, then items: the items.
            (Self::Fields(mine), Self::Items(_)) if mine.is_empty() => *self = other.clone(),
            (Self::Items(_), Self::Fields(theirs)) if theirs.is_empty() => {}
            // Both selected from and ranged over: a value that is not a list, read
            // whole rather than guessed at.
            (Self::Fields(_) | Self::Items(_), Self::Fields(_) | Self::Items(_)) => {
                *self = Self::Whole;
            }
        }
    }

    /// What is needed of member `name` of a value needed this way: `None` when nothing
    /// is.
    pub fn field(&self, name: &str) -> Option<&Self> {
        match self {
            Self::Whole | Self::Items(_) => Some(&Self::Whole),
            Self::Fields(fields) => fields.get(name),
        }
    }

    /// What is needed of each item of a list needed this way.
    pub fn item(&self) -> &Self {
        match self {
            Self::Items(item) => item,
            Self::Whole | Self::Fields(_) => &Self::Whole,
        }
    }
}

/// One read: the variable, the fields selected from it (outermost last), and what is
/// needed of the value they select.
pub(crate) struct Read {
    pub(crate) root: String,
    pub(crate) fields: Vec<String>,
    pub(crate) need: Need,
}

/// Every read in `expr`: the variable (or comprehension variable), the fields selected
/// from it, and what of that is needed. `has(a.b)` reads `a.b`.
pub(crate) fn reads(expr: &IdedExpr) -> Vec<Read> {
    let mut out = Vec::new();
    collect(expr, &mut out);
    out
}

fn collect(e: &IdedExpr, out: &mut Vec<Read>) {
    let whole = |(root, fields): (String, Vec<String>)| Read {
        root,
        fields,
        need: Need::Whole,
    };
    if let Some(read) = chain(e) {
        out.push(whole(read));
        return;
    }
    match &e.expr {
        Expr::Select(select) => {
            // A test (`has`) of a chain reads the tested field like a selection would.
            if let Some((root, mut fields)) = chain(&select.operand) {
                fields.push(select.field.clone());
                out.push(whole((root, fields)));
                return;
            }
        }
        Expr::Comprehension(c) if c.iter_var2.is_none() => {
            if let Some((root, fields)) = chain(&c.iter_range) {
                // The body's reads, its loop variable's among them (a top-level name
                // the variable shadows is widened by them too: too much, never too
                // little).
                let mut body = Vec::new();
                for part in [&c.accu_init, &c.loop_cond, &c.loop_step, &c.result] {
                    collect(part, &mut body);
                }
                let mut item = Need::default();
                for read in body.iter().filter(|r| r.root == c.iter_var) {
                    item.add_at(&read.fields, &read.need);
                }
                out.push(Read {
                    root,
                    fields,
                    need: Need::Items(Box::new(item)),
                });
                out.append(&mut body);
                return;
            }
        }
        _ => {}
    }
    for_each_child(e, &mut |child| collect(child, out));
}

/// `a.b.c` as (`a`, [`b`, `c`]); `None` for anything but selections from a name.
pub(crate) fn chain(e: &IdedExpr) -> Option<(String, Vec<String>)> {
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
