//! `webhook serve`: a receiver for the SNS HTTP(S) deliveries of the stack's alarm topics. A
//! delivery is accepted only from one of the stack's topics and, unless told otherwise, only
//! with a valid SNS signature; each becomes an [`event::Event`] sent to the command.

pub mod event;
pub mod message;
mod replay;
pub mod server;
pub mod signature;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc;

use event::{Event, Kind};
use message::{SUBSCRIPTION_CONFIRMATION, SnsMessage};

/// Test notifications remembered for `GET /.multiregion/deliveries/<nonce>`.
const DELIVERIES_KEPT: usize = 1000;
/// An answer to a subscription confirmation is small; more is not read.
const MAX_CONFIRM_BYTES: usize = 64 * 1024;
/// How long one outgoing request (certificate, confirmation) may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// One of the stack's alarm topics.
#[derive(Debug, Clone)]
pub struct Topic {
    /// The stack's name for the region (`c1`).
    pub region_name: String,
    /// The AWS region the topic lives in (`us-east-1`).
    pub aws_region: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub stack: String,
    pub topics: Vec<Topic>,
    /// False only with --insecure-skip-signature.
    pub verify: bool,
    /// An emulator's endpoint: certificates and confirmations are fetched there.
    pub endpoint_url: Option<String>,
    /// The account whose topics are the stack's. Topic names are predictable: without it,
    /// anyone's topic of the same name, signed by SNS as genuinely, would be taken.
    pub account: String,
}

impl Config {
    pub fn topics_of(valid: &crate::stack::ValidStack) -> Vec<Topic> {
        let stack = &valid.stack.metadata.name;
        valid
            .stack
            .spec
            .regions
            .iter()
            .map(|r| Topic {
                region_name: r.name.clone(),
                aws_region: r.region.clone(),
                name: crate::alerts::topic_name(stack, &r.name),
            })
            .collect()
    }
}

/// The topic an ARN names, with its partition, if it is one of `topics`:
/// `arn:aws[-cn|-us-gov]:sns:<aws region>:<12 digits>:<name>`.
pub fn match_topic<'a>(arn: &str, topics: &'a [Topic]) -> Result<(String, &'a Topic), String> {
    let shown: String = arn.chars().take(200).collect();
    let parts: Vec<&str> = arn.split(':').collect();
    let [prefix, partition, service, region, account, name] = parts[..] else {
        return Err(format!("TopicArn `{shown}` is not an SNS topic ARN"));
    };
    if prefix != "arn"
        || !["aws", "aws-cn", "aws-us-gov"].contains(&partition)
        || service != "sns"
        || account.len() != 12
        || !account.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("TopicArn `{shown}` is not an SNS topic ARN"));
    }
    topics
        .iter()
        .find(|t| t.aws_region == region && t.name == name)
        .map(|t| (partition.to_string(), t))
        .ok_or_else(|| format!("TopicArn `{shown}` is not one of the stack's alarm topics"))
}

/// A test notification as `alarms test` reads it back.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub nonce: String,
    pub verified: bool,
    pub topic_arn: String,
    pub received_at: String,
}

/// The last [`DELIVERIES_KEPT`] test notifications by nonce.
#[derive(Default)]
pub struct Deliveries(Mutex<(VecDeque<String>, HashMap<String, Delivery>)>);

impl Deliveries {
    pub fn record(&self, delivery: Delivery) {
        let Ok(mut guard) = self.0.lock() else { return };
        let (order, map) = &mut *guard;
        if map
            .insert(delivery.nonce.clone(), delivery.clone())
            .is_none()
        {
            order.push_back(delivery.nonce);
        }
        while order.len() > DELIVERIES_KEPT {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
    }

    pub fn get(&self, nonce: &str) -> Option<Delivery> {
        self.0.lock().ok()?.1.get(nonce).cloned()
    }
}

/// Outgoing GETs (certificates, confirmations): a trait so tests fetch without a network.
#[async_trait::async_trait]
pub trait Fetch: Send + Sync {
    /// The body of a 2xx answer, at most `limit` bytes.
    async fn get(&self, url: &str, limit: usize) -> Result<Vec<u8>, String>;

    /// [`Fetch::get`] from an emulator, which may need telling which service and region the
    /// request is for (SNS's own host said it).
    async fn get_from_emulator(
        &self,
        url: &str,
        limit: usize,
        _region: &str,
    ) -> Result<Vec<u8>, String> {
        self.get(url, limit).await
    }
}

/// The region of an SNS host (`sns.us-east-1.amazonaws.com`).
fn sns_region(url: &reqwest::Url) -> &str {
    let host = url.host_str().unwrap_or_default();
    host.strip_prefix("sns.")
        .and_then(|h| h.split('.').next())
        .unwrap_or_default()
}

/// A GET of `target` (SNS's `url` itself, or its path on the emulator).
async fn fetch(
    state: &State,
    url: &reqwest::Url,
    target: &str,
    limit: usize,
) -> Result<Vec<u8>, String> {
    match state.config.endpoint_url {
        Some(_) => {
            state
                .fetch
                .get_from_emulator(target, limit, sns_region(url))
                .await
        }
        None => state.fetch.get(target, limit).await,
    }
}

pub struct HttpFetch(reqwest::Client);

impl HttpFetch {
    pub fn new() -> Result<HttpFetch, String> {
        reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            // A redirect could leave SNS's host, which was the point of checking it.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map(HttpFetch)
            .map_err(|e| format!("cannot build the HTTP client: {e}"))
    }
}

#[async_trait::async_trait]
impl Fetch for HttpFetch {
    async fn get(&self, url: &str, limit: usize) -> Result<Vec<u8>, String> {
        read_bounded(self.0.get(url), url, limit).await
    }

