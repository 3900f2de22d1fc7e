//! Estimates told as text: the itemised table, two environments side by side, and the one line
//! a plan ends with.

use std::fmt::Write as _;

use super::{CostDelta, Estimate, PriceSource};
use crate::stack::diagnostic::thousands;

fn dollars(x: f64) -> String {
    let cents = (x * 100.0).round() as i64;
    let (sign, cents) = if cents < 0 {
        ("-", -cents)
    } else {
        ("", cents)
    };
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

/// `2 nodes`, `1 public IPv4 address`, `50 GB`.
fn plural(quantity: f64, unit: &str) -> String {
    let q = if quantity.fract() == 0.0 {
        format!("{}", quantity.abs())
    } else {
        format!("{:.1}", quantity.abs())
    };
    if quantity.abs() == 1.0 || unit == "GB" {
        format!("{q} {unit}")
    } else if unit.ends_with("ss") {
        format!("{q} {unit}es")
    } else {
        format!("{q} {unit}s")
    }
}

fn prices_line(p: &PriceSource) -> String {
    let age = p
        .age_days
        .map(|d| format!(", {d} days old"))
        .unwrap_or_default();
    format!("Prices: {} of {}{age}.", p.source, p.date)
}

impl Estimate {
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let env = self
            .env
            .as_ref()
            .map(|e| format!(" in environment `{e}`"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "Monthly cost of stack `{}`{env}, as written:",
            self.stack
        );
        let _ = writeln!(out, "{}", prices_line(&self.prices));
        let u = &self.usage;
        let _ = writeln!(
            out,
            "Usage assumed (spec.usage): {} requests of {} KB, {} GB through NAT and {} GB \
             across the peering per region, {} GB flow logs per region, {} GB control-plane \
             logs per cluster, each month.",
            thousands(u.requests_per_month as usize),
            u.response_kb,
            u.nat_gb_per_month,
            u.cross_region_gb_per_month,
            u.flow_log_gb_per_month,
            u.control_plane_log_gb_per_month
        );
        let width = self
            .regions
            .iter()
            .flat_map(|r| r.lines.iter().map(|l| l.item.len()))
            .chain(self.regions.iter().map(|r| r.name.len() + 6))
            .max()
            .unwrap_or(10);
        let quantities = self
            .regions
            .iter()
            .flat_map(|r| r.lines.iter().map(|l| plural(l.quantity, l.unit).len()))
            .max()
            .unwrap_or(0);
        let row = |out: &mut String, item: &str, quantity: &str, monthly: &str, at_max: &str| {
            let text =
                format!("  {item:<width$}  {quantity:<quantities$}  {monthly:>10}  {at_max:>10}");
            let _ = writeln!(out, "{}", text.trim_end());
        };
        for region in &self.regions {
            let title = format!("{} ({})", region.name, region.aws_region);
            let _ = writeln!(
                out,
                "\n{title:<w$}  {:>10}  {:>10}",
                "per month",
                "at max",
                w = width + quantities + 4
            );
            for l in &region.lines {
                let at_max = l.at_max.map(dollars).unwrap_or_default();
                row(
                    &mut out,
                    &l.item,
                    &plural(l.quantity, l.unit),
                    &dollars(l.monthly),
                    &at_max,
                );
                let _ = writeln!(out, "      {}", l.detail);
            }
            row(
                &mut out,
                &format!("Total {}", region.name),
                "",
                &dollars(region.monthly),
                &dollars(region.at_max),
            );
        }
        let _ = writeln!(
            out,
            "\nTotal: {}/month ({} with every node group at its max).",
            dollars(self.monthly),
            dollars(self.at_max)
        );
        for u in &self.unpriced {
            let _ = writeln!(out, "Not priced (the total leaves it out): {u}");
        }
        out
    }
}

/// Two environments' bills side by side, region by region and line by line.
pub fn compare_text(a: &Estimate, b: &Estimate) -> String {
    let name = |e: &Estimate| e.env.clone().unwrap_or_else(|| "base".to_string());
    let (an, bn) = (name(a), name(b));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Monthly cost of `{}` ({an}) and `{}` ({bn}):",
        a.stack, b.stack
    );
    let _ = writeln!(out, "{}", prices_line(&a.prices));
    let mut rows: Vec<(String, String, Option<f64>, Option<f64>)> = Vec::new();
    let mut put = |region: &str, item: &str, value: f64, left: bool| {
        let row = match rows.iter_mut().find(|r| r.0 == region && r.1 == item) {
            Some(row) => row,
            None => {
                rows.push((region.to_string(), item.to_string(), None, None));
                rows.last_mut().expect("just pushed")
            }
        };
        if left {
            row.2 = Some(value)
        } else {
            row.3 = Some(value)
        }
    };
    for (e, left) in [(a, true), (b, false)] {
        for r in &e.regions {
            for l in &r.lines {
                put(&r.name, &l.item, l.monthly, left);
            }
            put(&r.name, &format!("Total {}", r.name), r.monthly, left);
        }
    }
    // Region by region in the stack's order, each region's total last.
    let order: Vec<&str> = a
        .regions
        .iter()
        .chain(&b.regions)
        .map(|r| r.name.as_str())
        .collect();
    let place = |region: &str| {
        order
            .iter()
            .position(|r| *r == region)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by_key(|r| (place(&r.0), r.1.starts_with("Total ")));
    let width = rows.iter().map(|r| r.1.len()).max().unwrap_or(10);
    let _ = writeln!(
        out,
        "\n  {:<width$}  {:>11}  {:>11}  {:>11}",
        "", an, bn, "change"
    );
    let cell = |v: Option<f64>| v.map(dollars).unwrap_or_else(|| "-".to_string());
    let mut region = "";
    for (in_region, item, x, y) in &rows {
        if in_region != region {
            region = in_region;
            let _ = writeln!(out, "{region}");
        }
        let change = y.unwrap_or(0.0) - x.unwrap_or(0.0);
        let _ = writeln!(
            out,
            "  {item:<width$}  {:>11}  {:>11}  {:>11}",
            cell(*x),
            cell(*y),
            signed(change)
        );
    }
    let _ = writeln!(
        out,
        "  {:<width$}  {:>11}  {:>11}  {:>11}",
        "Total",
        dollars(a.monthly),
        dollars(b.monthly),
        signed(b.monthly - a.monthly)
    );
    let mut unpriced: Vec<&String> = a.unpriced.iter().chain(&b.unpriced).collect();
    unpriced.sort();
    unpriced.dedup();
    for u in unpriced {
        let _ = writeln!(out, "Not priced (the totals leave it out): {u}");
    }
    out
}

fn signed(x: f64) -> String {
    if x >= 0.005 {
        format!("+{}", dollars(x))
    } else {
        dollars(x)
    }
}

/// The line a plan ends with: `+$34.56/month: 1 NAT gateway, 1 public IPv4 address (prices of
/// 2026-12-02)`.
pub fn delta_text(delta: &CostDelta) -> String {
    if delta.changes.is_empty() {
        return format!(
            "Cost: no change to the monthly estimate (prices of {}).",
            delta.prices_date
        );
    }
    // Counted things summed per unit across regions; what usage sizes (GB) as one sum; a line
    // whose count does not change but whose price does (another instance type, extended
    // support) by its name.
    let mut units: Vec<(&str, f64, Vec<&super::LineChange>)> = Vec::new();
    let mut usage = 0.0;
    for c in &delta.changes {
        if c.unit == "GB" {
            usage += c.monthly;
        } else if let Some(entry) = units.iter_mut().find(|(unit, ..)| *unit == c.unit) {
            entry.1 += c.quantity;
            entry.2.push(c);
        } else {
            units.push((c.unit, c.quantity, vec![c]));
        }
    }
    let by_name =
        |c: &super::LineChange| format!("{} ({}) {}", c.item, c.region, signed(c.monthly));
    // Signs on every count once some go down: `-1 NAT gateway, +1 node`.
    let mixed = units.iter().any(|(_, q, _)| *q <= -0.05);
    let mut what: Vec<String> = Vec::new();
    for (unit, q, changes) in &units {
        if q.abs() >= 0.05 {
            let sign = match (*q < 0.0, mixed) {
                (true, _) => "-",
                (false, true) => "+",
                (false, false) => "",
            };
            what.push(format!("{sign}{}", plural(*q, unit)));
        } else {
            what.extend(changes.iter().map(|c| by_name(c)));
        }
    }
    if usage.abs() >= super::CENT {
        what.push(format!("{} in logs and data by spec.usage", signed(usage)));
    }
    if what.is_empty() {
        what = delta.changes.iter().map(by_name).collect();
    }
    let mut text = format!(
        "Cost: {}/month: {} (prices of {}).",
        signed(delta.monthly),
        what.join(", "),
        delta.prices_date
    );
    if !delta.unpriced.is_empty() {
        text.push_str(&format!(" Not priced: {}.", delta.unpriced.join("; ")));
    }
    text
}
