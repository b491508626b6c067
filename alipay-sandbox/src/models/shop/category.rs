//! A small store category tree (`alipay.offline.market.shop.category.query`): two
//! top-level categories with children, stores are created under leaves. The ids
//! follow Alipay's form (the guide's examples `2015050700000000` and
//! `2015050700000018` are in it); the tree itself is the sandbox's own.

use serde_json::{json, Value};

/// A category: id, name, parent.
struct Category {
    id: &'static str,
    name: &'static str,
    parent: Option<&'static str>,
}

const TREE: &[Category] = &[
    Category {
        id: "2015050700000000",
        name: "美食",
        parent: None,
    },
    Category {
        id: "2015050700000001",
        name: "中餐",
        parent: Some("2015050700000000"),
    },
    Category {
        id: "2015050700000018",
        name: "火锅",
        parent: Some("2015050700000001"),
    },
    Category {
        id: "2015050700000002",
        name: "江浙菜",
        parent: Some("2015050700000001"),
    },
    Category {
        id: "2015050700000010",
        name: "快餐",
        parent: Some("2015050700000000"),
    },
    Category {
        id: "2015062600004525",
        name: "休闲娱乐",
        parent: None,
    },
    Category {
        id: "2015062600011157",
        name: "KTV",
        parent: Some("2015062600004525"),
    },
];

fn find(id: &str) -> Option<&'static Category> {
    TREE.iter().find(|c| c.id == id)
}

/// The ids from the top-level category down to `c`.
fn path(c: &'static Category) -> Vec<&'static str> {
    let mut ids = vec![c.id];
    let mut at = c;
    while let Some(p) = at.parent.and_then(find) {
        ids.push(p.id);
        at = p;
    }
    ids.reverse();
    ids
}

fn is_leaf(c: &Category) -> bool {
    !TREE.iter().any(|x| x.parent == Some(c.id))
}

/// Whether a store can be filed under `id` (a leaf of the tree).
pub(super) fn is_leaf_id(id: &str) -> bool {
    find(id).is_some_and(is_leaf)
}

/// The name and depth of a category, for store summaries.
pub(super) fn name_and_level(id: &str) -> Option<(&'static str, usize)> {
    find(id).map(|c| (c.name, path(c).len()))
}

/// The categories at and under `root` (the whole tree when `None`), as
/// `ShopCategoryConfigInfo` objects; `None` when `root` is unknown.
pub(super) fn subtree(root: Option<&str>) -> Option<Vec<Value>> {
    if let Some(r) = root {
        find(r)?;
    }
    let infos = TREE
        .iter()
        .filter(|c| root.is_none_or(|r| path(c).contains(&r)))
        .map(|c| {
            let p = path(c);
            json!({
                "id": c.id,
                "nm": c.name,
                "level": p.len().to_string(),
                "link": p.join("|"),
                "is_leaf": is_leaf(c).to_string(),
            })
        })
        .collect();
    Some(infos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_levels_and_subtrees() {
        assert!(is_leaf_id("2015050700000018"));
        assert!(!is_leaf_id("2015050700000000"));
        assert!(!is_leaf_id("0"));
        assert_eq!(name_and_level("2015050700000018"), Some(("火锅", 3)));
        let food = subtree(Some("2015050700000001")).unwrap();
        let ids: Vec<&str> = food.iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            ["2015050700000001", "2015050700000018", "2015050700000002"]
        );
        assert_eq!(
            food[1]["link"],
            "2015050700000000|2015050700000001|2015050700000018"
        );
        assert_eq!(subtree(None).unwrap().len(), TREE.len());
        assert!(subtree(Some("404")).is_none());
    }
}
