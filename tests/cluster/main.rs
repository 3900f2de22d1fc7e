//! The workloads against real Kubernetes API servers: the local control plane of
//! `scripts/kube-rig` (etcd, kube-apiserver, controller-manager, scheduler and kwok, one per
//! region, on 127.0.0.1), reached through kubeconfig contexts as kind or k3d would be, with
//! the AWS side on moto. The rig is started here unless `MULTIREGION_RIG_DIR` names a running
//! one (`bash scripts/test` builds it first, so its progress shows). Every request the tool
//! makes is read back from the API servers' audit logs.
//!
//! Each test has a stack of its own (name, workloads, NodePorts), so tests can share the
//! emulator and the clusters; they take turns, so that an audit log holds one test's requests
//! at a time.

mod autoscaling;
mod chaos;
#[path = "../common/mod.rs"]
mod common;
mod rig;
mod workloads;
