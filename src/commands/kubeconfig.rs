use std::sync::Arc;

use super::live;
use crate::cli::{KubeconfigArgs, Output};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::kubeconfig::{self, ClusterAccess};
use crate::printer::Printer;
use crate::stack::ValidStack;
use crate::stats::CallStats;

pub fn run(args: &KubeconfigArgs, printer: &Printer) -> Result<Exit, CliError> {
    let valid = super::load_stack(&args.stack)?;
    write(args, &valid, printer).map_err(CliError::from)?;
    Ok(Exit::Ok)
}

fn write(args: &KubeconfigArgs, valid: &ValidStack, printer: &Printer) -> Result<(), String> {
    let path = kubeconfig::path(args.kubeconfig.as_deref())
        .ok_or("HOME is not set; pass --kubeconfig FILE")?;
    // Read (and check) the file before asking AWS anything, so a broken one stops us early.
    let existing = kubeconfig::read(&path)?;
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find this program's path: {e}"))?;
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let runtime = live::runtime().map_err(|e| e.message.clone())?;
    let config = runtime
        .block_on(live::aws_config(&args.aws))
        .map_err(|e| e.to_text())?;
    let clusters = runtime.block_on(async {
        let engine = live::connect(valid, &config, &stats, progress.as_ref());
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
    match printer.output {
        Output::Json => printer.json(&serde_json::json!({
            "file": path.display().to_string(),
            "contexts": names,
        })),
        Output::Text => printer.info(&format!(
            "{}: contexts {} (credentials from `multiregion token`)",
            path.display(),
            names.join(", ")
        )),
    }
    Ok(())
}
