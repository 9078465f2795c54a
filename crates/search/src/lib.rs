//! Search for Canteen: the embedded post index (tantivy) and the query language.
//!
//! Pure of the database: the app layer turns posts into [`StatusDoc`]s, resolves `from:`
//! handles and the viewer's reader keys, and applies the audience rule to what comes back.

pub mod analyzer;
mod index;
pub mod query;

pub use index::{IndexError, Reader, Request, SearchIndex, SortOrder, StatusDoc, WriterOptions};
pub use query::{QueryError, SearchQuery, parse};
