//! Running the tool against moto, as the moto suites do: one test at a time owns the emulator,
//! freshly reset; the tool runs as a process with test credentials; SDK clients for checking
//! the account from outside.
#![allow(dead_code, reason = "each test binary uses its part")]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

use assert_cmd::cargo::CommandCargoExt;

pub const STACK: &str = "stacks/two-region.yaml";

/// One test at a time owns the emulator, freshly reset.
pub fn fresh_moto() -> (MutexGuard<'static, ()>, &'static str) {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let m = super::moto();
    let port = m.url.rsplit(':').next().unwrap();
    let mut s = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    s.write_all(b"POST /moto-api/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "moto reset failed: {answer}"
    );
    (guard, &m.url)
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The tool against moto, on `stack`. moto's EKS clusters have no Kubernetes API behind
/// them, so `plan`, `up` and `down` leave workloads out here; `up` is approved, as CI would.
pub fn command(url: &str, stack: &str, args: &[&str]) -> Command {
    let infrastructure_only = matches!(args.first(), Some(&("plan" | "up" | "down")));
    let approve = args.first() == Some(&"up") && !args.contains(&"--yes");
    let mut args: Vec<&str> = args.to_vec();
    args.extend(infrastructure_only.then_some("--skip-workloads"));
    args.extend(approve.then_some("--yes"));
    bare(url, stack, &args)
}

/// The tool against moto with exactly `args`.
pub fn bare(url: &str, stack: &str, args: &[&str]) -> Command {
    let mut command = Command::cargo_bin("multiregion").unwrap();
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .args(["--stack", stack, "--endpoint-url", url])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE");
    command
}

pub fn multiregion_with(url: &str, stack: &str, args: &[&str]) -> Run {
    command(url, stack, args).output().unwrap().into()
}

/// The tool started in the background, its output collected when it ends.
pub fn spawn(url: &str, args: &[&str]) -> Child {
    command(url, STACK, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

pub async fn sdk_config(url: &str, region: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(url)
        .region(aws_config::Region::new(region.to_string()))
        .credentials_provider(aws_sdk_ec2::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await
}

/// A copy of the reference stack in a folder of its own (its manifests linked), to edit.
pub fn stack_copy() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir(dir.path().join("stacks")).unwrap();
    std::fs::copy(root.join(STACK), dir.path().join(STACK)).unwrap();
    std::os::unix::fs::symlink(root.join("manifests"), dir.path().join("manifests")).unwrap();
    let path = dir.path().join(STACK).to_string_lossy().into_owned();
    (dir, path)
}

/// A slowed emulator: a proxy on 127.0.0.1 that holds every chunk of every request for
/// `delay` before passing it on to `url`. Its URL.
pub fn slowed(url: &str, delay: std::time::Duration) -> String {
    use std::net::TcpListener;
    let target = url.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&target) else {
                continue;
            };
            let (mut c_read, mut s_write) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                while let Ok(n) = c_read.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    std::thread::sleep(delay);
                    if s_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = s_write.shutdown(std::net::Shutdown::Write);
            });
            let (mut s_read, mut c_write) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s_read, &mut c_write);
                let _ = c_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// The stack's VPCs in each region.
pub fn vpcs(url: &str) -> Vec<usize> {
    runtime().block_on(async {
        let mut counts = Vec::new();
        for region in ["us-east-1", "us-west-2"] {
            let ec2 = aws_sdk_ec2::Client::new(&sdk_config(url, region).await);
            let stack = aws_sdk_ec2::types::Filter::builder()
                .name("tag:multiregion:stack")
                .values("petclinic")
                .build();
            let out = ec2.describe_vpcs().filters(stack).send().await.unwrap();
            counts.push(out.vpcs().len());
        }
        counts
    })
}

/// A run of the tool in the background whose stderr is read as it comes.
pub struct Running {
    pub child: Child,
    stderr: std::sync::Arc<Mutex<String>>,
    reader: std::thread::JoinHandle<()>,
}

/// Starts `command` and returns once it has finished its first step (its first stderr line
/// that is no warning about the stack), so a signal sent then meets a run that holds the
/// stack's lock and has work left; panics if that takes longer than `within`.
pub fn spawn_until_first_step(mut command: Command, within: std::time::Duration) -> Running {
    use std::io::BufRead;
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pipe = child.stderr.take().unwrap();
    let stderr = std::sync::Arc::new(Mutex::new(String::new()));
    let (started, seen) = std::sync::mpsc::channel();
    let collected = stderr.clone();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            let about_the_stack = line.starts_with("warning:") || line.starts_with("  hint:");
            if !about_the_stack {
                let _ = started.send(());
            }
            let mut all = collected.lock().unwrap();
            all.push_str(&line);
            all.push('\n');
        }
    });
    if seen.recv_timeout(within).is_err() {
        let _ = child.kill();
        panic!(
            "no step finished within {within:?}: {}",
            stderr.lock().unwrap()
        );
    }
    Running {
        child,
        stderr,
        reader,
    }
}

