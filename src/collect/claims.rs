//! Reading the tenant id (`tid` claim) from a JWT access token, without verifying it.
//!
//! Used only as the last fallback for `tenant.id` when Graph `organization` could not be read and
//! no `--tenant` was given. The token is decoded in memory and never logged or stored.

/// The `tid` claim of a JWT, if the token is one and has it.
pub(crate) fn tenant_id(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64url_decode(payload)?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let tid = claims.get("tid")?.as_str()?;
    let guid_like = !tid.is_empty() && tid.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    guid_like.then(|| tid.to_owned())
}

/// Base64url without padding (RFC 4648 §5), as used by JWTs.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tid_from_a_jwt() {
        // {"alg":"none"} . {"aud":"https://management.azure.com","tid":"8f2c0a4e-3b1d-4c6e-9a7f-1d2e3f4a5b6c"} .
        let jwt = "eyJhbGciOiJub25lIn0.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIiwidGlkIjoiOGYyYzBh\
                   NGUtM2IxZC00YzZlLTlhN2YtMWQyZTNmNGE1YjZjIn0.";
        assert_eq!(
            tenant_id(jwt).as_deref(),
            Some("8f2c0a4e-3b1d-4c6e-9a7f-1d2e3f4a5b6c")
        );
    }

    #[test]
    fn opaque_tokens_have_no_tenant() {
        assert_eq!(tenant_id("not-a-jwt"), None);
        assert_eq!(tenant_id("a.b!c.d"), None);
        assert_eq!(tenant_id(""), None);
    }

    #[test]
    fn base64url_round_trip() {
        assert_eq!(base64url_decode("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64url_decode("_-8").as_deref(), Some(&[0xff, 0xef][..]));
    }
}
