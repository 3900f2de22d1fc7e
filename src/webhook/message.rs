//! An SNS HTTP(S) delivery as SNS sends it, and the exact text its signature covers.

use serde::Deserialize;

/// The JSON body SNS POSTs: a notification or a (un)subscription confirmation. Fields SNS may
/// leave out are optional here, so a message that lacks one is refused by the check that needs
/// it (with a reason) rather than as malformed JSON.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnsMessage {
    #[serde(rename = "Type")]
    pub kind: String,
    pub message_id: String,
    pub topic_arn: String,
    #[serde(default)]
    pub subject: Option<String>,
    pub message: String,
    pub timestamp: String,
    #[serde(default)]
    pub signature_version: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(rename = "SigningCertURL", default)]
    pub signing_cert_url: Option<String>,
    #[serde(rename = "SubscribeURL", default)]
    pub subscribe_url: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
}

pub const NOTIFICATION: &str = "Notification";
pub const SUBSCRIPTION_CONFIRMATION: &str = "SubscriptionConfirmation";
pub const UNSUBSCRIBE_CONFIRMATION: &str = "UnsubscribeConfirmation";

impl SnsMessage {
    pub fn parse(body: &[u8]) -> Result<SnsMessage, String> {
        let message: SnsMessage =
            serde_json::from_slice(body).map_err(|e| format!("not an SNS message: {e}"))?;
        match message.kind.as_str() {
            NOTIFICATION | SUBSCRIPTION_CONFIRMATION | UNSUBSCRIBE_CONFIRMATION => Ok(message),
            other => Err(format!(
                "not an SNS message: Type `{}` is none of Notification, \
                 SubscriptionConfirmation, UnsubscribeConfirmation",
                other.chars().take(40).collect::<String>()
            )),
        }
    }

    /// The string to sign, as AWS documents it
    /// (<https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html>): the
    /// listed keys in byte order, each as `key\nvalue\n`; Subject only when the message has one.
    pub fn string_to_sign(&self) -> Result<String, String> {
        let mut pairs: Vec<(&str, &str)> =
            vec![("Message", &self.message), ("MessageId", &self.message_id)];
        match self.kind.as_str() {
            NOTIFICATION => {
                if let Some(subject) = &self.subject {
                    pairs.push(("Subject", subject));
                }
                pairs.push(("Timestamp", &self.timestamp));
            }
            _ => {
                let url = self
                    .subscribe_url
                    .as_deref()
                    .ok_or("the confirmation has no SubscribeURL")?;
                let token = self
                    .token
                    .as_deref()
                    .ok_or("the confirmation has no Token")?;
                pairs.push(("SubscribeURL", url));
                pairs.push(("Timestamp", &self.timestamp));
                pairs.push(("Token", token));
            }
        }
        pairs.push(("TopicArn", &self.topic_arn));
        pairs.push(("Type", &self.kind));
        Ok(pairs.iter().map(|(k, v)| format!("{k}\n{v}\n")).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(subject: Option<&str>) -> SnsMessage {
        let mut v = serde_json::json!({
            "Type": "Notification", "MessageId": "m-1",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:petclinic-c1-alerts",
            "Message": "hello", "Timestamp": "2026-12-01T10:00:00.000Z",
            "SignatureVersion": "2", "Signature": "c2ln",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/x.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"
        });
        if let Some(s) = subject {
            v["Subject"] = s.into();
        }
        SnsMessage::parse(v.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn webhook_notification_string_to_sign_has_subject_only_when_present() {
        let arn = "arn:aws:sns:us-east-1:123456789012:petclinic-c1-alerts";
        assert_eq!(
            notification(None).string_to_sign().unwrap(),
            format!(
                "Message\nhello\nMessageId\nm-1\nTimestamp\n2026-12-01T10:00:00.000Z\n\
                 TopicArn\n{arn}\nType\nNotification\n"
            )
        );
        assert_eq!(
            notification(Some("ALARM")).string_to_sign().unwrap(),
            format!(
                "Message\nhello\nMessageId\nm-1\nSubject\nALARM\n\
                 Timestamp\n2026-12-01T10:00:00.000Z\nTopicArn\n{arn}\nType\nNotification\n"
            )
        );
    }

    #[test]
    fn webhook_confirmation_string_to_sign_has_url_and_token() {
        let body = serde_json::json!({
            "Type": "SubscriptionConfirmation", "MessageId": "m-2", "Token": "tok",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "confirm",
            "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
            "Timestamp": "2026-12-01T10:00:00Z", "SignatureVersion": "2",
            "Signature": "c2ln", "SigningCertURL": "https://sns.us-east-1.amazonaws.com/x.pem"
        });
        let m = SnsMessage::parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            m.string_to_sign().unwrap(),
            "Message\nconfirm\nMessageId\nm-2\nSubscribeURL\n\
             https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription\n\
             Timestamp\n2026-12-01T10:00:00Z\nToken\ntok\n\
             TopicArn\narn:aws:sns:us-east-1:123456789012:t\nType\nSubscriptionConfirmation\n"
        );
    }

    #[test]
    fn webhook_malformed_or_foreign_bodies_are_refused() {
        assert!(SnsMessage::parse(b"\xff\x00garbage").is_err());
        assert!(SnsMessage::parse(b"{}").is_err());
        let other =
            br#"{"Type":"Other","MessageId":"m","TopicArn":"a","Message":"x","Timestamp":"t"}"#;
        assert!(
            SnsMessage::parse(other)
                .unwrap_err()
                .contains("Type `Other`")
        );
    }
}
