//! The module import graph of one crate, read from its source, and the cycles in it.
//!
//! Included by a crate's integration test (`#[path = "../../../tests/module_graph.rs"] mod
//! module_graph;`), which reads its own `src/` and fails on a cycle between modules: module A
//! reaching B (through `use` or an inline path) while B reaches A, directly or through others.
//! A cycle means neither module can be read, tested or moved without the other; the fix is
//! usually a leaf module that both import.
//!
//! What counts as an import: a path starting with `crate::`, `super::`, `self::`, or a child
//! module's name, in code (comments and string literals are ignored), inside `use` trees and
//! anywhere else (types, calls, macro arguments). A path names the deepest module it reaches; an
//! item a module re-exports with `pub use` leads to the module that defines it. `mod x;` is not an
//! import. An inline module (`mod tests { … }`) is a module of its own, as the compiler sees it:
//! nothing imports a test module, so what it imports closes no loop. Paths built by macros from
//! fragments are not seen.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// A module path inside the crate: `[]` is the crate root, `["generator", "build"]` is
/// `crate::generator::build`.
pub type ModPath = Vec<String>;

/// A module's path as a reader writes it (`crate`, `generator::build`).
pub fn display(path: &[String]) -> String {
    if path.is_empty() {
        "crate".to_owned()
    } else {
        path.join("::")
    }
}

/// Why a crate's modules could not be read.
#[derive(Debug)]
pub struct ReadError(String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One place a module reaches another: where, and the path written there.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The file, relative to `src/`, and its line.
    pub at: String,
    /// The path as written (`crate::index::str_at`).
    pub path: String,
}

/// Modules and which reaches which.
#[derive(Debug, Default)]
pub struct ModuleGraph {
    /// Every module, with its file relative to `src/`.
    pub modules: BTreeMap<ModPath, String>,
    /// `from -> to -> the first place from reaches to`.
    pub edges: BTreeMap<ModPath, BTreeMap<ModPath, Evidence>>,
}

