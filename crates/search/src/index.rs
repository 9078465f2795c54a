//! The post index: one tantivy index in the data dir (or in memory for tests).
//!
//! Audience first: every document carries the *reader keys* that may find it — `p` for
//! anyone (public posts of indexable authors), `f<author>` for the author's followers,
//! `o<author>` for the author, `m<account>` for each mentioned account, `c<list>` for a
//! circle's members. A search is always intersected with the keys the viewer holds, so a
//! post outside the viewer's reach is never even a candidate. The app then applies the one
//! audience rule (`may_see_status`) to what comes back, which also covers blocks, mutuals
//! and suspensions that change after indexing.

use std::ops::Bound;
use std::path::Path;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analyzer::{ANALYZER, analyzer, terms};
use crate::query::{Has, Is, Scope, SearchQuery, Text};

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(String),
    #[error("search index writer lock poisoned")]
    Poisoned,
    /// Another process (a running server) holds the index's writer lock.
    #[error("the search index is in use by another process")]
    Locked,
}

pub type Result<T> = std::result::Result<T, IndexError>;

/// Who may find a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reader {
    Anyone,
    FollowersOf(i64),
    Owner(i64),
    Mentioned(i64),
    CircleMember(i64),
}

impl Reader {
    fn key(self) -> String {
        match self {
            Reader::Anyone => "p".into(),
            Reader::FollowersOf(a) => format!("f{a}"),
            Reader::Owner(a) => format!("o{a}"),
            Reader::Mentioned(a) => format!("m{a}"),
            Reader::CircleMember(l) => format!("c{l}"),
        }
    }
}

/// What is indexed of one post.
#[derive(Debug, Clone, Default)]
pub struct StatusDoc {
    pub id: i64,
    pub author_id: i64,
    /// Content warning, text, poll options and image descriptions, as plain text.
    pub text: String,
    pub tags: Vec<String>,
    pub readers: Vec<Reader>,
    pub has_media: bool,
    pub has_poll: bool,
    pub has_link: bool,
    pub is_reply: bool,
    pub sensitive: bool,
    pub language: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Relevance,
    Newest,
}

/// One search, with the app's resolutions of the query's references.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub query: &'a SearchQuery,
    /// The keys the viewer holds (`Anyone` only, for anonymous readers).
    pub readers: Vec<Reader>,
    /// Authors named by `from:` and the `account_id` parameter; `Some(empty)` finds nothing.
    pub authors: Option<Vec<i64>>,
    /// Posts in the viewer's library, for `in:library`.
    pub library: Option<Vec<i64>>,
    pub order: SortOrder,
    /// Only posts with ids below `max_id` and above `min_id`.
    pub max_id: Option<i64>,
    pub min_id: Option<i64>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    author: Field,
    text: Field,
    tags: Field,
    readers: Field,
    flags: Field,
    language: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | FAST),
        author: b.add_i64_field("author", INDEXED),
        text: b.add_text_field("text", text_options),
        tags: b.add_text_field("tags", STRING),
        readers: b.add_text_field("readers", STRING),
        flags: b.add_text_field("flags", STRING),
        language: b.add_text_field("language", STRING),
    };
    (b.build(), fields)
}

/// The embedded post index. One writer per process; searches run concurrently with writes.
pub struct SearchIndex {
    reader: IndexReader,
    writer: RwLock<IndexWriter>,
    fields: Fields,
    /// Changes made so far (a counter), and how many of them a commit has made durable.
    changed: AtomicU64,
    committed: AtomicU64,
}

/// How much the writer may use: a running server keeps it small (its memory is resident
/// for the life of the process); a full rebuild uses every core and a larger buffer.
#[derive(Debug, Clone, Copy)]
pub struct WriterOptions {
    pub threads: usize,
    /// In total, across threads (tantivy needs at least 15 MB per thread).
    pub heap_bytes: usize,
}

