//! RFC 2865 / RFC 5176 packets for Disconnect-Request and CoA-Request, written by hand: the
//! maintained crates compared (`radius`, a client and server framework with its own runtime and
//! generated dictionaries, and `radius-rust`, which loads a dictionary file at run time) bring
//! far more than the two request types and five attributes sent here. MD5 is RustCrypto's `md-5`.
//!
//! A request's authenticator (RFC 5176 §2.3, as for Accounting-Request) is
//! MD5(Code ‖ Identifier ‖ Length ‖ 16 zero octets ‖ Attributes ‖ Secret); an answer's is
//! MD5(Code ‖ Identifier ‖ Length ‖ Request Authenticator ‖ Attributes ‖ Secret).

use md5::{Digest, Md5};

pub const DISCONNECT_REQUEST: u8 = 40;
pub const DISCONNECT_ACK: u8 = 41;
pub const DISCONNECT_NAK: u8 = 42;
pub const COA_REQUEST: u8 = 43;
pub const COA_ACK: u8 = 44;
pub const COA_NAK: u8 = 45;

pub const USER_NAME: u8 = 1;
pub const NAS_IP_ADDRESS: u8 = 4;
pub const FRAMED_IP_ADDRESS: u8 = 8;
pub const VENDOR_SPECIFIC: u8 = 26;
pub const ACCT_SESSION_ID: u8 = 44;
pub const FRAMED_POOL: u8 = 88;
pub const ERROR_CAUSE: u8 = 101;

/// MikroTik's vendor number and its `Mikrotik-Rate-Limit` attribute.
pub const MIKROTIK_VENDOR: u32 = 14988;
pub const MIKROTIK_RATE_LIMIT: u8 = 8;

/// One attribute: type and value (at most 253 octets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute(pub u8, pub Vec<u8>);

impl Attribute {
    pub fn text(kind: u8, value: &str) -> Attribute {
        Attribute(kind, value.as_bytes().to_vec())
    }

    /// An IPv4 address attribute; `None` when `value` is not one.
    pub fn ipv4(kind: u8, value: &str) -> Option<Attribute> {
        value.parse::<std::net::Ipv4Addr>().ok().map(|ip| Attribute(kind, ip.octets().to_vec()))
    }

    /// A vendor-specific attribute (type 26) holding one vendor attribute.
    pub fn vendor(vendor: u32, kind: u8, value: &[u8]) -> Attribute {
        let mut bytes = vendor.to_be_bytes().to_vec();
        bytes.push(kind);
        bytes.push((value.len() + 2) as u8);
        bytes.extend_from_slice(value);
        Attribute(VENDOR_SPECIFIC, bytes)
    }
}

fn attributes_bytes(attributes: &[Attribute]) -> Vec<u8> {
    let mut out = Vec::new();
    for Attribute(kind, value) in attributes {
        let value = &value[..value.len().min(253)];
        out.push(*kind);
        out.push((value.len() + 2) as u8);
        out.extend_from_slice(value);
    }
    out
}

fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut hasher = Md5::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// A request (`code`: Disconnect-Request or CoA-Request) with its authenticator.
pub fn request(code: u8, identifier: u8, attributes: &[Attribute], secret: &[u8]) -> Vec<u8> {
    let attrs = attributes_bytes(attributes);
    let length = ((20 + attrs.len()) as u16).to_be_bytes();
    let header = [code, identifier, length[0], length[1]];
    let authenticator = md5(&[&header, &[0u8; 16], &attrs, secret]);
    let mut packet = header.to_vec();
    packet.extend_from_slice(&authenticator);
    packet.extend_from_slice(&attrs);
    packet
}

/// Whether `packet` is a request with a correct authenticator under `secret` (what a NAS checks).
pub fn request_is_authentic(packet: &[u8], secret: &[u8]) -> bool {
    if packet.len() < 20 || usize::from(u16::from_be_bytes([packet[2], packet[3]])) != packet.len() {
        return false;
    }
    md5(&[&packet[..4], &[0u8; 16], &packet[20..], secret])[..] == packet[4..20]
}

