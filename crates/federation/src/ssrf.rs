//! Which URLs and addresses the fetcher may contact.
//!
//! Remote documents name URLs we then fetch (actor ids, key ids, inboxes, media). A hostile
//! server could name `http://127.0.0.1:5432/`, a cloud metadata address (`169.254.169.254`) or a
//! host on the private network; the fetcher must never reach those. The check is in two steps,
//! because a public name can resolve to a private address:
//!
//! 1. [`FetchPolicy::check_url`] before resolving: scheme http(s), no forbidden IP literal, no
//!    `localhost` names;
//! 2. [`FetchPolicy::check_addr`] for every address the name resolves to — and the fetcher must
//!    connect to the address it checked (not resolve again), or DNS rebinding undoes the check.
//!    Redirects are new URLs and go through both steps again.
//!
//! An allow-list in the config (`host`, `host:port` or a CIDR) lets tests and private
//! deployments reach named internal peers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsrfError {
    #[error("scheme {0:?} is not fetched (only http and https)")]
    Scheme(String),
    #[error("URL has no host")]
    NoHost,
    #[error("{host} is a local name")]
    LocalName { host: String },
    #[error("address {addr} is {range}, which is not fetched unless allow-listed")]
    Forbidden { addr: IpAddr, range: &'static str },
    #[error("allow-list entry {0:?} is not host, host:port or a CIDR")]
    BadAllowEntry(String),
}

/// The SSRF policy: forbidden ranges plus the configured exceptions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchPolicy {
    allow: Vec<AllowEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum AllowEntry {
    /// A host name or IP literal, lowercased; `None` port matches any port.
    Host {
        host: String,
        port: Option<u16>,
    },
    Cidr {
        net: IpAddr,
        prefix: u8,
    },
}

impl FetchPolicy {
    /// No exceptions: the production default.
    pub fn strict() -> FetchPolicy {
        FetchPolicy::default()
    }

    /// A policy with exceptions, each `host`, `host:port`, `[v6]:port`, or `addr/prefix`.
    pub fn with_allow_list<S: AsRef<str>>(entries: &[S]) -> Result<FetchPolicy, SsrfError> {
        let allow = entries.iter().map(|e| parse_allow_entry(e.as_ref())).collect::<Result<_, _>>()?;
        Ok(FetchPolicy { allow })
    }

    fn allows_host(&self, host: &str, port: u16) -> bool {
        self.allow
            .iter()
            .any(|e| matches!(e, AllowEntry::Host { host: h, port: p } if h == host && p.is_none_or(|p| p == port)))
    }

    fn allows_addr(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        self.allow.iter().any(|e| match e {
            AllowEntry::Cidr { net, prefix } => in_cidr(addr, *net, *prefix),
            AllowEntry::Host { .. } => false,
        })
    }

    /// Step 1: may this URL be fetched, as far as can be told before resolving its host?
    pub fn check_url(&self, url: &Url) -> Result<(), SsrfError> {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return Err(SsrfError::Scheme(scheme.to_string()));
        }
        let port = url.port_or_known_default().unwrap_or(0);
        let host = url.host().ok_or(SsrfError::NoHost)?;
        let host_text = match &host {
            Host::Domain(d) => d.trim_end_matches('.').to_ascii_lowercase(),
            Host::Ipv4(a) => a.to_string(),
            Host::Ipv6(a) => a.to_string(),
        };
        if self.allows_host(&host_text, port) {
            return Ok(());
        }
        match host {
            Host::Ipv4(a) => self.check_ip(IpAddr::V4(a)),
            Host::Ipv6(a) => self.check_ip(IpAddr::V6(a)),
            Host::Domain(_) => {
                if host_text == "localhost" || host_text.ends_with(".localhost") || !host_text.contains('.') {
                    // Single-label names resolve through search domains to internal hosts.
                    Err(SsrfError::LocalName { host: host_text })
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Step 2: may we connect to `addr`, which `url`'s host resolved to?
    pub fn check_addr(&self, url: &Url, addr: IpAddr) -> Result<(), SsrfError> {
        let port = url.port_or_known_default().unwrap_or(0);
        if let Some(host) = url.host_str() {
            let host = host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase();
            if self.allows_host(&host, port) {
                return Ok(());
            }
        }
        self.check_ip(addr)
    }

    fn check_ip(&self, addr: IpAddr) -> Result<(), SsrfError> {
        match forbidden_range(addr) {
            Some(range) if !self.allows_addr(addr) => Err(SsrfError::Forbidden { addr, range }),
            _ => Ok(()),
        }
    }
}

fn parse_allow_entry(entry: &str) -> Result<AllowEntry, SsrfError> {
    let bad = || SsrfError::BadAllowEntry(entry.to_string());
    let e = entry.trim().to_ascii_lowercase();
    if e.is_empty() {
        return Err(bad());
    }
    if let Some((addr, prefix)) = e.split_once('/') {
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let prefix: u8 = prefix.parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        if prefix > max {
            return Err(bad());
        }
        return Ok(AllowEntry::Cidr { net: canonical(net), prefix });
    }
    if let Ok(addr) = e.parse::<IpAddr>() {
        return Ok(AllowEntry::Host { host: addr.to_string(), port: None });
    }
    // `[::1]:8080`, `host:port`, or `host`.
    let (host, port) = if let Some(rest) = e.strip_prefix('[') {
        let (addr, after) = rest.split_once(']').ok_or_else(bad)?;
        let addr: Ipv6Addr = addr.parse().map_err(|_| bad())?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().map_err(|_| bad())?),
            None if after.is_empty() => None,
            None => return Err(bad()),
        };
        (addr.to_string(), port)
    } else if let Some((host, port)) = e.rsplit_once(':') {
        (host.to_string(), Some(port.parse().map_err(|_| bad())?))
    } else {
        (e.clone(), None)
    };
    let host = host.trim_end_matches('.').to_string();
    if host.is_empty() || !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')) {
        return Err(bad());
    }
    Ok(AllowEntry::Host { host, port })
}