impl WriterOptions {
    pub fn serving() -> WriterOptions {
        WriterOptions { threads: 1, heap_bytes: 32 * 1024 * 1024 }
    }

    pub fn bulk() -> WriterOptions {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
        WriterOptions { threads, heap_bytes: threads * 128 * 1024 * 1024 }
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and the directory) if absent.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        SearchIndex::open_with(dir, WriterOptions::serving())
    }

    pub fn open_with(dir: &Path, options: WriterOptions) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir).map_err(|e| IndexError::Directory(format!("{}: {e}", dir.display())))?;
        let (schema, _) = schema();
        let directory =
            tantivy::directory::MmapDirectory::open(dir).map_err(|e| IndexError::Directory(e.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        SearchIndex::with_index(index, options)
    }

    /// An index held in memory, for tests and benchmarks.
    pub fn in_memory() -> Result<SearchIndex> {
        SearchIndex::with_index(
            Index::create_in_ram(schema().0),
            WriterOptions { threads: 1, heap_bytes: 16 * 1024 * 1024 },
        )
    }

    fn with_index(index: Index, options: WriterOptions) -> Result<SearchIndex> {
        index.tokenizers().register(ANALYZER, analyzer());
        let fields = schema().1;
        let writer = match index.writer_with_num_threads(options.threads, options.heap_bytes) {
            Err(tantivy::TantivyError::LockFailure(..)) => return Err(IndexError::Locked),
            other => other?,
        };
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex {
            reader,
            writer: RwLock::new(writer),
            fields,
            changed: AtomicU64::new(0),
            committed: AtomicU64::new(0),
        })
    }

    fn document(&self, doc: &StatusDoc) -> TantivyDocument {
        let f = self.fields;
        let mut d = TantivyDocument::new();
        d.add_i64(f.id, doc.id);
        d.add_i64(f.author, doc.author_id);
        d.add_text(f.text, &doc.text);
        for t in &doc.tags {
            d.add_text(f.tags, t.to_lowercase());
        }
        for r in &doc.readers {
            d.add_text(f.readers, r.key());
        }
        for (on, flag) in [
            (doc.has_media, "media"),
            (doc.has_poll, "poll"),
            (doc.has_link, "link"),
            (doc.is_reply, "reply"),
            (doc.sensitive, "sensitive"),
        ] {
            if on {
                d.add_text(f.flags, flag);
            }
        }
        if let Some(l) = &doc.language {
            d.add_text(f.language, l);
        }
        d
    }

    /// Adds a post or replaces what was indexed of it. Seen by searches after [`commit`].
    pub fn upsert(&self, doc: &StatusDoc) -> Result<u64> {
        let w = self.writer.read().map_err(|_| IndexError::Poisoned)?;
        w.delete_term(Term::from_field_i64(self.fields.id, doc.id));
        w.add_document(self.document(doc))?;
        Ok(self.changed.fetch_add(1, Ordering::SeqCst) + 1)
    }

    /// Adds a post known not to be in the index (a rebuild after [`clear`]); skips the
    /// delete that `upsert` queues, which is most of the cost of a bulk load's bookkeeping.
    pub fn add_new(&self, doc: &StatusDoc) -> Result<u64> {
        let w = self.writer.read().map_err(|_| IndexError::Poisoned)?;
        w.add_document(self.document(doc))?;
        Ok(self.changed.fetch_add(1, Ordering::SeqCst) + 1)
    }

    /// Removes a post (deleted, or no longer findable by anyone).
    pub fn remove(&self, id: i64) -> Result<u64> {
        let w = self.writer.read().map_err(|_| IndexError::Poisoned)?;
        w.delete_term(Term::from_field_i64(self.fields.id, id));
        Ok(self.changed.fetch_add(1, Ordering::SeqCst) + 1)
    }

    /// Removes everything (before a full rebuild).
    pub fn clear(&self) -> Result<u64> {
        let w = self.writer.read().map_err(|_| IndexError::Poisoned)?;
        w.delete_all_documents()?;
        Ok(self.changed.fetch_add(1, Ordering::SeqCst) + 1)
    }

    /// Whether change number `change` (as returned by `upsert`/`remove`) is durable.
    pub fn is_committed(&self, change: u64) -> bool {
        self.committed.load(Ordering::SeqCst) >= change
    }

    /// Makes every change so far durable and visible to searches. Blocking; one at a time.
    pub fn commit(&self) -> Result<()> {
        let mut w = self.writer.write().map_err(|_| IndexError::Poisoned)?;
        // No upsert can run while the write lock is held, so this count is exactly what
        // the commit covers.
        let through = self.changed.load(Ordering::SeqCst);
        if through == self.committed.load(Ordering::SeqCst) {
            return Ok(());
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        self.committed.store(through, Ordering::SeqCst);
        Ok(())
    }

    /// Posts in the index (for `reindex` progress and tests).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn term(&self, field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
    }

    /// A word or phrase, through the same analyzer as the posts.
    fn text_query(&self, text: &Text) -> Option<Box<dyn Query>> {
        let f = self.fields.text;
        let words = match text {
            Text::Word(w) | Text::Phrase(w) => terms(w),
        };
        let mut ts: Vec<Term> = words.iter().map(|w| Term::from_field_text(f, w)).collect();
        match ts.len() {
            0 => None,
            1 => Some(Box::new(TermQuery::new(ts.remove(0), IndexRecordOption::WithFreqs))),
            // "covid-19" or a quoted phrase: the words in order.
            _ => Some(Box::new(PhraseQuery::new(ts))),
        }
    }

    fn filter(q: Box<dyn Query>) -> Box<dyn Query> {
        Box::new(ConstScoreQuery::new(q, 0.0))
    }

    fn build(&self, r: &Request) -> Box<dyn Query> {
        let f = self.fields;
        let q = r.query;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in &q.include {
            if let Some(tq) = self.text_query(t) {
                clauses.push((Occur::Must, tq));
            }
        }
        for t in &q.exclude {
            if let Some(tq) = self.text_query(t) {
                clauses.push((Occur::MustNot, tq));
            }
        }
        for t in &q.tags {
            clauses.push((Occur::Must, Self::filter(self.term(f.tags, t))));
        }
        for t in &q.exclude_tags {
            clauses.push((Occur::MustNot, self.term(f.tags, t)));
        }
        let has_flag = |h: &Has| match h {
            Has::Media => "media",
            Has::Poll => "poll",
            Has::Link => "link",
        };
        let is_flag = |i: &Is| match i {
            Is::Reply => "reply",
            Is::Sensitive => "sensitive",
        };
        for flag in q.has.iter().map(has_flag).chain(q.is.iter().map(is_flag)) {
            clauses.push((Occur::Must, Self::filter(self.term(f.flags, flag))));
        }
        for flag in q.has_not.iter().map(has_flag).chain(q.is_not.iter().map(is_flag)) {
            clauses.push((Occur::MustNot, self.term(f.flags, flag)));
        }
        if let Some(l) = &q.language {
            clauses.push((Occur::Must, Self::filter(self.term(f.language, l))));
        }
        if let Some(authors) = &r.authors {
            let terms = authors.iter().map(|a| Term::from_field_i64(f.author, *a));
            clauses.push((Occur::Must, Self::filter(Box::new(TermSetQuery::new(terms)))));
        }
        if let Some(ids) = &r.library {
            let terms = ids.iter().map(|a| Term::from_field_i64(f.id, *a));
            clauses.push((Occur::Must, Self::filter(Box::new(TermSetQuery::new(terms)))));
        }
        let readers: Vec<Reader> = match q.scope {
            Scope::Public => vec![Reader::Anyone],
            _ => r.readers.clone(),
        };
        // A union of term queries, not a `TermSetQuery`: the set query materialises every
        // matching document into a bitset first (800,000 for "anyone" on a million posts),
        // while a union is advanced lazily inside the intersection with the text clauses.
        let keys: Vec<(Occur, Box<dyn Query>)> =
            readers.iter().map(|k| (Occur::Should, self.term(f.readers, &k.key()))).collect();
        clauses.push((Occur::Must, Self::filter(Box::new(BooleanQuery::new(keys)))));
        let (lower, upper) = id_bounds(r, q);
        if lower.is_some() || upper.is_some() {
            let lo = lower.map_or(Bound::Unbounded, |v| Bound::Excluded(Term::from_field_i64(f.id, v)));
            let hi = upper.map_or(Bound::Unbounded, |v| Bound::Excluded(Term::from_field_i64(f.id, v)));
            clauses.push((Occur::Must, Self::filter(Box::new(RangeQuery::new(lo, hi)))));
        }
        if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
            return Box::new(EmptyQuery);
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The ids of matching posts the viewer's keys reach, best first (or newest first).
    pub fn search(&self, r: &Request) -> Result<Vec<i64>> {
        if r.limit == 0 || r.authors.as_ref().is_some_and(|a| a.is_empty()) {
            return Ok(Vec::new());
        }
        if r.library.as_ref().is_some_and(|l| l.is_empty()) || r.readers.is_empty() {
            return Ok(Vec::new());
        }
        let query = self.build(r);
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(r.limit).and_offset(r.offset);
        let id_of = |addr: DocAddress| -> Result<Option<i64>> {
            let column = searcher.segment_reader(addr.segment_ord).fast_fields().i64("id")?;
            Ok(column.first(addr.doc_id))
        };
        // Paging from `min_id` upwards reads the oldest first, as timelines do.
        let newest = r.order == SortOrder::Newest || r.max_id.is_some() || r.min_id.is_some();
        if newest {
            let order = if r.min_id.is_some() && r.max_id.is_none() && r.order == SortOrder::Newest {
                tantivy::Order::Asc
            } else {
                tantivy::Order::Desc
            };
            let hits: Vec<(Option<i64>, DocAddress)> =
                searcher.search(&query, &top.order_by_fast_field("id", order))?;
            return Ok(hits.into_iter().filter_map(|(id, _)| id).collect());
        }
        let hits: Vec<(f32, DocAddress)> = searcher.search(&query, &top.order_by_score())?;
        let mut out = Vec::with_capacity(hits.len());
        for (_, addr) in hits {
            if let Some(id) = id_of(addr)? {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Whether a stored document for `id` exists (tests, diagnostics).
    pub fn contains(&self, id: i64) -> Result<bool> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(Term::from_field_i64(self.fields.id, id), IndexRecordOption::Basic);
        Ok(searcher.search(&q, &tantivy::collector::Count)? > 0)
    }
}

/// `max_id`/`min_id` and the date operators, as exclusive id bounds (ids start with the
/// millisecond they were made).
fn id_bounds(r: &Request, q: &SearchQuery) -> (Option<i64>, Option<i64>) {
    let day_start = |d: chrono::NaiveDate| -> i64 {
        let ms = d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0).max(0);
        ms << 16
    };
    let next_day = |d: chrono::NaiveDate| d.succ_opt().unwrap_or(d);
    let mut lower: Option<i64> = r.min_id;
    let mut upper: Option<i64> = r.max_id;
    let mut raise = |v: i64| lower = Some(lower.map_or(v, |l| l.max(v)));
    if let Some(d) = q.after {
        raise(day_start(next_day(d)) - 1);
    }
    if let Some(d) = q.during {
        raise(day_start(d) - 1);
    }
    let mut cap = |v: i64| upper = Some(upper.map_or(v, |u| u.min(v)));
    if let Some(d) = q.before {
        cap(day_start(d));
    }
    if let Some(d) = q.during {
        cap(day_start(next_day(d)));
    }
    (lower, upper)
}
