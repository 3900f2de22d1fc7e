//! The price table the estimates use: on-demand list prices in USD per region, dated, so an
//! estimate says how old its prices are and a test says when the table needs refreshing.
//!
//! Figures are AWS's published on-demand prices (Linux, shared tenancy, standard EKS support,
//! CloudWatch Logs standard class), as compiled on [`TABLE_DATE`]. Regions or instance types
//! not listed are reported as unpriced, never guessed.

/// When the table was compiled (`YYYY-MM-DD`).
pub const TABLE_DATE: &str = "2026-12-02";
/// Where the figures come from, as the output says.
pub const TABLE_SOURCE: &str = "AWS on-demand list prices (Linux, shared tenancy), USD";
/// How old the table may get before a test asks for it to be refreshed.
pub const MAX_AGE_DAYS: i64 = 180;
/// Hours in a month, as AWS bills them.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Prices in one region.
#[derive(Debug)]
pub struct RegionPrices {
    pub region: &'static str,
    /// EKS cluster, per hour (standard support).
    pub eks_hour: f64,
    /// EKS cluster on a version past standard support, per hour.
    pub eks_extended_hour: f64,
    pub nat_hour: f64,
    /// NAT data processed, per GB.
    pub nat_gb: f64,
    /// A public IPv4 address, per hour.
    pub ipv4_hour: f64,
    pub alb_hour: f64,
    /// Per load balancer capacity unit and hour.
    pub alb_lcu_hour: f64,
    pub nlb_hour: f64,
    pub nlb_lcu_hour: f64,
    /// gp3 volume storage, per GB-month (each node's 20 GiB root volume).
    pub ebs_gp3_gb_month: f64,
    /// CloudWatch Logs ingestion, per GB.
    pub logs_ingest_gb: f64,
    /// CloudWatch Logs storage, per GB-month.
    pub logs_store_gb_month: f64,
    /// Data transfer to another AWS region, per GB.
    pub inter_region_gb: f64,
    /// On-demand instance prices per hour.
    pub instances: &'static [(&'static str, f64)],
}

/// WAF prices are the same in every region.
pub const WAF_ACL_MONTH: f64 = 5.0;
pub const WAF_RULE_MONTH: f64 = 1.0;
pub const WAF_MILLION_REQUESTS: f64 = 0.60;
/// A standard-resolution CloudWatch alarm, per metric it reads and month (the same in the
/// table's regions).
pub const ALARM_METRIC_MONTH: f64 = 0.10;
/// A customer-managed KMS key per month, the same in the table's regions; EKS's requests
/// (a data key cached per secret write and read) stay within KMS's 20,000 free a month.
pub const KMS_KEY_MONTH: f64 = 1.00;

const US_EAST_INSTANCES: &[(&str, f64)] = &[
    ("t3.micro", 0.0104),
    ("t3.small", 0.0208),
    ("t3.medium", 0.0416),
    ("t3.large", 0.0832),
    ("t3.xlarge", 0.1664),
    ("t3.2xlarge", 0.3328),
    ("t3a.medium", 0.0376),
    ("t3a.large", 0.0752),
    ("m5.large", 0.096),
    ("m5.xlarge", 0.192),
    ("m5.2xlarge", 0.384),
    ("m6i.large", 0.096),
    ("m6i.xlarge", 0.192),
    ("m6i.2xlarge", 0.384),
    ("m7i.large", 0.1008),
    ("m7i.xlarge", 0.2016),
    ("m6g.large", 0.077),
    ("m7g.large", 0.0816),
    ("c5.large", 0.085),
    ("c6i.large", 0.085),
    ("r5.large", 0.126),
    ("r6i.large", 0.126),
];

const US_WEST_1_INSTANCES: &[(&str, f64)] = &[
    ("t3.small", 0.0248),
    ("t3.medium", 0.0496),
    ("t3.large", 0.0992),
    ("t3.xlarge", 0.1984),
    ("m5.large", 0.112),
    ("m5.xlarge", 0.224),
    ("m6i.large", 0.112),
    ("m6i.xlarge", 0.224),
    ("c5.large", 0.106),
    ("r5.large", 0.148),
];