    /// moto tells services apart by the credential scope of a request's Authorization
    /// header, which SNS's own certificate and confirmation URLs do not need: one naming SNS
    /// in the region, unsigned (the emulator checks no signature).
    async fn get_from_emulator(
        &self,
        url: &str,
        limit: usize,
        region: &str,
    ) -> Result<Vec<u8>, String> {
        let scope = format!(
            "AWS4-HMAC-SHA256 Credential=emulator/20000101/{region}/sns/aws4_request, SignedHeaders=host, Signature=0"
        );
        read_bounded(self.0.get(url).header("authorization", scope), url, limit).await
    }
}

/// The body of a 2xx answer to `request`, at most `limit` bytes.
async fn read_bounded(
    request: reqwest::RequestBuilder,
    url: &str,
    limit: usize,
) -> Result<Vec<u8>, String> {
    let mut response = request.send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("{url} answered {}", response.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > limit {
            return Err(format!("{url} answered more than {limit} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// What the server shares between connections.
pub struct State {
    pub config: Config,
    pub fetch: Arc<dyn Fetch>,
    pub certs: signature::CertCache,
    pub deliveries: Deliveries,
    /// The MessageIds already handled.
    pub seen: replay::Seen,
    pub events: mpsc::UnboundedSender<Event>,
}

impl State {
    pub fn new(config: Config, fetch: Arc<dyn Fetch>) -> (State, mpsc::UnboundedReceiver<Event>) {
        let (events, receiver) = mpsc::unbounded_channel();
        let state = State {
            config,
            fetch,
            certs: signature::CertCache::default(),
            deliveries: Deliveries::default(),
            seen: replay::Seen::default(),
            events,
        };
        (state, receiver)
    }
}

/// An HTTP status and why (the reason is logged for refusals and sent as the body).
pub type Refusal = (u16, String);

/// One POSTed delivery: checked, turned into an event (and a confirmation made).
pub async fn handle_delivery(state: &State, body: &[u8]) -> Result<(), Refusal> {
    let message = SnsMessage::parse(body).map_err(|e| (400, e))?;
    let (partition, topic) =
        match_topic(&message.topic_arn, &state.config.topics).map_err(|e| (403, e))?;
    let account = message.topic_arn.split(':').nth(4).unwrap_or_default();
    if account != state.config.account {
        return Err((
            403,
            format!(
                "TopicArn is of account {account}, not the stack's account {}",
                state.config.account
            ),
        ));
    }
    let host = signature::sns_host(&partition, &topic.aws_region);
    if state.config.verify {
        check_signature(state, &message, &host).await?;
        // Only a signed time can be trusted to be SNS's.
        replay::fresh(&message.timestamp, std::time::SystemTime::now()).map_err(|e| (403, e))?;
    }
    // A delivery SNS repeats because it lost (or is still waiting for) the first answer:
    // acknowledged, told once.
    if !state.seen.claim(&message.message_id) {
        return Ok(());
    }
    let verified = state.config.verify;
    let (stack, region) = (&state.config.stack, &topic.region_name);
    let event = match message.kind.as_str() {
        SUBSCRIPTION_CONFIRMATION => {
            if let Err(refusal) = confirm(state, &message, &host).await {
                // Not confirmed: SNS's next attempt must get through.
                state.seen.release(&message.message_id);
                return Err(refusal);
            }
            Event::of(stack, region, &message, verified, Kind::Confirmation)
        }
        // Notifications and unsubscribe confirmations (told apart by the event's summary).
        _ => Event::of(stack, region, &message, verified, Kind::Notification),
    };
    if let Some(nonce) = &event.nonce {
        state.deliveries.record(Delivery {
            nonce: nonce.clone(),
            verified,
            topic_arn: event.topic_arn.clone(),
            received_at: event.received_at.clone(),
        });
    }
    let _ = state.events.send(event);
    Ok(())
}

/// Refused (403) when the message is not SNS's; 502 when the certificate cannot be had (SNS
/// retries, and the next attempt may get it).
async fn check_signature(state: &State, message: &SnsMessage, host: &str) -> Result<(), Refusal> {
    let url = signature::precheck(message, host).map_err(|e| (403, e))?;
    let key = url.to_string();
    let der = match state.certs.get(&key) {
        Some(der) => der,
        None => {
            let target = signature::fetch_target(&url, state.config.endpoint_url.as_deref());
            let pem = fetch(state, &url, &target, signature::MAX_CERT_BYTES)
                .await
                .map_err(|e| (502, format!("cannot fetch the signing certificate: {e}")))?;
            let der = signature::pem_to_der(&pem).map_err(|e| (403, e))?;
            state.certs.put(&key, der.clone());
            der
        }
    };
    signature::verify(message, &der, std::time::SystemTime::now()).map_err(|e| (403, e))
}

/// GETs the SubscribeURL (SNS's host of the topic's region only, or the emulator's endpoint).
async fn confirm(state: &State, message: &SnsMessage, host: &str) -> Result<(), Refusal> {
    let url = message
        .subscribe_url
        .as_deref()
        .ok_or((400, "the confirmation has no SubscribeURL".to_string()))?;
    let url = signature::check_sns_url(url, host, "SubscribeURL").map_err(|e| (403, e))?;
    let target = signature::fetch_target(&url, state.config.endpoint_url.as_deref());
    fetch(state, &url, &target, MAX_CONFIRM_BYTES)
        .await
        .map(|_| ())
        .map_err(|e| (502, format!("cannot confirm the subscription: {e}")))
}

#[cfg(test)]
mod tests;
