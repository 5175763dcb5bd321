//! Which address a request comes from when the server sits behind a reverse proxy.
//!
//! `ISP_TRUSTED_PROXIES` lists the proxies (addresses or CIDR ranges, comma-separated). From a
//! peer on that list, and only from one, the client is read from the one header the proxies
//! write (`ISP_PROXY_HEADER`: `X-Forwarded-For` by default, or `Forwarded` with its `for=`
//! parameters, RFC 7239): the nearest hop that is not itself a trusted proxy. A client cannot pick its own address by sending the header, since a proxy appends
//! what it saw and the walk starts from that end. From any other peer the headers are ignored.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// An address range such as `10.0.0.0/8` or `::1/128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    fn parse(text: &str) -> Result<Cidr, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: IpAddr =
            address.trim().parse().map_err(|_| format!("`{text}` is not an address or CIDR range"))?;
        let network = canonical(network);
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}`: the prefix length must be a number from 0 to {max}"))?,
            None => max,
        };
        Ok(Cidr { network, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Which header the trusted proxies write the client into (`ISP_PROXY_HEADER`). Only that
/// one is read: a proxy passes the other through as the client sent it, so reading it would
/// let a client choose its own address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ProxyHeader {
    /// `X-Forwarded-For` (nginx's `$proxy_add_x_forwarded_for`, HAProxy's `option forwardfor`).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=` (RFC 7239).
    Forwarded,
}

/// The proxies whose forwarding header is believed (`ISP_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    ranges: Vec<Cidr>,
    header: ProxyHeader,
}

impl TrustedProxies {
    /// Reads a comma-separated list of addresses and CIDR ranges (empty: trust no proxy).
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let ranges = list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Cidr::parse);
        Ok(TrustedProxies { ranges: ranges.collect::<Result<_, _>>()?, header: ProxyHeader::default() })
    }

    /// The same proxies, read through `header`.
    pub fn reading(self, header: ProxyHeader) -> TrustedProxies {
        TrustedProxies { header, ..self }
    }

    /// Whether `peer` is one of the trusted proxies.
    pub fn trusts(&self, peer: IpAddr) -> bool {
        self.ranges.iter().any(|range| range.contains(peer))
    }

    /// The client's address: `peer` itself, unless `peer` is a trusted proxy and the forwarding
    /// headers name the hop before it.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return canonical(peer);
        }
        let mut client = canonical(peer);
        // From the nearest hop outwards: each trusted proxy vouches for the one before it.
        for hop in hops(headers, self.header).iter().rev() {
            match hop {
                Some(ip) if self.trusts(*ip) => client = canonical(*ip),
                Some(ip) => return canonical(*ip),
                // "unknown" or an obfuscated name: the last address we can vouch for stands.
                None => break,
            }
        }
        client
    }
}

/// The hops `header` names, nearest proxy last, over every copy of the header; `None` for a hop
/// that is not an address ("unknown", an obfuscated name). A header that is not text at all
/// is one unreadable hop.
fn hops(headers: &HeaderMap, header: ProxyHeader) -> Vec<Option<IpAddr>> {
    let (name, hop): (&str, fn(&str) -> Option<IpAddr>) = match header {
        ProxyHeader::XForwardedFor => ("x-forwarded-for", |hop| node_address(hop.trim())),
        ProxyHeader::Forwarded => ("forwarded", forwarded_node),
    };
    let mut hops = Vec::new();
    for value in headers.get_all(name) {
        let Ok(value) = value.to_str() else { return vec![None] };
        hops.extend(value.split(',').map(hop));
    }
    hops
}

/// The address of one `Forwarded` element's `for=` parameter (`for=192.0.2.60;proto=https`).
fn forwarded_node(element: &str) -> Option<IpAddr> {
    let value = element
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(k, v)| k.trim().eq_ignore_ascii_case("for").then_some(v))?;
    node_address(value.trim().trim_matches('"'))
}

/// An address as a forwarding header writes it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`
/// or `[2001:db8::1]:4711`.
fn node_address(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    node.parse().ok().or_else(|| {
        let (host, port) = node.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn reads_addresses_and_ranges() {
        let trusted = TrustedProxies::parse(" 10.0.0.0/8, 127.0.0.1 ,::1, fd00::/8").unwrap();
        assert!(trusted.trusts(ip("10.200.3.4")));
        assert!(trusted.trusts(ip("::ffff:10.1.1.1")), "IPv4 written as IPv6");
        assert!(trusted.trusts(ip("127.0.0.1")) && !trusted.trusts(ip("127.0.0.2")));
        assert!(trusted.trusts(ip("::1")) && trusted.trusts(ip("fd12::1")) && !trusted.trusts(ip("fe80::1")));
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().trusts(ip("203.0.113.9")));
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0.0/x", "::/129"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_count_only_from_a_trusted_peer() {
        let trusted = TrustedProxies::parse("10.0.0.1").unwrap();
        let sent = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(trusted.client(ip("203.0.113.9"), &sent), ip("203.0.113.9"), "not from a proxy");
        assert_eq!(trusted.client(ip("10.0.0.1"), &sent), ip("198.51.100.7"));
        assert_eq!(trusted.client(ip("10.0.0.1"), &HeaderMap::new()), ip("10.0.0.1"), "no header");
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client claimed 1.2.3.4; the proxy appended what it really saw.
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &spoofed), ip("198.51.100.7"));
        let chain = headers(&[("x-forwarded-for", "198.51.100.7, 10.0.0.5"), ("x-forwarded-for", "10.0.0.6")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &chain), ip("198.51.100.7"), "two proxies deep");
        let unknown = headers(&[("x-forwarded-for", "198.51.100.7, unknown, 10.0.0.5")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &unknown), ip("10.0.0.5"), "stops at what it cannot read");
    }

    #[test]
    fn only_the_header_the_proxy_writes_is_read() {
        // nginx appends to X-Forwarded-For and passes a client's own `Forwarded` through.
        let trusted = TrustedProxies::parse("10.0.0.1").unwrap();
        let sent = headers(&[("forwarded", "for=203.0.113.50"), ("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &sent), ip("198.51.100.7"));
        let forwarded = trusted.reading(ProxyHeader::Forwarded);
        let sent = headers(&[("x-forwarded-for", "203.0.113.50"), ("forwarded", "for=198.51.100.7")]);
        assert_eq!(forwarded.client(ip("10.0.0.1"), &sent), ip("198.51.100.7"));
    }

    #[test]
    fn forwarded_is_read_per_rfc_7239() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap().reading(ProxyHeader::Forwarded);
        let both = headers(&[
            ("forwarded", "for=192.0.2.60;proto=https;by=10.0.0.1, for=\"[2001:db8:cafe::17]:4711\""),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &both), ip("2001:db8:cafe::17"));
        let with_port = headers(&[("forwarded", "For=\"192.0.2.43:47011\"")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &with_port), ip("192.0.2.43"));
        let hidden = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &hidden), ip("10.0.0.1"));
    }
}
