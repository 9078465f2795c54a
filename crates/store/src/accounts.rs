//! Accounts (profiles), local and, later, remote.

use canteen_domain::Id;
use canteen_domain::account::{
    Account, AccountKind, FieldVisibility, PostVisibility, PrivacyPreset, PrivacySettings, ProfessionalDetails,
    ProfileMode,
};

use crate::db::{Exec, exec};
use crate::error::{Result, StoreError};

macro_rules! columns {
    () => {
        "id, user_id, username, domain, uri, url, display_name, note, avatar_url, header_url, \
fields, locked, bot, discoverable, indexable, hide_collections, profile_mode, privacy_preset, \
default_visibility, default_sensitive, default_language, job_title, job_title_visibility, profession, \
profession_visibility, employer, employer_visibility, seniority, seniority_visibility, location, \
location_visibility, suspended_at, created_at, updated_at, kind, also_known_as, moved_to_uri"
    };
}

macro_rules! select {
    ($where:literal) => {
        concat!("SELECT ", columns!(), " FROM accounts ", $where)
    };
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    user_id: Option<i64>,
    username: String,
    domain: Option<String>,
    uri: String,
    url: String,
    display_name: String,
    note: String,
    avatar_url: Option<String>,
    header_url: Option<String>,
    fields: String,
    locked: bool,
    bot: bool,
    discoverable: bool,
    indexable: bool,
    hide_collections: bool,
    kind: String,
    also_known_as: String,
    moved_to_uri: Option<String>,
    profile_mode: String,
    privacy_preset: String,
    default_visibility: String,
    default_sensitive: bool,
    default_language: Option<String>,
    job_title: String,
    job_title_visibility: String,
    profession: String,
    profession_visibility: String,
    employer: String,
    employer_visibility: String,
    seniority: String,
    seniority_visibility: String,
    location: String,
    location_visibility: String,
    suspended_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

fn parse<T>(what: &str, value: &str, f: impl Fn(&str) -> Option<T>) -> Result<T> {
    f(value).ok_or_else(|| StoreError::Corrupt(format!("{what} `{value}`")))
}

fn vis(value: &str) -> Result<FieldVisibility> {
    parse("field visibility", value, FieldVisibility::parse)
}

impl TryFrom<Row> for Account {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Account> {
        Ok(Account {
            id: Id(r.id),
            user_id: r.user_id.map(Id),
            username: r.username,
            domain: r.domain,
            uri: r.uri,
            url: r.url,
            display_name: r.display_name,
            note: r.note,
            avatar_url: r.avatar_url,
            header_url: r.header_url,
            fields: serde_json::from_str(&r.fields).map_err(|e| StoreError::Corrupt(format!("fields: {e}")))?,
            bot: r.bot,
            profile_mode: parse("profile mode", &r.profile_mode, ProfileMode::parse)?,
            kind: parse("account kind", &r.kind, AccountKind::parse)?,
            also_known_as: serde_json::from_str(&r.also_known_as).unwrap_or_default(),
            moved_to: r.moved_to_uri,
            privacy_preset: parse("privacy preset", &r.privacy_preset, PrivacyPreset::parse)?,
            privacy: PrivacySettings {
                locked: r.locked,
                discoverable: r.discoverable,
                indexable: r.indexable,
                hide_collections: r.hide_collections,
                default_visibility: parse("visibility", &r.default_visibility, PostVisibility::parse)?,
                job_title_visibility: vis(&r.job_title_visibility)?,
                profession_visibility: vis(&r.profession_visibility)?,
                employer_visibility: vis(&r.employer_visibility)?,
                seniority_visibility: vis(&r.seniority_visibility)?,
                location_visibility: vis(&r.location_visibility)?,
            },
            default_sensitive: r.default_sensitive,
            default_language: r.default_language,
            details: ProfessionalDetails {
                job_title: r.job_title,
                profession: r.profession,
                employer: r.employer,
                seniority: r.seniority,
                location: r.location,
            },
            suspended_at: r.suspended_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn aliases_json(a: &Account) -> String {
    serde_json::to_string(&a.also_known_as).unwrap_or_else(|_| "[]".to_string())
}

fn fields_json(a: &Account) -> String {
    serde_json::to_string(&a.fields).unwrap_or_else(|_| "[]".to_string())
}

pub async fn insert(e: Exec<'_>, a: &Account) -> Result<()> {
    const SQL: &str = concat!(
        "INSERT INTO accounts (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37)"
    );
    let p = &a.privacy;
    let d = &a.details;
    exec!(e, x => sqlx::query(SQL)
        .bind(a.id.0).bind(a.user_id.map(|i| i.0)).bind(&a.username).bind(&a.domain).bind(&a.uri).bind(&a.url)
        .bind(&a.display_name).bind(&a.note).bind(&a.avatar_url).bind(&a.header_url).bind(fields_json(a))
        .bind(p.locked).bind(a.bot).bind(p.discoverable).bind(p.indexable).bind(p.hide_collections)
        .bind(a.profile_mode.as_str()).bind(a.privacy_preset.as_str()).bind(p.default_visibility.as_str())
        .bind(a.default_sensitive).bind(&a.default_language)
        .bind(&d.job_title).bind(p.job_title_visibility.as_str())
        .bind(&d.profession).bind(p.profession_visibility.as_str())
        .bind(&d.employer).bind(p.employer_visibility.as_str())
        .bind(&d.seniority).bind(p.seniority_visibility.as_str())
        .bind(&d.location).bind(p.location_visibility.as_str())
        .bind(a.suspended_at).bind(a.created_at).bind(a.updated_at).bind(a.kind.as_str())
        .bind(aliases_json(a)).bind(&a.moved_to)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Writes every field a person or an admin can change.
pub async fn update(e: Exec<'_>, a: &Account) -> Result<()> {
    const SQL: &str = "UPDATE accounts SET display_name = $2, note = $3, avatar_url = $4, header_url = $5, \
        fields = $6, locked = $7, bot = $8, discoverable = $9, indexable = $10, hide_collections = $11, \
        profile_mode = $12, privacy_preset = $13, default_visibility = $14, default_sensitive = $15, \
        default_language = $16, job_title = $17, job_title_visibility = $18, profession = $19, \
        profession_visibility = $20, employer = $21, employer_visibility = $22, seniority = $23, \
        seniority_visibility = $24, location = $25, location_visibility = $26, \
        updated_at = $27, kind = $28, also_known_as = $29, moved_to_uri = $30 WHERE id = $1";
    let p = &a.privacy;
    let d = &a.details;
    exec!(e, x => sqlx::query(SQL)
        .bind(a.id.0).bind(&a.display_name).bind(&a.note).bind(&a.avatar_url).bind(&a.header_url)
        .bind(fields_json(a)).bind(p.locked).bind(a.bot).bind(p.discoverable).bind(p.indexable)
        .bind(p.hide_collections).bind(a.profile_mode.as_str()).bind(a.privacy_preset.as_str())
        .bind(p.default_visibility.as_str()).bind(a.default_sensitive).bind(&a.default_language)
        .bind(&d.job_title).bind(p.job_title_visibility.as_str())
        .bind(&d.profession).bind(p.profession_visibility.as_str())
        .bind(&d.employer).bind(p.employer_visibility.as_str())
        .bind(&d.seniority).bind(p.seniority_visibility.as_str())
        .bind(&d.location).bind(p.location_visibility.as_str())
        .bind(a.updated_at).bind(a.kind.as_str()).bind(aliases_json(a)).bind(&a.moved_to)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn by_id(e: Exec<'_>, id: Id) -> Result<Option<Account>> {
    let row: Option<Row> =
        exec!(e, x => sqlx::query_as::<_, Row>(select!("WHERE id = $1")).bind(id.0).fetch_optional(x).await)?;
    row.map(Account::try_from).transpose()
}

/// A local account by username, ignoring case.
pub async fn by_local_username(e: Exec<'_>, username: &str) -> Result<Option<Account>> {
    const SQL: &str = select!("WHERE lower(username) = lower($1) AND lower(coalesce(domain, '')) = ''");
    let row: Option<Row> = exec!(e, x => sqlx::query_as::<_, Row>(SQL).bind(username).fetch_optional(x).await)?;
    row.map(Account::try_from).transpose()
}

/// A remote account by `username` and `domain` (`host[:port]`), ignoring case.
pub async fn by_username_domain(e: Exec<'_>, username: &str, domain: &str) -> Result<Option<Account>> {
    const SQL: &str = select!("WHERE lower(username) = lower($1) AND lower(coalesce(domain, '')) = lower($2)");
    let row: Option<Row> =
        exec!(e, x => sqlx::query_as::<_, Row>(SQL).bind(username).bind(domain).fetch_optional(x).await)?;
    row.map(Account::try_from).transpose()
}

/// Every profile one login owns, oldest first.
pub async fn by_user(e: Exec<'_>, user_id: Id) -> Result<Vec<Account>> {
    let rows: Vec<Row> = exec!(e, x => sqlx::query_as::<_, Row>(select!("WHERE user_id = $1 ORDER BY id"))
        .bind(user_id.0).fetch_all(x).await)?;
    rows.into_iter().map(Account::try_from).collect()
}

/// Suspends (or, with `None`, reinstates) an account. Kept apart from `update` so a
/// profile edit racing an admin's suspension can never undo it.
pub async fn set_suspended(e: Exec<'_>, id: Id, at: Option<i64>) -> Result<()> {
    exec!(e, x => sqlx::query("UPDATE accounts SET suspended_at = $2 WHERE id = $1").bind(id.0).bind(at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Counts local accounts that are not suspended (for instance statistics).
pub async fn count_local_active(e: Exec<'_>) -> Result<i64> {
    const SQL: &str = "SELECT count(*) FROM accounts WHERE domain IS NULL AND suspended_at IS NULL";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).fetch_one(x).await)?)
}

/// Several accounts by id, in no particular order.
pub async fn by_ids(e: Exec<'_>, ids: &[Id]) -> Result<Vec<Account>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::id_list::IdList::new(ids, 1);
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE id IN ({})", select!(""), list.sql));
    let rows: Vec<Row> =
        exec!(e, x => crate::id_list::bind_ids!(sqlx::query_as::<_, Row>(sql), list).fetch_all(x).await)?;
    rows.into_iter().map(Account::try_from).collect()
}

/// Which of `ids` are local accounts (only they have home feeds).
pub async fn local_among(e: Exec<'_>, ids: &[Id]) -> Result<Vec<Id>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::id_list::IdList::new(ids, 1);
    let sql = sqlx::AssertSqlSafe(format!("SELECT id FROM accounts WHERE id IN ({}) AND domain IS NULL", list.sql));
    let rows: Vec<i64> =
        exec!(e, x => crate::id_list::bind_ids!(sqlx::query_scalar::<_, i64>(sql), list).fetch_all(x).await)?;
    Ok(rows.into_iter().map(Id).collect())
}

/// What `search` looks for: lower-cased words, each of which must match somewhere.
#[derive(Debug, Clone, Default)]
pub struct AccountSearch {
    /// At most 5 words are used.
    pub words: Vec<String>,
    /// The searching account, for followers-only fields and `following`.
    pub viewer: Option<Id>,
    /// Only accounts the viewer follows.
    pub following_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// Accounts by username, display name, job title and profession — each professional
/// field only where its visibility lets the viewer see it. Accounts that are not
/// discoverable are found only by their exact username, by their followers, and by
/// themselves. Ranked: exact username, then username prefix, then followed, then oldest.
pub async fn search(e: Exec<'_>, s: &AccountSearch) -> Result<Vec<Account>> {
    let words: Vec<&String> = s.words.iter().filter(|w| !w.is_empty()).take(5).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    // $1 viewer (0 when anonymous), $2 the whole query, $3 limit, $4 offset, then two per word.
    let follows = "EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $1 AND f.target_account_id = a.id)";
    let field = |name: &str, n: usize| {
        format!(
            "(lower(a.{name}) LIKE ${n} ESCAPE '\\' AND (a.{name}_visibility = 'public' OR a.id = $1 \
             OR (a.{name}_visibility = 'followers' AND {follows})))"
        )
    };
    let mut per_word = Vec::new();
    for i in 0..words.len() {
        let (prefix, infix) = (5 + 2 * i, 6 + 2 * i);
        per_word.push(format!(
            "(lower(a.username) LIKE ${prefix} ESCAPE '\\' OR lower(a.display_name) LIKE ${infix} ESCAPE '\\' \
             OR {} OR {})",
            field("job_title", infix),
            field("profession", infix)
        ));
    }
    let mut sql = format!(
        "SELECT {} FROM accounts a WHERE a.suspended_at IS NULL \
         AND (lower(a.username) = $2 OR ((a.discoverable OR a.id = $1 OR {follows}) AND {}))",
        columns!().split(", ").map(|c| format!("a.{}", c.trim())).collect::<Vec<_>>().join(", "),
        per_word.join(" AND ")
    );
    if s.following_only {
        sql.push_str(&format!(" AND {follows}"));
    }
    sql.push_str(&format!(
        " ORDER BY (lower(a.username) = $2) DESC, (lower(a.username) LIKE $5 ESCAPE '\\') DESC, ({follows}) DESC, a.id \
         LIMIT $3 OFFSET $4"
    ));
    let whole = words.iter().map(|w| w.as_str()).collect::<Vec<_>>().join(" ");
    let rows: Vec<Row> = exec!(e, x => {
        let mut q = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql.clone()))
            .bind(s.viewer.map_or(0, |v| v.0))
            .bind(whole.clone())
            .bind(s.limit)
            .bind(s.offset);
        for w in &words {
            let w = like_escape(w);
            q = q.bind(format!("{w}%")).bind(format!("%{w}%"));
        }
        q.fetch_all(x).await
    })?;
    rows.into_iter().map(Account::try_from).collect()
}
