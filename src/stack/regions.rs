//! Facts about AWS regions that validation needs offline.

/// Region code and the number of availability zones a new account can use there.
/// (us-west-1 and ap-northeast-1 list more zones, but new accounts only get these.)
const REGIONS: &[(&str, u8)] = &[
    ("us-east-1", 6),
    ("us-east-2", 3),
    ("us-west-1", 2),
    ("us-west-2", 4),
    ("ca-central-1", 3),
    ("ca-west-1", 3),
    ("mx-central-1", 3),
    ("sa-east-1", 3),
    ("eu-west-1", 3),
    ("eu-west-2", 3),
    ("eu-west-3", 3),
    ("eu-central-1", 3),
    ("eu-central-2", 3),
    ("eu-north-1", 3),
    ("eu-south-1", 3),
    ("eu-south-2", 3),
    ("il-central-1", 3),
    ("me-south-1", 3),
    ("me-central-1", 3),
    ("af-south-1", 3),
    ("ap-east-1", 3),
    ("ap-south-1", 3),
    ("ap-south-2", 3),
    ("ap-northeast-1", 3),
    ("ap-northeast-2", 4),
    ("ap-northeast-3", 3),
    ("ap-southeast-1", 3),
    ("ap-southeast-2", 3),
    ("ap-southeast-3", 3),
    ("ap-southeast-4", 3),
    ("ap-southeast-5", 3),
    ("ap-southeast-7", 3),
];

/// Availability zones in `region`, or `None` when the region is not known.
pub fn az_count(region: &str) -> Option<u8> {
    REGIONS.iter().find(|(r, _)| *r == region).map(|(_, n)| *n)
}

pub fn names() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|(r, _)| *r)
}
