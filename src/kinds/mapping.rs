//! What every kind's discovery shares: the index of the stack's tagged AWS ids across both
//! regions (so references resolve to logical ids, cross-region ones too), and the observed
//! model being filled.
//!
//! Two resources with one logical id (two runs at once, a lost answer, a copy made by hand)
//! are both observed: one keeps the id, each other one is a duplicate under `<id>~<aws id>`,
//! so what refers to it, and its deletion, follow it. Which one keeps the id is the
//! observer's choice ([`Mapper::keep`]), the first seen until it decides.

use std::collections::{BTreeMap, HashMap};

use super::{Fields, Handle, Kind, ObservedResource, REGISTRY, Scope, Snapshot};
use crate::model::{Resource, TAG_ID};
use crate::providers::{RoleInfo, Tags};

pub struct Mapper<'d> {
    /// AWS id (or name, for what is known by name) -> logical id.
    pub logical: HashMap<String, String>,
    pub out: BTreeMap<String, ObservedResource>,
    /// The stack's name of the region being mapped, and its AWS name.
    pub region: String,
    pub aws_region: String,
    /// EKS cluster name -> logical id: node groups and access entries name their cluster.
    pub cluster_names: HashMap<String, String>,
    pub desired: &'d [Resource],
    desired_deps: HashMap<&'d str, &'d [String]>,
    /// Logical id -> the AWS id that keeps it where several carry it.
    pub keep: HashMap<String, String>,
    /// Logical id -> the AWS id holding it so far.
    claimed: HashMap<String, String>,
}

/// The id a duplicate is observed under: `c1/vpc~vpc-0b2`.
pub fn duplicate_id(logical: &str, aws: &str) -> String {
    format!("{logical}~{aws}")
}

/// The logical id a resource's tags give it.
pub fn tag_id(tags: &Tags) -> Option<String> {
    tags.get(TAG_ID).cloned()
}

impl<'d> Mapper<'d> {
    pub fn new(desired: &'d [Resource]) -> Self {
        Mapper {
            logical: HashMap::new(),
            out: BTreeMap::new(),
            region: String::new(),
            aws_region: String::new(),
            cluster_names: HashMap::new(),
            desired,
            desired_deps: desired
                .iter()
                .map(|r| (r.id.as_str(), r.depends_on.as_slice()))
                .collect(),
            keep: HashMap::new(),
            claimed: HashMap::new(),
        }
    }

    /// Indexes `aws` as the logical id `logical`, or as a duplicate of it when another AWS id
    /// already holds it (swapping the two where `keep` prefers the newcomer).
    fn claim(&mut self, aws: String, logical: String) {
        match self.claimed.get(&logical) {
            Some(holder) if *holder == aws => {}
            Some(holder) => {
                let holder = holder.clone();
                if self.keep.get(&logical) == Some(&aws) {
                    let demoted = duplicate_id(&logical, &holder);
                    self.logical.insert(holder, demoted);
                    self.logical.insert(aws.clone(), logical.clone());
                    self.claimed.insert(logical, aws);
                } else {
                    let duplicate = duplicate_id(&logical, &aws);
                    self.logical.insert(aws, duplicate);
                }
            }
            None => {
                self.claimed.insert(logical.clone(), aws.clone());
                self.logical.insert(aws, logical);
            }
        }
    }

    /// Indexes every tagged AWS id of one region's snapshot, as each kind lists its own.
    pub fn index_tags(&mut self, snap: &Snapshot) {
        for index in REGISTRY.iter().filter_map(|d| d.index) {
            let pairs: Vec<(String, String)> = index(snap)
                .into_iter()
                .filter_map(|(aws, tags)| Some((aws.to_string(), tag_id(tags)?)))
                .collect();
            for (aws, logical) in pairs {
                self.claim(aws, logical);
            }
        }
        // Node groups and access entries name their cluster.
        for c in &snap.eks.clusters {
            if let Some(id) = tag_id(&c.tags) {
                self.cluster_names.insert(c.name.clone(), id);
            }
        }
    }

    /// Indexes the stack's roles (global).
    pub fn index_roles(&mut self, roles: &[RoleInfo]) {
        for r in roles {
            if let Some(id) = tag_id(&r.tags) {
                self.logical.insert(r.arn.clone(), id);
            }
        }
    }

    /// The logical id of an AWS id, or the AWS id itself when it is not the stack's.
    pub fn name(&self, aws_id: &str) -> String {
        self.logical
            .get(aws_id)
            .cloned()
            .unwrap_or_else(|| aws_id.to_string())
    }

    /// The logical id of the desired resource of `kind` that `pick` chooses.
    pub fn desired_id(&self, pick: impl Fn(&Resource) -> bool) -> Option<String> {
        self.desired.iter().find(|r| pick(r)).map(|r| r.id.clone())
    }

    /// Adds a resource to the observed model, in the region being mapped unless its kind is
    /// global. `refs` are the logical ids it refers to; those of the stack become its
    /// dependencies, with the edges the model knows but AWS does not show (a NAT gateway
    /// needs the internet gateway).
    pub fn put(
        &mut self,
        id: String,
        kind: Kind,
        handle: Handle,
        fields: Fields,
        tags: Option<Tags>,
        refs: Vec<String>,
    ) -> &mut ObservedResource {
        // A duplicate: the index made it one, or (for kinds no index lists) its id is taken.
        let aws = handle.aws_id();
        let (id, duplicate_of) = match self.logical.get(aws) {
            Some(l) if l.starts_with(&format!("{id}~")) => (l.clone(), Some(id)),
            _ => match self.out.get(&id) {
                Some(o) if o.kind == kind && o.handle.aws_id() != aws => {
                    (duplicate_id(&id, aws), Some(id))
                }
                _ => (id, None),
            },
        };
        let mut depends_on: Vec<String> = refs
            .into_iter()
            .filter(|r| self.logical.values().any(|l| l == r))
            .collect();
        if let Some(deps) = self.desired_deps.get(id.as_str()) {
            for d in deps.iter() {
                if !depends_on.contains(d) {
                    depends_on.push(d.clone());
                }
            }
        }
        let resource = ObservedResource {
            id: id.clone(),
            kind,
            region: (kind.def().scope == Scope::Regional).then(|| self.region.clone()),
            handle,
            fields,
            tags,
            depends_on,
            state: None,
            duplicate_of,
        };
        self.out.insert(id.clone(), resource);
        self.out.get_mut(&id).expect("just inserted")
    }
}
