//! Reads back the schema a backend ended up with, so a test can prove the two migration
//! folders produce the same tables, columns and indexes.

use std::collections::BTreeMap;

use crate::db::{Exec, exec};
use crate::error::Result;

/// Table name → (column name → normalised type); plus index name → unique.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SchemaShape {
    pub tables: BTreeMap<String, BTreeMap<String, String>>,
    pub indexes: BTreeMap<String, (String, bool)>,
}

/// Maps each dialect's spelling to one word so `INTEGER` (SQLite's row id) and `bigint` agree.
fn normalise(ty: &str) -> String {
    match ty.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "int8" => "bigint".into(),
        "boolean" | "bool" => "boolean".into(),
        "text" => "text".into(),
        "real" | "double precision" | "float8" => "double".into(),
        other => other.into(),
    }
}

pub async fn read(e: Exec<'_>) -> Result<SchemaShape> {
    let mut shape = SchemaShape::default();
    match e {
        Exec::SqlitePool(_) | Exec::Sqlite(_) => {
            const SQL: &str = "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p \
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'";
            const IDX: &str = "SELECT name, tbl_name, sql LIKE 'CREATE UNIQUE%' FROM sqlite_master \
                WHERE type = 'index' AND sql IS NOT NULL";
            let mut e = e;
            let cols: Vec<(String, String, String)> = exec!(e.reborrow(), x => sqlx::query_as(SQL).fetch_all(x).await)?;
            let idx: Vec<(String, String, bool)> = exec!(e, x => sqlx::query_as(IDX).fetch_all(x).await)?;
            fill(&mut shape, cols, idx);
        }
        Exec::PgPool(_) | Exec::Pg(_) => {
            const SQL: &str = "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
                WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'";
            const IDX: &str = "SELECT i.indexname::text, i.tablename::text, i.indexdef LIKE 'CREATE UNIQUE%' \
                FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.indexname NOT LIKE '%_pkey' \
                AND i.tablename NOT LIKE '_sqlx%'";
            let mut e = e;
            let cols: Vec<(String, String, String)> = exec!(e.reborrow(), x => sqlx::query_as(SQL).fetch_all(x).await)?;
            let idx: Vec<(String, String, bool)> = exec!(e, x => sqlx::query_as(IDX).fetch_all(x).await)?;
            fill(&mut shape, cols, idx);
        }
    }
    Ok(shape)
}

fn fill(shape: &mut SchemaShape, cols: Vec<(String, String, String)>, idx: Vec<(String, String, bool)>) {
    for (table, column, ty) in cols {
        shape.tables.entry(table).or_default().insert(column, normalise(&ty));
    }
    for (name, table, unique) in idx {
        shape.indexes.insert(name, (table, unique));
    }
}
