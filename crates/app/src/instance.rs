//! What the server says about itself (instance metadata, NodeInfo).

use canteen_store::rules::{self, RuleRecord};

use crate::{App, Result};

pub struct Stats {
    pub user_count: i64,
    pub status_count: i64,
    pub domain_count: i64,
}

pub async fn stats(app: &App) -> Result<Stats> {
    Ok(Stats { user_count: crate::accounts::local_count(app).await?, status_count: 0, domain_count: 0 })
}

pub async fn rules(app: &App) -> Result<Vec<RuleRecord>> {
    Ok(rules::list(app.store.reader()).await?)
}
