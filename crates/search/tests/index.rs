//! The index on its own: ranking, operators, order, paging and reader keys.

use canteen_search::{Reader, Request, SearchIndex, SortOrder, StatusDoc, parse};

fn doc(id: i64, author: i64, text: &str) -> StatusDoc {
    StatusDoc { id, author_id: author, text: text.into(), readers: vec![Reader::Anyone], ..Default::default() }
}

fn ids(index: &SearchIndex, q: &str, readers: Vec<Reader>, order: SortOrder) -> Vec<i64> {
    let query = parse(q).unwrap();
    let r = Request {
        query: &query,
        readers,
        authors: None,
        library: None,
        order,
        max_id: None,
        min_id: None,
        offset: 0,
        limit: 20,
    };
    index.search(&r).unwrap()
}

fn anyone(index: &SearchIndex, q: &str) -> Vec<i64> {
    ids(index, q, vec![Reader::Anyone], SortOrder::Relevance)
}

#[test]
fn a_post_about_sarcoma_beats_one_that_mentions_it_in_passing() {
    let index = SearchIndex::in_memory().unwrap();
    index
        .upsert(&doc(
            1,
            1,
            "Busy week on the ward: audits, a new rota, the coffee machine broke, two leavers' cakes, \
             training on the new pumps, and someone asked about sarcoma clinics in passing.",
        ))
        .unwrap();
    index
        .upsert(&doc(2, 2, "My sarcoma story: diagnosed with a soft tissue sarcoma at 34, here is what helped"))
        .unwrap();
    index.upsert(&doc(3, 3, "Nothing to do with it at all")).unwrap();
    index.commit().unwrap();
    assert_eq!(anyone(&index, "sarcoma"), vec![2, 1]);
    assert_eq!(anyone(&index, "Sarcomas"), vec![2, 1], "stemming");
}

#[test]
fn british_spellings_find_american_ones() {
    let index = SearchIndex::in_memory().unwrap();
    index.upsert(&doc(1, 1, "New hematology clinic opens")).unwrap();
    index.upsert(&doc(2, 1, "Paediatric haematology team day")).unwrap();
    index.commit().unwrap();
    let mut found = anyone(&index, "haematology");
    found.sort();
    assert_eq!(found, vec![1, 2]);
    assert_eq!(anyone(&index, "pediatric"), vec![2]);
}

#[test]
fn phrases_exclusions_tags_and_flags() {
    let index = SearchIndex::in_memory().unwrap();
    index
        .upsert(&StatusDoc { tags: vec!["nhs".into()], has_media: true, ..doc(1, 1, "rare cancer support group") })
        .unwrap();
    index.upsert(&StatusDoc { is_reply: true, has_poll: true, ..doc(2, 2, "cancer that is rare") }).unwrap();
    index
        .upsert(&StatusDoc { language: Some("cy".into()), sensitive: true, ..doc(3, 3, "rare cancer chemo diary") })
        .unwrap();
    index.commit().unwrap();
    let sorted = |mut v: Vec<i64>| {
        v.sort();
        v
    };
    assert_eq!(sorted(anyone(&index, "\"rare cancer\"")), vec![1, 3]);
    assert_eq!(anyone(&index, "\"rare cancer\" -chemo"), vec![1]);
    assert_eq!(anyone(&index, "cancer #NHS"), vec![1]);
    assert_eq!(sorted(anyone(&index, "cancer -#nhs")), vec![2, 3]);
    assert_eq!(anyone(&index, "cancer has:media"), vec![1]);
    assert_eq!(anyone(&index, "has:poll"), vec![2]);
    assert_eq!(anyone(&index, "cancer is:reply"), vec![2]);
    assert_eq!(sorted(anyone(&index, "cancer -is:reply")), vec![1, 3]);
    assert_eq!(anyone(&index, "cancer is:sensitive"), vec![3]);
    assert_eq!(anyone(&index, "cancer language:cy"), vec![3]);
}