impl Running {
    /// Sends SIGINT, as Ctrl-C does.
    pub fn interrupt(&self) {
        let sent = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Waits for the end; all it printed.
    pub fn finish(self) -> Run {
        let out = self.child.wait_with_output().unwrap();
        self.reader.join().unwrap();
        let stderr = self.stderr.lock().unwrap().clone();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        }
    }
}

/// Runs the tool against moto on the reference stack (workloads left out: see
/// [`command`]).
pub fn multiregion(url: &str, args: &[&str]) -> Run {
    multiregion_with(url, STACK, args)
}

/// The reference stack edited by `edit`, in a temporary folder (kept while the guard lives),
/// its manifests found where they are.
pub fn edited_stack(edit: impl Fn(String) -> String) -> (tempfile::TempDir, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifests = root.join("manifests");
    let text = std::fs::read_to_string(root.join(STACK))
        .unwrap()
        .replace("../manifests", manifests.to_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stack.yaml");
    std::fs::write(&path, edit(text)).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

/// The action `plan --output json` gives the change of `id`, if any.
pub fn planned_action(plan: &serde_json::Value, id: &str) -> Option<String> {
    plan["changes"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["action"].as_str())
        .map(str::to_string)
}

/// An EC2 filter for what carries this logical id.
pub fn tagged(id: &str) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder()
        .name("tag:multiregion:id")
        .values(id)
        .build()
}

pub async fn id_of_vpc(ec2: &aws_sdk_ec2::Client, id: &str) -> String {
    let out = ec2
        .describe_vpcs()
        .filters(tagged(id))
        .send()
        .await
        .unwrap();
    out.vpcs()[0].vpc_id().unwrap().to_string()
}

/// An independent look at both regions: nothing of the stack's is left, in any service.
pub async fn assert_nothing_left(url: &str) {
    let stack = aws_sdk_ec2::types::Filter::builder()
        .name("tag:multiregion:stack")
        .values("petclinic")
        .build();
    for region in ["us-east-1", "us-west-2"] {
        let config = sdk_config(url, region).await;
        let ec2 = aws_sdk_ec2::Client::new(&config);
        let vpcs = ec2
            .describe_vpcs()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(vpcs.vpcs().is_empty(), "{region}: VPCs left");
        let subnets = ec2
            .describe_subnets()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(subnets.subnets().is_empty(), "{region}: subnets left");
        let igws = ec2
            .describe_internet_gateways()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(
            igws.internet_gateways().is_empty(),
            "{region}: internet gateways left"
        );
        let eips = ec2
            .describe_addresses()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(eips.addresses().is_empty(), "{region}: Elastic IPs left");
        let groups = ec2
            .describe_security_groups()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(
            groups.security_groups().is_empty(),
            "{region}: security groups left"
        );
        let tables = ec2
            .describe_route_tables()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(
            tables.route_tables().is_empty(),
            "{region}: route tables left"
        );
        // NAT gateways and peerings stay listed for a while in state `deleted`, as on AWS.
        let nats = ec2.describe_nat_gateways().send().await.unwrap();
        for n in nats.nat_gateways() {
            let ours = n
                .tags()
                .iter()
                .any(|t| t.key() == Some("multiregion:stack") && t.value() == Some("petclinic"));
            let state = n.state().map(|s| s.as_str()).unwrap_or_default();
            assert!(
                !ours || state == "deleted",
                "{region}: NAT gateway {:?} is {state}",
                n.nat_gateway_id()
            );
        }
        let pcx = ec2.describe_vpc_peering_connections().send().await.unwrap();
        for p in pcx.vpc_peering_connections() {
            let code = p
                .status()
                .and_then(|s| s.code())
                .map(|c| c.as_str())
                .unwrap_or_default();
            assert_eq!(
                code,
                "deleted",
                "{region}: peering {:?}",
                p.vpc_peering_connection_id()
            );
        }
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
        let lbs = elb.describe_load_balancers().send().await.unwrap();
        assert!(
            lbs.load_balancers().is_empty(),
            "{region}: load balancers left"
        );
        let tgs = elb.describe_target_groups().send().await.unwrap();
        assert!(
            tgs.target_groups().is_empty(),
            "{region}: target groups left"
        );
        let eks = aws_sdk_eks::Client::new(&config);
        let clusters = eks.list_clusters().send().await.unwrap();
        assert!(
            clusters.clusters().is_empty(),
            "{region}: clusters left: {:?}",
            clusters.clusters()
        );
        let waf = aws_sdk_wafv2::Client::new(&config);
        let acls = waf
            .list_web_acls()
            .scope(aws_sdk_wafv2::types::Scope::Regional)
            .send()
            .await
            .unwrap();
        assert!(acls.web_acls().is_empty(), "{region}: web ACLs left");
        let flow_logs = ec2.describe_flow_logs().send().await.unwrap();
        assert!(flow_logs.flow_logs().is_empty(), "{region}: flow logs left");
        let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix("/multiregion/petclinic/")
            .send()
            .await
            .unwrap();
        assert!(groups.log_groups().is_empty(), "{region}: log groups left");
    }
}
