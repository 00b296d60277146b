//! Which client a request counts against for rate limiting. Behind a reverse proxy the TCP
//! peer is the proxy, shared by every visitor; only a proxy the site owner trusts
//! (`CONVO_TRUSTED_PROXIES`) may name the client, since anyone can send the headers.

use std::net::{IpAddr, Ipv6Addr};

use axum::http::{header::FORWARDED, HeaderMap};
use ipnet::IpNet;

/// The bucket a request from `peer` belongs to: the client address from `X-Forwarded-For`
/// (or, without it, `Forwarded`) when `peer` is a trusted proxy, else `peer`; an IPv6 address
/// stands for its /64, the block one subscriber is usually given.
pub(crate) fn bucket(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let client = if is_trusted(peer, trusted) { forwarded_client(headers, trusted) } else { None };
    per_subscriber(client.unwrap_or(peer))
}

fn is_trusted(addr: IpAddr, trusted: &[IpNet]) -> bool {
    let addr = unmapped(addr);
    trusted.iter().any(|net| net.contains(&addr))
}

/// The rightmost hop that is not a trusted proxy: each proxy appends the address it saw, so
/// everything left of the last untrusted hop may have been written by the client. When every
/// hop is trusted, the leftmost is the client. `None` when the headers name no address.
fn forwarded_client(headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let hops = x_forwarded_for(headers).or_else(|| forwarded(headers))?;
    let mut leftmost = None;
    for hop in hops.iter().rev() {
        // An entry that is not an address was not written by a proxy we trust: the chain of
        // trust ends before it, at the last proxy that wrote one.
        let Some(addr) = *hop else { return leftmost };
        if !is_trusted(addr, trusted) {
            return Some(addr);
        }
        leftmost = Some(addr);
    }
    leftmost
}

/// Every `X-Forwarded-For` value, in order; `None` when the header is absent.
fn x_forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let values: Vec<_> = headers.get_all("x-forwarded-for").iter().collect();
    if values.is_empty() {
        return None;
    }
    Some(
        values
            .into_iter()
            .flat_map(|v| v.to_str().unwrap_or("?").split(','))
            .map(|hop| parse_node(hop.trim()))
            .collect(),
    )
}

/// The `for=` of every `Forwarded` element (RFC 7239), in order.
fn forwarded(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let values: Vec<_> = headers.get_all(FORWARDED).iter().collect();
    if values.is_empty() {
        return None;
    }
    Some(
        values
            .into_iter()
            .flat_map(|v| v.to_str().unwrap_or("for=?").split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.trim().split_once('=')?;
                    name.trim().eq_ignore_ascii_case("for").then(|| parse_node(value.trim()))
                })
            })
            .collect(),
    )
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `"[2001:db8::1]:4711"`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim_matches('"');
    if let Ok(addr) = node.parse() {
        return Some(addr);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']').and_then(|(addr, _)| addr.parse().ok());
    }
    node.rsplit_once(':').and_then(|(addr, _)| addr.parse().ok())
}

fn unmapped(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// An IPv6 client can use every address of its /64 at will: they share one bucket.
fn per_subscriber(addr: IpAddr) -> IpAddr {
    match unmapped(addr) {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn test_headers_count_only_from_a_trusted_peer() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(bucket(ip("10.1.2.3"), &xff, &trusted), ip("203.0.113.7"));
        assert_eq!(bucket(ip("198.51.100.1"), &xff, &trusted), ip("198.51.100.1"), "spoofed");
        assert_eq!(bucket(ip("10.1.2.3"), &xff, &[]), ip("10.1.2.3"), "nothing trusted");
        assert_eq!(bucket(ip("10.1.2.3"), &HeaderMap::new(), &trusted), ip("10.1.2.3"));
    }

    #[test]
    fn test_the_rightmost_untrusted_hop_is_the_client() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // The client wrote "1.1.1.1" itself; the edge proxy appended the address it saw.
        let xff = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.7, 10.0.0.2")]);
        assert_eq!(bucket(ip("10.0.0.1"), &xff, &trusted), ip("203.0.113.7"));
        let split = headers(&[("x-forwarded-for", "1.1.1.1"), ("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(bucket(ip("10.0.0.1"), &split, &trusted), ip("203.0.113.7"));
        let garbage = headers(&[("x-forwarded-for", "203.0.113.7, not-an-ip, 10.0.0.2")]);
        assert_eq!(bucket(ip("10.0.0.1"), &garbage, &trusted), ip("10.0.0.2"));
        let all_trusted = headers(&[("x-forwarded-for", "10.9.9.9, 10.0.0.2")]);
        assert_eq!(bucket(ip("10.0.0.1"), &all_trusted, &trusted), ip("10.9.9.9"));
    }

    #[test]
    fn test_forwarded_header_forms() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let forwarded = headers(&[(
            "forwarded",
            r#"for=1.1.1.1, for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.2:80"#,
        )]);
        assert_eq!(bucket(ip("10.0.0.1"), &forwarded, &trusted), ip("2001:db8:cafe::"));
        let v4 = headers(&[("forwarded", "proto=https;for=192.0.2.60:1234;by=10.0.0.1")]);
        assert_eq!(bucket(ip("10.0.0.1"), &v4, &trusted), ip("192.0.2.60"));
    }

    #[test]
    fn test_ipv6_clients_share_a_bucket_per_64() {
        let a = bucket(ip("2001:db8:1:2:aaaa::1"), &HeaderMap::new(), &[]);
        let b = bucket(ip("2001:db8:1:2:ffff:1:2:3"), &HeaderMap::new(), &[]);
        let c = bucket(ip("2001:db8:1:3::1"), &HeaderMap::new(), &[]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mapped = bucket(ip("::ffff:192.0.2.1"), &HeaderMap::new(), &[]);
        assert_eq!(mapped, ip("192.0.2.1"), "IPv4-mapped addresses stay per address");
    }
}