#[test]
fn reader_keys_decide_who_finds_what() {
    let index = SearchIndex::in_memory().unwrap();
    let with = |id, readers: Vec<Reader>| StatusDoc { readers, ..doc(id, 10, "clinic update") };
    index.upsert(&with(1, vec![Reader::Anyone, Reader::Owner(10)])).unwrap();
    index.upsert(&with(2, vec![Reader::FollowersOf(10), Reader::Owner(10)])).unwrap();
    index.upsert(&with(3, vec![Reader::Mentioned(20), Reader::Owner(10)])).unwrap();
    index.upsert(&with(4, vec![Reader::CircleMember(99), Reader::Owner(10)])).unwrap();
    index.commit().unwrap();
    let find = |readers: Vec<Reader>| {
        let mut v = ids(&index, "clinic", readers, SortOrder::Relevance);
        v.sort();
        v
    };
    assert_eq!(find(vec![Reader::Anyone]), vec![1]);
    assert_eq!(find(vec![Reader::Anyone, Reader::FollowersOf(10)]), vec![1, 2]);
    assert_eq!(find(vec![Reader::Anyone, Reader::Mentioned(20)]), vec![1, 3]);
    assert_eq!(find(vec![Reader::Anyone, Reader::CircleMember(99)]), vec![1, 4]);
    assert_eq!(find(vec![Reader::Anyone, Reader::Owner(10)]), vec![1, 2, 3, 4]);
    assert_eq!(find(vec![]), Vec::<i64>::new(), "no keys, no results");
    assert_eq!(ids(&index, "clinic in:public", vec![Reader::Owner(10)], SortOrder::Relevance), vec![1]);
}

#[test]
fn newest_first_dates_and_paging() {
    let index = SearchIndex::in_memory().unwrap();
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(12, 0, 0).unwrap();
    let id_at = |t: chrono::NaiveDateTime| t.and_utc().timestamp_millis() << 16;
    let a = id_at(day(2026, 1, 1));
    let b = id_at(day(2026, 1, 2));
    let c = id_at(day(2026, 1, 3));
    for id in [a, b, c] {
        index.upsert(&doc(id, 1, "ward news")).unwrap();
    }
    index.commit().unwrap();
    let newest = |q: &str| ids(&index, q, vec![Reader::Anyone], SortOrder::Newest);
    assert_eq!(newest("ward"), vec![c, b, a]);
    assert_eq!(newest("ward before:2026-01-02"), vec![a]);
    assert_eq!(newest("ward after:2026-01-02"), vec![c]);
    assert_eq!(newest("ward during:2026-01-02"), vec![b]);
    let query = parse("ward").unwrap();
    let page = |max_id, min_id, offset| {
        index
            .search(&Request {
                query: &query,
                readers: vec![Reader::Anyone],
                authors: None,
                library: None,
                order: SortOrder::Relevance,
                max_id,
                min_id,
                offset,
                limit: 1,
            })
            .unwrap()
    };
    assert_eq!(page(Some(c), None, 0), vec![b], "max_id pages back in time");
    assert_eq!(page(None, Some(a), 0), vec![c], "min_id: newest above it");
    assert_eq!(page(Some(c), None, 1), vec![a], "offset");
}

#[test]
fn authors_library_edits_and_removal() {
    let index = SearchIndex::in_memory().unwrap();
    index.upsert(&doc(1, 7, "physio tips")).unwrap();
    index.upsert(&doc(2, 8, "physio jobs")).unwrap();
    index.commit().unwrap();
    let query = parse("physio").unwrap();
    let run = |authors: Option<Vec<i64>>, library: Option<Vec<i64>>| {
        index
            .search(&Request {
                query: &query,
                readers: vec![Reader::Anyone],
                authors,
                library,
                order: SortOrder::Newest,
                max_id: None,
                min_id: None,
                offset: 0,
                limit: 20,
            })
            .unwrap()
    };
    assert_eq!(run(Some(vec![7]), None), vec![1]);
    assert_eq!(run(Some(vec![]), None), Vec::<i64>::new());
    assert_eq!(run(None, Some(vec![2])), vec![2]);
    // An edit replaces the old text; a removal takes the post out.
    index.upsert(&doc(1, 7, "running tips")).unwrap();
    let change = index.remove(2).unwrap();
    assert!(!index.is_committed(change));
    index.commit().unwrap();
    assert!(index.is_committed(change));
    assert_eq!(run(None, None), Vec::<i64>::new());
    assert_eq!(anyone(&index, "running"), vec![1]);
    assert_eq!(index.len(), 1);
}

#[test]
fn reopening_from_disk_keeps_committed_posts() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        index.upsert(&doc(1, 1, "kept after restart")).unwrap();
        index.commit().unwrap();
        index.upsert(&doc(2, 1, "never committed restart")).unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(anyone(&index, "restart"), vec![1]);
}
