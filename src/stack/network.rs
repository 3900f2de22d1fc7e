//! CIDR arithmetic for the stack's networks: parsing with clear reasons, and subnet derivation.

use crate::quote::quoted;
use ipnet::Ipv4Net;

/// Parses an IPv4 block that must be written as its network address.
pub fn parse_block(text: &str) -> Result<Ipv4Net, (String, Option<String>)> {
    if let Some(number) = with_leading_zero(text) {
        let plain: Vec<String> = text
            .split(['.', '/'])
            .map(|n| n.trim_start_matches('0'))
            .map(|n| if n.is_empty() { "0" } else { n }.to_string())
            .collect();
        let hint = match plain.as_slice() {
            [a, b, c, d, prefix] => Some(format!(
                "write it without leading zeros: `{a}.{b}.{c}.{d}/{prefix}`"
            )),
            _ => None,
        };
        return Err((
            format!(
                "{} has a number with a leading zero (`{number}`), which some tools read as octal",
                quoted(text)
            ),
            hint,
        ));
    }
    let net: Ipv4Net = text.parse().map_err(|_| {
        (
            format!("{} is not an IPv4 CIDR block", quoted(text)),
            Some("write it as address/prefix, for example 10.0.0.0/16".to_string()),
        )
    })?;
    if net.network() != net.addr() {
        return Err((
            format!("{} has host bits set", quoted(text)),
            Some(format!("did you mean `{}`?", net.trunc())),
        ));
    }
    Ok(net)
}

/// The first number written with a leading zero: `010` is 10 to some parsers and 8 (octal) to
/// others (`inet_aton`, so ping and curl), so such a block could mean two networks.
fn with_leading_zero(text: &str) -> Option<&str> {
    text.split(['.', '/'])
        .find(|n| n.len() > 1 && n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Bits added to the VPC prefix for derived subnets: 16 equal blocks, public ones from the
/// bottom, private ones from the middle, so a /16 gives /20s with room to grow.
const DERIVED_SUBNET_BITS: u8 = 4;
/// AWS's smallest subnet.
pub const SMALLEST_SUBNET_PREFIX: u8 = 28;

/// Public and private blocks, one per AZ, derived from the VPC block.
/// `None` when the VPC is too small or there are more than 8 AZs.
pub fn derive_subnets(vpc: Ipv4Net, azs: u8) -> Option<(Vec<Ipv4Net>, Vec<Ipv4Net>)> {
    let prefix = vpc.prefix_len() + DERIVED_SUBNET_BITS;
    if prefix > SMALLEST_SUBNET_PREFIX || azs > 8 {
        return None;
    }
    let blocks: Vec<Ipv4Net> = vpc.subnets(prefix).ok()?.collect();
    let azs = usize::from(azs);
    Some((blocks[..azs].to_vec(), blocks[8..8 + azs].to_vec()))
}

pub fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_twenties_from_a_sixteen() {
        let (public, private) = derive_subnets("10.0.0.0/16".parse().unwrap(), 2).unwrap();
        let show = |v: Vec<Ipv4Net>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(show(public), ["10.0.0.0/20", "10.0.16.0/20"]);
        assert_eq!(show(private), ["10.0.128.0/20", "10.0.144.0/20"]);
        assert!(derive_subnets("10.0.0.0/25".parse().unwrap(), 2).is_none());
    }

    #[test]
    fn rejects_host_bits_with_a_suggestion() {
        let (message, hint) = parse_block("10.0.1.0/16").unwrap_err();
        assert!(message.contains("host bits"));
        assert_eq!(hint.as_deref(), Some("did you mean `10.0.0.0/16`?"));
        assert!(parse_block("10.0.0/16").is_err());
        assert!(parse_block("0.0.0.0/0").is_ok());
        assert!(parse_block("300.0.0.0/16").is_err());
    }

    #[test]
    fn refuses_leading_zeros_that_some_tools_read_as_octal() {
        for (text, number, plain) in [
            ("10.00.0.0/16", "00", "10.0.0.0/16"),
            ("010.0.0.0/16", "010", "10.0.0.0/16"),
            ("10.1.0.0/016", "016", "10.1.0.0/16"),
        ] {
            let (message, hint) = parse_block(text).unwrap_err();
            assert_eq!(
                message,
                format!(
                    "`{text}` has a number with a leading zero (`{number}`), which some tools read as octal"
                )
            );
            assert_eq!(
                hint,
                Some(format!("write it without leading zeros: `{plain}`"))
            );
        }
        assert_eq!(
            parse_block("10.0.0.0/16").unwrap().to_string(),
            "10.0.0.0/16"
        );
    }
}