/// IPv4 addresses carried in IPv6 (mapped `::ffff:a.b.c.d`) are judged as the IPv4 address.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

fn in_cidr(addr: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => prefix_match(&a.octets(), &n.octets(), prefix),
        (IpAddr::V6(a), IpAddr::V6(n)) => prefix_match(&a.octets(), &n.octets(), prefix),
        _ => false,
    }
}

fn prefix_match(a: &[u8], n: &[u8], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    if a.get(..full) != n.get(..full) {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    match (a.get(full), n.get(full)) {
        (Some(x), Some(y)) => x & mask == y & mask,
        _ => false,
    }
}

/// IPv4 ranges never fetched (RFC 6890 special-purpose registry, less the globally reachable).
const V4_FORBIDDEN: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "\"this network\" (0.0.0.0/8)"),
    ([10, 0, 0, 0], 8, "private (10.0.0.0/8)"),
    ([100, 64, 0, 0], 10, "carrier-grade NAT (100.64.0.0/10)"),
    ([127, 0, 0, 0], 8, "loopback (127.0.0.0/8)"),
    ([169, 254, 0, 0], 16, "link-local (169.254.0.0/16)"),
    ([172, 16, 0, 0], 12, "private (172.16.0.0/12)"),
    ([192, 0, 0, 0], 24, "IETF protocol assignments (192.0.0.0/24)"),
    ([192, 0, 2, 0], 24, "documentation (192.0.2.0/24)"),
    ([192, 88, 99, 0], 24, "6to4 relay anycast (192.88.99.0/24)"),
    ([192, 168, 0, 0], 16, "private (192.168.0.0/16)"),
    ([198, 18, 0, 0], 15, "benchmarking (198.18.0.0/15)"),
    ([198, 51, 100, 0], 24, "documentation (198.51.100.0/24)"),
    ([203, 0, 113, 0], 24, "documentation (203.0.113.0/24)"),
    ([224, 0, 0, 0], 4, "multicast (224.0.0.0/4)"),
    ([240, 0, 0, 0], 4, "reserved (240.0.0.0/4, incl. broadcast)"),
];