/// A cycle: `modules[0]` reaches `modules[1]` … reaches `modules[0]`, each step with its evidence.
#[derive(Debug)]
pub struct Cycle {
    /// The modules in order.
    pub modules: Vec<ModPath>,
    /// `steps[i]` is where `modules[i]` reaches `modules[i + 1]` (wrapping).
    pub steps: Vec<Evidence>,
    /// Every module in the group that reach each other, this loop's and others'.
    pub group: Vec<ModPath>,
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<String> = self.modules.iter().map(|m| display(m)).collect();
        if let Some(first) = names.first().cloned() {
            names.push(first);
        }
        write!(f, "{}", names.join(" -> "))?;
        if self.group.len() > self.modules.len() {
            let group: Vec<String> = self.group.iter().map(|m| display(m)).collect();
            write!(f, " (one loop of several among {})", group.join(", "))?;
        }
        for (i, step) in self.steps.iter().enumerate() {
            let to = &self.modules[(i + 1) % self.modules.len()];
            write!(
                f,
                "\n    {} reaches {} at {}: `{}`",
                display(&self.modules[i]),
                display(to),
                step.at,
                step.path
            )?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(char),
    /// `::`
    Sep,
}

/// Source with comments and string/char literals blanked (newlines kept, so lines still count).
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        if c[i] == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if (c[i] == 'r' || (c[i] == 'b' && at(i + 1) == 'r'))
            && !at(i.wrapping_sub(1)).is_alphanumeric()
            && at(i.wrapping_sub(1)) != '_'
            && {
                let mut k = i + if c[i] == 'b' { 2 } else { 1 };
                while at(k) == '#' {
                    k += 1;
                }
                at(k) == '"'
            }
        {
            // Raw string: r"…", r#"…"#, br"…".
            let mut k = i + if c[i] == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            k += 1;
            loop {
                if k >= c.len() {
                    break;
                }
                if c[k] == '"' && (1..=hashes).all(|h| at(k + h) == '#') {
                    k += 1 + hashes;
                    break;
                }
                k += 1;
            }
            for &ch in &c[i..k.min(c.len())] {
                blank(&mut out, ch);
            }
            i = k;
        } else if c[i] == '"' {
            blank(&mut out, c[i]);
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    blank(&mut out, c[i]);
                    i += 1;
                }
                if i < c.len() {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
            if i < c.len() {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '\'' && (at(i + 1) == '\\' || (at(i + 2) == '\'' && at(i + 1) != '\'')) {
            // A char literal ('x', '\n', '\u{1F600}', '\''); a lifetime ('a) is left alone.
            blank(&mut out, c[i]);
            i += 1;
            if at(i) == '\\' {
                blank(&mut out, c[i]);
                i += 1;
                if i < c.len() {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
            while i < c.len() && c[i] != '\'' {
                blank(&mut out, c[i]);
                i += 1;
            }
            if i < c.len() {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn tokens(clean: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = clean.chars().collect();
    let mut toks = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            toks.push((Tok::Ident(c[start..i].iter().collect()), line));
        } else if ch.is_ascii_digit() {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == '.') {
                i += 1;
            }
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            toks.push((Tok::Sep, line));
            i += 2;
        } else if ch == '\'' {
            // A lifetime or label: skip its name so it is not read as an identifier.
            i += 1;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
        } else {
            toks.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    toks
}

/// A path as written, before it is resolved.
#[derive(Debug, Clone)]
struct Written {
    /// The module it is written in (file module, then inline modules).
    context: ModPath,
    segments: Vec<String>,
    line: usize,
}

#[derive(Debug, Default)]
struct FileScan {
    /// `mod x;` at the file's top level.
    children: Vec<String>,
    /// Inline modules (`mod tests { … }`), as paths under the file module.
    inline: Vec<ModPath>,
    paths: Vec<Written>,
    /// `pub use …` leaves: (module they are in, name, the path they name).
    reexports: Vec<(ModPath, String, Written)>,
}

fn ident(toks: &[(Tok, usize)], i: usize) -> Option<&str> {
    match toks.get(i) {
        Some((Tok::Ident(s), _)) => Some(s),
        _ => None,
    }
}

fn punct(toks: &[(Tok, usize)], i: usize, p: char) -> bool {
    matches!(toks.get(i), Some((Tok::Punct(q), _)) if *q == p)
}

/// Reads a `use` tree from `i` (just after `use`) to its `;`, as full paths with their names.
fn use_tree(
    toks: &[(Tok, usize)],
    i: &mut usize,
    prefix: &[String],
    out: &mut Vec<(Vec<String>, String, usize)>,
) {
    let mut segs: Vec<String> = prefix.to_vec();
    let mut line = toks.get(*i).map(|t| t.1).unwrap_or(0);
    while *i < toks.len() {
        match &toks[*i] {
            (Tok::Ident(s), l) if s == "as" => {
                *i += 1;
                if let Some(alias) = ident(toks, *i) {
                    out.push((segs.clone(), alias.to_owned(), *l));
                    segs.clear();
                }
                *i += 1;
            }
            (Tok::Ident(s), l) => {
                if segs.len() == prefix.len() {
                    line = *l;
                }
                segs.push(s.clone());
                *i += 1;
            }
            (Tok::Sep, _) => *i += 1,
            (Tok::Punct('{'), _) => {
                *i += 1;
                let base = segs.clone();
                loop {
                    use_tree(toks, i, &base, out);
                    if punct(toks, *i, ',') {
                        *i += 1;
                        if punct(toks, *i, '}') {
                            *i += 1;
                            break;
                        }
                    } else {
                        *i += 1; // the closing brace
                        break;
                    }
                }
                segs.clear();
            }
            (Tok::Punct('*'), l) => {
                out.push((segs.clone(), "*".to_owned(), *l));
                segs.clear();
                *i += 1;
            }
            (Tok::Punct(',' | '}' | ';'), _) => break,
            _ => *i += 1,
        }
    }
    if segs.len() > prefix.len() {
        let name = match segs.last() {
            Some(last) if last == "self" => segs[segs.len() - 2..][0].clone(),
            Some(last) => last.clone(),
            None => String::new(),
        };
        out.push((segs, name, line));
    }
}

fn scan(file_module: &[String], src: &str) -> FileScan {
    let toks = tokens(&strip(src));
    let mut scan = FileScan::default();
    // Inline modules open at a brace depth: (name, depth inside it).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let context = |inline: &[(String, usize)]| -> ModPath {
        let mut m = file_module.to_vec();
        m.extend(inline.iter().map(|(n, _)| n.clone()));
        m
    };
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            (Tok::Punct('{'), _) => {
                depth += 1;
                i += 1;
            }
            (Tok::Punct('}'), _) => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            (Tok::Ident(kw), _) if kw == "mod" => {
                if let Some(name) = ident(&toks, i + 1) {
                    if punct(&toks, i + 2, ';') && inline.is_empty() && depth == 0 {
                        scan.children.push(name.to_owned());
                    } else if punct(&toks, i + 2, '{') {
                        inline.push((name.to_owned(), depth + 1));
                        let mut m = context(&inline);
                        scan.inline.push(m.split_off(file_module.len()));
                    }
                }
                i += 2;
            }
            (Tok::Ident(kw), _) if kw == "use" => {
                let public = i > 0
                    && (ident(&toks, i - 1) == Some("pub")
                        || (punct(&toks, i - 1, ')')
                            && (1..=4).any(|back| {
                                i > back && ident(&toks, i - back - 1) == Some("pub")
                            })));
                i += 1;
                let mut leaves = Vec::new();
                use_tree(&toks, &mut i, &[], &mut leaves);
                let ctx = context(&inline);
                for (segments, name, line) in leaves {
                    let written = Written {
                        context: ctx.clone(),
                        segments,
                        line,
                    };
                    if public && name != "*" {
                        scan.reexports.push((ctx.clone(), name, written.clone()));
                    }
                    scan.paths.push(written);
                }
            }
            (Tok::Ident(first), line) if matches!(toks.get(i + 1), Some((Tok::Sep, _))) => {
                // A path in code: `a::b::c`, unless it continues one (`x::a::b`).
                let continues = matches!(toks.get(i.wrapping_sub(1)), Some((Tok::Sep, _)));
                let mut segments = vec![first.clone()];
                let line = *line;
                i += 1;
                while matches!(toks.get(i), Some((Tok::Sep, _))) {
                    match ident(&toks, i + 1) {
                        Some(s) => {
                            segments.push(s.to_owned());
                            i += 2;
                        }
                        None => break,
                    }
                }
                if !continues {
                    scan.paths.push(Written {
                        context: context(&inline),
                        segments,
                        line,
                    });
                }
            }
            _ => i += 1,
        }
    }
    scan
}

/// Where to find a module's source files: by path relative to `src/`.
pub trait Sources {
    /// The text of `relative` (e.g. `generator/mod.rs`), or `None` when there is no such file.
    fn read(&self, relative: &str) -> Option<String>;
}

impl Sources for Path {
    fn read(&self, relative: &str) -> Option<String> {
        std::fs::read_to_string(self.join(relative)).ok()
    }
}

impl Sources for BTreeMap<&str, &str> {
    fn read(&self, relative: &str) -> Option<String> {
        self.get(relative).map(|s| (*s).to_owned())
    }
}

impl ModuleGraph {
    /// Reads a library crate from `src/lib.rs` down through every `mod x;` it declares.
    pub fn read(sources: &(impl Sources + ?Sized)) -> Result<Self, ReadError> {
        let mut graph = ModuleGraph::default();
        // Every module, file or inline, and what each file holds.
        let mut known: BTreeSet<ModPath> = BTreeSet::new();
        let mut scans: Vec<(ModPath, String, FileScan)> = Vec::new();
        let mut queue: Vec<(ModPath, String, PathBuf)> =
            vec![(Vec::new(), "lib.rs".to_owned(), PathBuf::new())];
        while let Some((module, file, dir)) = queue.pop() {
            let text = sources
                .read(&file)
                .ok_or_else(|| ReadError(format!("cannot read src/{file}")))?;
            let scanned = scan(&module, &text);
            known.insert(module.clone());
            for inline in &scanned.inline {
                let mut m = module.clone();
                m.extend(inline.iter().cloned());
                known.insert(m.clone());
                graph.modules.insert(m, format!("{file} (inline)"));
            }
            for child in &scanned.children {
                let child_dir = dir.join(child);
                let flat = dir.join(format!("{child}.rs"));
                let nested = child_dir.join("mod.rs");
                let flat_name = flat.to_string_lossy().replace('\\', "/");
                let nested_name = nested.to_string_lossy().replace('\\', "/");
                let (child_file, grand_dir) = if sources.read(&flat_name).is_some() {
                    (flat_name, child_dir)
                } else if sources.read(&nested_name).is_some() {
                    (nested_name, child_dir)
                } else {
                    return Err(ReadError(format!(
                        "src/{file} declares `mod {child};` but neither src/{flat_name} nor \
                         src/{nested_name} exists"
                    )));
                };
                let mut m = module.clone();
                m.push(child.clone());
                queue.push((m, child_file, grand_dir));
            }
            graph.modules.insert(module.clone(), file.clone());
            scans.push((module, file, scanned));
        }
        let reexports: BTreeMap<(ModPath, String), Written> = scans
            .iter()
            .flat_map(|(_, _, s)| s.reexports.iter())
            .map(|(m, name, w)| ((m.clone(), name.clone()), w.clone()))
            .collect();
        for (_, file, scanned) in &scans {
            for written in &scanned.paths {
                let Some(target) = resolve(written, &known, &reexports, 0) else {
                    continue;
                };
                if target == written.context {
                    continue;
                }
                graph
                    .edges
                    .entry(written.context.clone())
                    .or_default()
                    .entry(target)
                    .or_insert_with(|| Evidence {
                        at: format!("src/{file}:{}", written.line),
                        path: written
                            .segments
                            .iter()
                            .filter(|s| *s != "self" || written.segments.len() == 1)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join("::"),
                    });
            }
        }
        Ok(graph)
    }

    /// Every cycle, one per group of modules that reach each other (a strongly connected
    /// component), shown as the shortest loop through its first module.
    pub fn cycles(&self) -> Vec<Cycle> {
        let nodes: Vec<&ModPath> = self.modules.keys().collect();
        let mut cycles = Vec::new();
        let mut seen: BTreeSet<&ModPath> = BTreeSet::new();
        for start in &nodes {
            if seen.contains(start) {
                continue;
            }
            let component: BTreeSet<&ModPath> = nodes
                .iter()
                .copied()
                .filter(|n| self.reaches(start, n) && self.reaches(n, start))
                .collect();
            seen.extend(component.iter().copied());
            if component.len() < 2 {
                continue;
            }
            if let Some(mut cycle) = self.shortest_loop(start, &component) {
                cycle.group = component.iter().map(|m| (*m).clone()).collect();
                cycles.push(cycle);
            }
        }
        cycles
    }

    fn reaches(&self, from: &ModPath, to: &ModPath) -> bool {
        if from == to {
            return true;
        }
        let mut stack = vec![from];
        let mut visited: BTreeSet<&ModPath> = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if !visited.insert(n) {
                continue;
            }
            for next in self.edges.get(n).into_iter().flat_map(|e| e.keys()) {
                if next == to {
                    return true;
                }
                stack.push(next);
            }
        }
        false
    }

    fn shortest_loop(&self, start: &ModPath, within: &BTreeSet<&ModPath>) -> Option<Cycle> {
        // Breadth first from `start` back to itself, staying inside the component.
        let mut previous: BTreeMap<&ModPath, &ModPath> = BTreeMap::new();
        let mut frontier = vec![start];
        while !frontier.is_empty() {
            let mut next_frontier = Vec::new();
            for n in frontier {
                for next in self.edges.get(n).into_iter().flat_map(|e| e.keys()) {
                    if !within.contains(next) || previous.contains_key(next) {
                        continue;
                    }
                    previous.insert(next, n);
                    if next == start {
                        let mut modules = vec![start.clone()];
                        let mut at = n;
                        while at != start {
                            modules.push(at.clone());
                            at = previous.get(at)?;
                        }
                        modules[1..].reverse();
                        let steps = (0..modules.len())
                            .map(|i| {
                                let to = &modules[(i + 1) % modules.len()];
                                self.edges[&modules[i]][to].clone()
                            })
                            .collect();
                        return Some(Cycle {
                            modules,
                            steps,
                            group: Vec::new(),
                        });
                    }
                    next_frontier.push(next);
                }
            }
            frontier = next_frontier;
        }
        None
    }
}

/// The deepest module a written path reaches, or `None` when it leaves the crate (another
/// crate, `std`, a local type such as `Value::from`).
fn resolve(
    written: &Written,
    known: &BTreeSet<ModPath>,
    reexports: &BTreeMap<(ModPath, String), Written>,
    hops: usize,
) -> Option<ModPath> {
    let segs = &written.segments;
    let first = segs.first()?;
    let (mut at, rest): (ModPath, &[String]) = match first.as_str() {
        "crate" => (Vec::new(), &segs[1..]),
        "self" => (written.context.clone(), &segs[1..]),
        "super" => {
            let mut m = written.context.clone();
            let mut k = 0;
            while segs.get(k).is_some_and(|s| s == "super") {
                m.pop()?;
                k += 1;
            }
            (m, &segs[k..])
        }
        name => {
            let mut child = written.context.clone();
            child.push(name.to_owned());
            if !known.contains(&child) {
                return None;
            }
            (written.context.clone(), &segs[..])
        }
    };
    for seg in rest {
        let mut deeper = at.clone();
        deeper.push(seg.clone());
        if known.contains(&deeper) {
            at = deeper;
            continue;
        }
        if hops < 8 {
            if let Some(target) = reexports.get(&(at.clone(), seg.clone())) {
                return resolve(target, known, reexports, hops + 1);
            }
        }
        break;
    }
    Some(at)
}

/// The cycles in the crate whose `src/` is `src`, as one message per cycle.
pub fn cycles_in(src: &Path) -> Result<Vec<String>, ReadError> {
    let graph = ModuleGraph::read(src)?;
    if graph.modules.len() < 2 {
        return Err(ReadError(format!(
            "read only {} module(s) under {}: the reader is not finding the crate's modules",
            graph.modules.len(),
            src.display()
        )));
    }
    Ok(graph.cycles().iter().map(ToString::to_string).collect())
}

#[test]
fn a_cycle_through_use_inline_paths_and_reexports_is_found_and_named() {
    let files: BTreeMap<&str, &str> = BTreeMap::from([
        (
            "lib.rs",
            "mod a;\nmod b;\nmod gen;\nmod leaf;\npub use b::Thing;\n// crate::a in a comment\n",
        ),
        (
            "a.rs",
            "use crate::leaf::f;\npub fn g() { crate::Thing::new(); }\n",
        ),
        (
            "b.rs",
            "pub struct Thing;\nfn h() { let s = \"crate::leaf\"; crate::a::g(); }\n",
        ),
        ("leaf.rs", "pub fn f<'a>(x: &'a str) -> char { 'x' }\n"),
        (
            "gen/mod.rs",
            "mod build;\nmod plan;\npub fn run() { build::go() }\n",
        ),
        (
            "gen/build.rs",
            "use super::{plan::{self, P}, run};\npub fn go() {}\n",
        ),
        (
            "gen/plan.rs",
            "pub struct P;\n#[cfg(test)]\nmod tests { use super::*; }\n",
        ),
    ]);
    let graph = ModuleGraph::read(&files).expect("the crate reads");
    let cycles: Vec<String> = graph.cycles().iter().map(ToString::to_string).collect();
    assert_eq!(cycles.len(), 2, "{cycles:#?}");
    assert!(cycles[0].starts_with("a -> b -> a"), "{}", cycles[0]);
    assert!(
        cycles[0].contains("a reaches b at src/a.rs:2: `crate::Thing::new`"),
        "{}",
        cycles[0]
    );
    assert!(cycles[0].contains("b reaches a at src/b.rs:2: `crate::a::g`"));
    assert!(
        cycles[1].starts_with("gen -> gen::build -> gen"),
        "{}",
        cycles[1]
    );
    // The leaf is reached and reaches nothing; the string and the comment count for nothing.
    let into_leaf =
        |m: &str| graph.edges[&vec![m.to_owned()]].contains_key(&vec!["leaf".to_owned()]);
    assert!(into_leaf("a"));
    assert!(!into_leaf("b"));
    assert!(!graph.edges.contains_key(&vec!["leaf".to_owned()]));
}

#[test]
fn a_crate_without_cycles_has_none_even_when_a_test_module_imports_an_importer() {
    let files: BTreeMap<&str, &str> = BTreeMap::from([
        ("lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
        ("a.rs", "use crate::b::B;\npub struct A(B);\n"),
        (
            "b.rs",
            "pub struct B;\n#[cfg(test)]\nmod tests { use super::*; use crate::A; }\n",
        ),
    ]);
    let graph = ModuleGraph::read(&files).expect("the crate reads");
    assert!(graph.cycles().is_empty(), "{:?}", graph.edges);
    assert!(graph.edges[&vec!["a".to_owned()]].contains_key(&vec!["b".to_owned()]));
    // b's test module imports a, which imports b: a test module closes no loop.
    let tests = vec!["b".to_owned(), "tests".to_owned()];
    assert!(graph.edges[&tests].contains_key(&vec!["a".to_owned()]));
}
