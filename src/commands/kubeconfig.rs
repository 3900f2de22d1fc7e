use std::sync::Arc;

use super::{live, report_load_error};
use crate::cli::KubeconfigArgs;
use crate::exit::Exit;
use crate::kubeconfig::{self, ClusterAccess};
use crate::printer::Printer;
use crate::stack;
use crate::stats::CallStats;

pub fn run(args: &KubeconfigArgs, printer: &Printer) -> Exit {
    match write(args, printer) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            printer.error(&format!("error: {e}"));
            Exit::Error
        }
    }
}

fn write(args: &KubeconfigArgs, printer: &Printer) -> Result<(), String> {
    let valid = stack::load(&args.stack.stack).map_err(|e| {
        report_load_error(printer, &e);
        "the stack is not valid".to_string()
    })?;
    let path = kubeconfig::path(args.kubeconfig.as_deref())
        .ok_or("HOME is not set; pass --kubeconfig FILE")?;
    // Read (and check) the file before asking AWS anything, so a broken one stops us early.
    let existing = kubeconfig::read(&path)?;
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find this program's path: {e}"))?;
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let clusters = live::runtime()?.block_on(async {
        let config = live::aws_config(&args.aws).await;
        let engine = live::connect(&valid, &config, &stats, progress.as_ref());
        let stack = valid.name();
        let reads = engine.regions.iter().zip(&valid.stack.spec.regions).map(
            |(target, region)| async move {
                let snapshot = target
                    .clients
                    .eks
                    .snapshot(stack, &region.cluster.name, false)
                    .await
                    .map_err(|e| format!("{}: {e}", target.aws_region))?;
                let name = &region.cluster.name;
                let cluster = snapshot
                    .clusters
                    .into_iter()
                    .find(|c| &c.name == name && c.status == crate::providers::Lifecycle::Ready)
                    .ok_or_else(|| {
                        format!(
                            "cluster {name} is not active in {} yet; run `multiregion up` first",
                            target.aws_region
                        )
                    })?;
                Ok::<_, String>(ClusterAccess {
                    name: cluster.name,
                    region: target.aws_region.clone(),
                    endpoint: cluster
                        .endpoint
                        .ok_or_else(|| format!("{name} has no API endpoint"))?,
                    certificate_authority: cluster
                        .certificate_authority
                        .ok_or_else(|| format!("{name} has no certificate authority"))?,
                })
            },
        );
        futures::future::try_join_all(reads).await
    })?;
    live::report_stats(printer, &args.aws, &stats);
    let merged = kubeconfig::merge(existing, &clusters, &exe.to_string_lossy())?;
    kubeconfig::write(&path, &merged)?;
    let names: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
    printer.info(&format!(
        "{}: contexts {} (credentials from `multiregion token`)",
        path.display(),
        names.join(", ")
    ));
    Ok(())
}
