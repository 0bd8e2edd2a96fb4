//! The reverse proxies whose forwarding headers Coffer believes (`COFFER_TRUSTED_PROXIES`).

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

/// A list of addresses and CIDR ranges; empty (the default) believes no forwarding header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// Why a `COFFER_TRUSTED_PROXIES` entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not an IP address or a CIDR range like 127.0.0.1 or 10.0.0.0/8")]
pub struct ProxyListError(pub String);

impl TrustedProxies {
    /// Parses addresses and ranges separated by commas or white space.
    pub fn parse(list: &str) -> Result<Self, ProxyListError> {
        let mut nets = Vec::new();
        for item in list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net.trunc(),
                Err(_) => match item.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(canonical(ip)),
                    Err(_) => return Err(ProxyListError(item.to_owned())),
                },
            };
            nets.push(net);
        }
        Ok(Self(nets))
    }

    /// True when no proxy is trusted: forwarding headers are then always ignored.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// True when the list trusts every address of a family (`0.0.0.0/0`, `::/0`): then any
    /// client can claim any address.
    pub fn trusts_everything(&self) -> bool {
        self.0.iter().any(|net| net.prefix_len() == 0)
    }
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&items.join(", "))
    }
}

/// An IPv4 peer seen through an IPv6 socket (`::ffff:127.0.0.1`) is the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn addresses_and_ranges_are_read_and_matched() {
        let proxies = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8  fd00::/8").unwrap();
        assert!(proxies.contains(ip("127.0.0.1")));
        assert!(proxies.contains(ip("::ffff:127.0.0.1")));
        assert!(!proxies.contains(ip("127.0.0.2")));
        assert!(proxies.contains(ip("10.20.30.40")));
        assert!(proxies.contains(ip("fd12::1")));
        assert!(!proxies.contains(ip("2001:db8::1")));
        assert!(!proxies.trusts_everything());
        assert_eq!(proxies.to_string(), "127.0.0.1/32, 10.0.0.0/8, fd00::/8");
    }

    #[test]
    fn an_empty_list_trusts_nobody_and_a_bad_entry_is_named() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert_eq!(
            TrustedProxies::parse("127.0.0.1, localhost"),
            Err(ProxyListError("localhost".to_owned()))
        );
        assert!(TrustedProxies::parse("0.0.0.0/0")
            .unwrap()
            .trusts_everything());
    }
}