/// An answer to `request` (what a NAS sends back): `code`, the request's identifier, the
/// response authenticator.
pub fn answer(code: u8, request: &[u8], attributes: &[Attribute], secret: &[u8]) -> Vec<u8> {
    let attrs = attributes_bytes(attributes);
    let length = ((20 + attrs.len()) as u16).to_be_bytes();
    let header = [code, request[1], length[0], length[1]];
    let authenticator = md5(&[&header, &request[4..20], &attrs, secret]);
    let mut packet = header.to_vec();
    packet.extend_from_slice(&authenticator);
    packet.extend_from_slice(&attrs);
    packet
}

/// What an answer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Ack,
    /// A NAK with its Error-Cause (503: no such session), when it gave one.
    Nak(Option<u32>),
}

/// Reads an answer to `request`: `None` when it is not one (another identifier, a bad
/// authenticator, not an ACK or NAK).
pub fn read_answer(packet: &[u8], request: &[u8], secret: &[u8]) -> Option<Reply> {
    if packet.len() < 20 || packet[1] != request[1] {
        return None;
    }
    let length = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
    if length < 20 || length > packet.len() {
        return None;
    }
    let packet = &packet[..length];
    if md5(&[&packet[..4], &request[4..20], &packet[20..], secret])[..] != packet[4..20] {
        return None;
    }
    let attributes = parse_attributes(&packet[20..])?;
    match packet[0] {
        DISCONNECT_ACK | COA_ACK => Some(Reply::Ack),
        DISCONNECT_NAK | COA_NAK => {
            let cause = attributes
                .iter()
                .find(|a| a.0 == ERROR_CAUSE && a.1.len() == 4)
                .map(|a| u32::from_be_bytes([a.1[0], a.1[1], a.1[2], a.1[3]]));
            Some(Reply::Nak(cause))
        }
        _ => None,
    }
}

/// The attributes of a packet's attribute area; `None` when malformed.
pub fn parse_attributes(mut bytes: &[u8]) -> Option<Vec<Attribute>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        if bytes.len() < 2 || bytes[1] < 2 || usize::from(bytes[1]) > bytes.len() {
            return None;
        }
        let len = usize::from(bytes[1]);
        out.push(Attribute(bytes[0], bytes[2..len].to_vec()));
        bytes = &bytes[len..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_an_authenticator_a_nas_accepts() {
        let attrs = [Attribute::text(USER_NAME, "bob"), Attribute::text(ACCT_SESSION_ID, "81000001")];
        let packet = request(DISCONNECT_REQUEST, 7, &attrs, b"s3cret");
        assert_eq!(packet[0], 40);
        assert_eq!(packet[1], 7);
        assert_eq!(usize::from(u16::from_be_bytes([packet[2], packet[3]])), packet.len());
        assert!(request_is_authentic(&packet, b"s3cret"));
        assert!(!request_is_authentic(&packet, b"other"));
        assert_eq!(parse_attributes(&packet[20..]).unwrap(), attrs.to_vec());
    }

    #[test]
    fn answers_are_checked() {
        let req = request(COA_REQUEST, 9, &[Attribute::text(USER_NAME, "bob")], b"k");
        let ack = answer(COA_ACK, &req, &[], b"k");
        assert_eq!(read_answer(&ack, &req, b"k"), Some(Reply::Ack));
        assert_eq!(read_answer(&ack, &req, b"wrong"), None);
        let nak = answer(DISCONNECT_NAK, &req, &[Attribute(ERROR_CAUSE, 503u32.to_be_bytes().to_vec())], b"k");
        assert_eq!(read_answer(&nak, &req, b"k"), Some(Reply::Nak(Some(503))));
        let other = request(COA_REQUEST, 10, &[], b"k");
        assert_eq!(read_answer(&ack, &other, b"k"), None);
    }

    #[test]
    fn vendor_attributes() {
        let a = Attribute::vendor(MIKROTIK_VENDOR, MIKROTIK_RATE_LIMIT, b"1k/2k");
        assert_eq!(a.1, [0, 0, 0x3a, 0x8c, 8, 7, b'1', b'k', b'/', b'2', b'k']);
        assert_eq!(Attribute::ipv4(FRAMED_IP_ADDRESS, "10.0.0.1").unwrap().1, [10, 0, 0, 1]);
    }
}