/// IPv6 ranges never fetched. Ranges that embed an IPv4 address (mapped, NAT64, 6to4) are
/// judged by that address instead, in [`forbidden_range`].
const V6_FORBIDDEN: &[([u16; 8], u8, &str)] = &[
    ([0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified (::)"),
    ([0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback (::1)"),
    ([0, 0, 0, 0, 0, 0, 0, 0], 96, "IPv4-compatible (::/96, deprecated)"),
    ([0x0100, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only (100::/64)"),
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, "IETF protocol assignments (2001::/23)"),
    ([0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32, "documentation (2001:db8::/32)"),
    ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "documentation (3fff::/20)"),
    ([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, "segment routing (5f00::/16)"),
    ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "unique local (fc00::/7)"),
    ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local (fe80::/10)"),
    ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "site-local (fec0::/10, deprecated)"),
    ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast (ff00::/8)"),
];

/// Why `addr` may not be fetched, or `None` if it is a public address.
pub fn forbidden_range(addr: IpAddr) -> Option<&'static str> {
    match addr {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return forbidden_v4(v4);
            }
            V6_FORBIDDEN
                .iter()
                .find(|(net, prefix, _)| in_cidr(addr, IpAddr::V6(Ipv6Addr::from(*net)), *prefix))
                .map(|(_, _, why)| *why)
        }
    }
}

fn forbidden_v4(v4: Ipv4Addr) -> Option<&'static str> {
    V4_FORBIDDEN
        .iter()
        .find(|(net, prefix, _)| in_cidr(IpAddr::V4(v4), IpAddr::V4(Ipv4Addr::from(*net)), *prefix))
        .map(|(_, _, why)| *why)
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:0:0/96`), NAT64 well-known-prefix
/// (`64:ff9b::/96`) or 6to4 (`2002::/16`) address: a packet to one of those reaches the IPv4
/// host, so the IPv4 rules apply.
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = v6.segments();
    let o = v6.octets();
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn public_addresses_and_names_pass() {
        let p = FetchPolicy::strict();
        p.check_url(&url("https://mastodon.example/users/a")).unwrap();
        p.check_url(&url("http://93.184.216.34/")).unwrap();
        p.check_url(&url("https://[2606:4700::1111]/")).unwrap();
        p.check_addr(&url("https://m.example/"), ip("8.8.8.8")).unwrap();
        p.check_addr(&url("https://m.example/"), ip("2a00:1450:4009:80b::200e")).unwrap();
        p.check_addr(&url("https://m.example/"), ip("::ffff:8.8.8.8")).unwrap();
        p.check_addr(&url("https://m.example/"), ip("64:ff9b::808:808")).unwrap();
    }

    #[test]
    fn every_special_range_is_refused() {
        let p = FetchPolicy::strict();
        for bad in [
            "0.0.0.0",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "2001:db8::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "100::1",
            "2001::1",
        ] {
            let addr = ip(bad);
            assert!(forbidden_range(addr).is_some(), "{bad} should be forbidden");
            assert!(
                matches!(p.check_addr(&url("https://m.example/"), addr), Err(SsrfError::Forbidden { .. })),
                "{bad}"
            );
        }
        for good in ["100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "192.169.0.1", "11.0.0.1"] {
            assert_eq!(forbidden_range(ip(good)), None, "{good} is public");
        }
    }

    #[test]
    fn literal_and_obfuscated_addresses_in_urls_are_refused() {
        let p = FetchPolicy::strict();
        for bad in [
            "http://127.0.0.1:5432/",
            "http://2130706433/",   // 127.0.0.1 as one number
            "http://0x7f.1/",       // and in hex
            "http://017700000001/", // and in octal
            "http://[::ffff:127.0.0.1]/",
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data/",
        ] {
            assert!(matches!(p.check_url(&url(bad)), Err(SsrfError::Forbidden { .. })), "{bad}");
        }
        assert!(matches!(p.check_url(&url("http://localhost:3000/")), Err(SsrfError::LocalName { .. })));
        assert!(matches!(p.check_url(&url("http://app.localhost/")), Err(SsrfError::LocalName { .. })));
        assert!(matches!(p.check_url(&url("http://intranet/")), Err(SsrfError::LocalName { .. })));
        assert_eq!(p.check_url(&url("ftp://m.example/")), Err(SsrfError::Scheme("ftp".into())));
        assert_eq!(p.check_url(&url("file:///etc/passwd")), Err(SsrfError::Scheme("file".into())));
    }

    #[test]
    fn the_allow_list_opens_named_hosts_ports_and_ranges_only() {
        let p = FetchPolicy::with_allow_list(&[
            "localhost:8081",
            "127.0.0.1:8082",
            "10.9.0.0/16",
            "[::1]:9000",
            "peer.internal",
        ])
        .unwrap();
        p.check_url(&url("http://localhost:8081/inbox")).unwrap();
        p.check_addr(&url("http://localhost:8081/inbox"), ip("127.0.0.1")).unwrap();
        assert!(p.check_url(&url("http://localhost:8083/")).is_err());
        p.check_url(&url("http://127.0.0.1:8082/")).unwrap();
        assert!(p.check_url(&url("http://127.0.0.1:8083/")).is_err());
        p.check_addr(&url("https://m.example/"), ip("10.9.3.4")).unwrap();
        p.check_addr(&url("https://m.example/"), ip("::ffff:10.9.3.4")).unwrap();
        assert!(p.check_addr(&url("https://m.example/"), ip("10.8.3.4")).is_err());
        p.check_url(&url("http://[::1]:9000/")).unwrap();
        assert!(p.check_url(&url("http://[::1]:9001/")).is_err());
        p.check_url(&url("https://peer.internal/")).unwrap();
        p.check_addr(&url("https://peer.internal/"), ip("192.168.5.5")).unwrap();
    }

    #[test]
    fn bad_allow_entries_are_reported() {
        for bad in ["", "10.0.0.0/33", "host:port", "[::1", "a b", "::1/129", "http://x"] {
            assert!(FetchPolicy::with_allow_list(&[bad]).is_err(), "{bad:?}");
        }
        FetchPolicy::with_allow_list(&["::1", "fd00::/8", "0.0.0.0/0"]).unwrap();
    }
}