const EU_WEST_1_INSTANCES: &[(&str, f64)] = &[
    ("t3.small", 0.0228),
    ("t3.medium", 0.0456),
    ("t3.large", 0.0912),
    ("t3.xlarge", 0.1824),
    ("m5.large", 0.107),
    ("m5.xlarge", 0.214),
    ("m6i.large", 0.107),
    ("m6i.xlarge", 0.214),
    ("c5.large", 0.096),
    ("r5.large", 0.141),
];

const EU_CENTRAL_1_INSTANCES: &[(&str, f64)] = &[
    ("t3.small", 0.024),
    ("t3.medium", 0.048),
    ("t3.large", 0.096),
    ("t3.xlarge", 0.192),
    ("m5.large", 0.115),
    ("m5.xlarge", 0.23),
    ("m6i.large", 0.115),
    ("m6i.xlarge", 0.23),
    ("c5.large", 0.097),
    ("r5.large", 0.152),
];

/// us-east-1, us-east-2 and us-west-2 share one price list.
const fn us_east(region: &'static str) -> RegionPrices {
    RegionPrices {
        region,
        eks_hour: 0.10,
        eks_extended_hour: 0.60,
        nat_hour: 0.045,
        nat_gb: 0.045,
        ipv4_hour: 0.005,
        alb_hour: 0.0225,
        alb_lcu_hour: 0.008,
        nlb_hour: 0.0225,
        nlb_lcu_hour: 0.006,
        ebs_gp3_gb_month: 0.08,
        logs_ingest_gb: 0.50,
        logs_store_gb_month: 0.03,
        inter_region_gb: 0.02,
        instances: US_EAST_INSTANCES,
    }
}

pub const TABLE: &[RegionPrices] = &[
    us_east("us-east-1"),
    us_east("us-east-2"),
    us_east("us-west-2"),
    RegionPrices {
        region: "us-west-1",
        eks_hour: 0.10,
        eks_extended_hour: 0.60,
        nat_hour: 0.048,
        nat_gb: 0.048,
        ipv4_hour: 0.005,
        alb_hour: 0.0252,
        alb_lcu_hour: 0.008,
        nlb_hour: 0.0252,
        nlb_lcu_hour: 0.006,
        ebs_gp3_gb_month: 0.096,
        logs_ingest_gb: 0.50,
        logs_store_gb_month: 0.03,
        inter_region_gb: 0.02,
        instances: US_WEST_1_INSTANCES,
    },
    RegionPrices {
        region: "eu-west-1",
        eks_hour: 0.10,
        eks_extended_hour: 0.60,
        nat_hour: 0.048,
        nat_gb: 0.048,
        ipv4_hour: 0.005,
        alb_hour: 0.0252,
        alb_lcu_hour: 0.008,
        nlb_hour: 0.0252,
        nlb_lcu_hour: 0.006,
        ebs_gp3_gb_month: 0.088,
        logs_ingest_gb: 0.57,
        logs_store_gb_month: 0.03,
        inter_region_gb: 0.02,
        instances: EU_WEST_1_INSTANCES,
    },
    RegionPrices {
        region: "eu-central-1",
        eks_hour: 0.10,
        eks_extended_hour: 0.60,
        nat_hour: 0.052,
        nat_gb: 0.052,
        ipv4_hour: 0.005,
        alb_hour: 0.027,
        alb_lcu_hour: 0.008,
        nlb_hour: 0.027,
        nlb_lcu_hour: 0.006,
        ebs_gp3_gb_month: 0.0952,
        logs_ingest_gb: 0.63,
        logs_store_gb_month: 0.0324,
        inter_region_gb: 0.02,
        instances: EU_CENTRAL_1_INSTANCES,
    },
];

/// The prices of `region`, when the table has them.
pub fn region(region: &str) -> Option<&'static RegionPrices> {
    TABLE.iter().find(|p| p.region == region)
}

impl RegionPrices {
    /// The hourly price of an instance type, when the table has it.
    pub fn instance_hour(&self, instance_type: &str) -> Option<f64> {
        self.instances
            .iter()
            .find(|(t, _)| *t == instance_type)
            .map(|(_, p)| *p)
    }
}

/// Days from 1970-01-01 to the date `YYYY-MM-DD` (proleptic Gregorian), or `None` when it is
/// not such a date.
pub fn days_since_epoch(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// How many days old the table is today.
pub fn table_age_days() -> Option<i64> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    Some(now / 86_400 - days_since_epoch(TABLE_DATE)?)
}
