//! Execution order of the desired resources: a topological order with "waves" (a resource's
//! wave is one more than the deepest of its dependencies, so each wave can run at once).

use std::collections::HashMap;

use super::Resource;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    #[error("{id} depends on {missing}, which is not in the stack")]
    UnknownDependency { id: String, missing: String },
    #[error("dependency cycle through {0}")]
    Cycle(String),
}

/// A resource's place in the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Index into the resources given to [`order`].
    pub index: usize,
    /// 0 for resources with no dependencies.
    pub wave: usize,
}

/// Dependency order, stable: among ready resources the one declared first goes first.
pub fn order(resources: &[Resource]) -> Result<Vec<Placement>, GraphError> {
    let index: HashMap<&str, usize> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut dependants: Vec<Vec<usize>> = vec![Vec::new(); resources.len()];
    let mut waiting: Vec<usize> = vec![0; resources.len()];
    for (i, r) in resources.iter().enumerate() {
        for dep in &r.depends_on {
            match index.get(dep.as_str()) {
                Some(&d) => {
                    dependants[d].push(i);
                    waiting[i] += 1;
                }
                None => {
                    return Err(GraphError::UnknownDependency {
                        id: r.id.clone(),
                        missing: dep.clone(),
                    });
                }
            }
        }
    }
    let mut wave = vec![0usize; resources.len()];
    // A sorted ready set keeps the order deterministic and close to declaration order.
    let mut ready: std::collections::BTreeSet<usize> =
        (0..resources.len()).filter(|&i| waiting[i] == 0).collect();
    let mut out = Vec::with_capacity(resources.len());
    while let Some(i) = ready.pop_first() {
        out.push(Placement {
            index: i,
            wave: wave[i],
        });
        for &d in &dependants[i] {
            wave[d] = wave[d].max(wave[i] + 1);
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.insert(d);
            }
        }
    }
    if out.len() != resources.len() {
        let stuck = (0..resources.len())
            .find(|&i| waiting[i] > 0)
            .map(|i| resources[i].id.clone())
            .unwrap_or_default();
        return Err(GraphError::Cycle(stuck));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ResourceSpec;

    fn res(id: &str, deps: &[&str]) -> Resource {
        Resource {
            id: id.into(),
            region: None,
            aws_region: None,
            depends_on: deps.iter().map(|d| d.to_string()).collect(),
            tags: Default::default(),
            spec: ResourceSpec::ElasticIp,
        }
    }

    #[test]
    fn orders_dependencies_first_with_waves() {
        let rs = vec![
            res("route", &["rtb", "igw"]),
            res("igw", &["vpc"]),
            res("rtb", &["vpc"]),
            res("vpc", &[]),
        ];
        let placed = order(&rs).unwrap();
        let ids: Vec<(&str, usize)> = placed
            .iter()
            .map(|p| (rs[p.index].id.as_str(), p.wave))
            .collect();
        assert_eq!(ids, [("vpc", 0), ("igw", 1), ("rtb", 1), ("route", 2)]);
    }

    #[test]
    fn reports_cycles_and_unknown_dependencies() {
        let cyclic = vec![res("a", &["b"]), res("b", &["a"])];
        assert!(matches!(order(&cyclic), Err(GraphError::Cycle(_))));
        let dangling = vec![res("a", &["ghost"])];
        assert_eq!(
            order(&dangling),
            Err(GraphError::UnknownDependency {
                id: "a".into(),
                missing: "ghost".into()
            })
        );
    }
}
