//! Snapshot redaction: names, UPNs, e-mails and display names become stable pseudonyms.
//!
//! A redacted snapshot can leave the customer: people, the organization, subscriptions, custom
//! roles and free text (descriptions, KQL queries, tag values, error messages) are replaced by
//! pseudonyms such as `name-3f2a9c1d` or `user-3f2a9c1d@redacted.invalid`. The same input always
//! gives the same pseudonym (an unsalted SHA-256 prefix), so references across the snapshot and
//! across snapshots still line up and a redacted snapshot can be diffed and re-scanned.
//!
//! Kept as they are: every id (GUIDs, ARM ids, `*Id` fields, map keys such as membership
//! principal ids), resource `name`s (they are part of the ARM ids anyway), and every field the
//! checks read (`kind`, `state`, `enabled`, `productFilter`, `roleDefinitionId`, `scope`,
//! `principalId`, `skuPartNumber`, `servicePlans`, `capabilityStatus`, `prepaidUnits`,
//! `tenantId`, `condition`, ...). Names Microsoft gives to built-in roles and first-party apps are
//! not customer data and are kept too.
//!
//! Limits: a pseudonym hides a value, not its existence; a short name can be confirmed by
//! hashing a guess. Names inside ARM ids (resource groups, workspaces) are not replaced.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// What kind of value a field holds, which decides the shape of its pseudonym.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Name,
    Text,
    Email,
    Phone,
    Place,
    Domain,
    Tag,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Name => "name",
            Kind::Text => "text",
            Kind::Email => "user",
            Kind::Phone => "phone",
            Kind::Place => "place",
            Kind::Domain => "domain",
            Kind::Tag => "tag",
        }
    }
}

/// Fields replaced as a whole, by key.
fn key_kind(key: &str) -> Option<Kind> {
    Some(match key {
        "displayName"
        | "givenName"
        | "surname"
        | "mailNickname"
        | "assignedTo"
        | "roleName"
        | "denyAssignmentName"
        | "appDisplayName"
        | "publisherName"
        | "accountName"
        | "onPremisesSamAccountName"
        | "alternativeNames"
        | "servicePrincipalNames" => Kind::Name,
        "description"
        | "notes"
        | "query"
        | "title"
        | "replyUrls"
        | "homepage"
        | "logoutUrl"
        | "alertDisplayNameFormat"
        | "alertDescriptionFormat" => Kind::Text,
        "userPrincipalName"
        | "onPremisesUserPrincipalName"
        | "mail"
        | "email"
        | "otherMails"
        | "imAddresses"
        | "technicalNotificationMails"
        | "marketingNotificationEmails"
        | "securityComplianceNotificationMails"
        | "contactEmail" => Kind::Email,
        "businessPhones" | "mobilePhone" | "faxNumber" | "securityComplianceNotificationPhones" => {
            Kind::Phone
        }
        "street" | "city" | "postalCode" => Kind::Place,
        "defaultDomain" | "domains" | "onPremisesDomainName" => Kind::Domain,
        _ => return None,
    })
}

/// Fields never touched: ids and what the checks read.
fn keep_key(key: &str) -> bool {
    key == "id"
        || key.ends_with("Id")
        || key.ends_with("Ids")
        || key.starts_with('@')
        || matches!(
            key,
            "type"
                | "kind"
                | "scope"
                | "assignableScopes"
                | "actions"
                | "notActions"
                | "dataActions"
                | "notDataActions"
                | "allowedResourceActions"
                | "productFilter"
                | "skuPartNumber"
                | "servicePlanName"
                | "capabilityStatus"
                | "provisioningStatus"
                | "state"
                | "enabled"
                | "condition"
                | "conditionVersion"
                | "request"
                | "target"
                | "schema"
                | "version"
                | "etag"
                | "displayNamesFilter"
                | "displayNamesExcludeFilter"
                | "severitiesFilter"
        )
}

/// Tenants that own Microsoft's first-party apps.
const MICROSOFT_TENANTS: [&str; 2] = [
    "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
    "72f988bf-86f1-41af-91ab-2d7cd011db47",
];

/// A built-in role or a Microsoft first-party app: its names are Microsoft's, not the customer's.
fn microsoft_owned(map: &Map<String, Value>) -> bool {
    let is = |v: Option<&Value>, s: &str| {
        v.and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(s))
    };
    map.get("isBuiltIn") == Some(&Value::Bool(true))
        || is(map.get("type"), "BuiltInRole")
        || is(
            map.get("properties").and_then(|p| p.get("type")),
            "BuiltInRole",
        )
        || map
            .get("appOwnerOrganizationId")
            .and_then(Value::as_str)
            .is_some_and(|t| MICROSOFT_TENANTS.iter().any(|m| m.eq_ignore_ascii_case(t)))
}

/// Returns a redacted copy of `snapshot` with `collector.redacted = true`.
pub fn redact(snapshot: &Value) -> Value {
    let redactor = Redactor {
        domains: verified_domains(snapshot),
    };
    let mut out = snapshot.clone();
    redactor.value(&mut out, "", false);
    if let Value::Object(root) = &mut out {
        let collector = root
            .entry("collector")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(collector) = collector {
            collector.insert("redacted".into(), Value::Bool(true));
        }
    }
    out
}

/// The tenant's verified domain names, lower-cased, longest first.
fn verified_domains(snapshot: &Value) -> Vec<String> {
    let mut domains: Vec<String> = snapshot
        .pointer("/tenant/organization/verifiedDomains")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|d| d.get("name").and_then(Value::as_str))
                .filter(|d| d.contains('.') && !is_pseudonym(d))
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    domains.sort_by_key(|d| std::cmp::Reverse(d.len()));
    domains.dedup();
    domains
}

struct Redactor {
    domains: Vec<String>,
}

impl Redactor {
    fn value(&self, value: &mut Value, key: &str, microsoft: bool) {
        match value {
            Value::Object(map) => self.object(map, microsoft || microsoft_owned(map)),
            Value::Array(items) => items
                .iter_mut()
                .for_each(|item| self.value(item, key, microsoft)),
            Value::String(text) => {
                if let Some(new) = self.string(key, text, microsoft) {
                    *text = new;
                }
            }
            _ => {}
        }
    }

    fn object(&self, map: &mut Map<String, Value>, microsoft: bool) {
        let person = ["email", "userPrincipalName", "mail", "objectId"]
            .iter()
            .any(|k| map.contains_key(*k));
        let domain = map.contains_key("isDefault") && map.contains_key("isInitial");
        for (key, child) in map.iter_mut() {
            match (key.as_str(), child) {
                ("tags", Value::Object(tags)) => {
                    for tag in tags.values_mut() {
                        if let Value::String(text) = tag {
                            replace(text, Kind::Tag);
                        }
                    }
                }
                ("name", Value::String(text)) if person => replace(text, Kind::Name),
                ("name", Value::String(text)) if domain => replace(text, Kind::Domain),
                ("name", _) => {}
                (key, child) => self.value(child, key, microsoft),
            }
        }
    }

    /// The replacement of one string, or `None` to keep it.
    fn string(&self, key: &str, text: &str, microsoft: bool) -> Option<String> {
        if text.is_empty() || is_pseudonym(text) {
            return None;
        }
        if let Some(kind) = key_kind(key) {
            if microsoft && matches!(kind, Kind::Name | Kind::Text) {
                return None;
            }
            if key == "servicePrincipalNames" && is_guid(text) {
                return None;
            }
            return Some(pseudonym(kind, text));
        }
        if keep_key(key) {
            return None;
        }
        if matches!(key, "createdBy" | "lastModifiedBy" | "updatedBy") && !is_guid(text) {
            return Some(pseudonym(Kind::Name, text));
        }
        self.free_text(text)
    }

    /// Replaces e-mail addresses and the tenant's domains inside free text.
    fn free_text(&self, text: &str) -> Option<String> {
        let mut out = replace_emails(text);
        for domain in &self.domains {
            out = replace_domain(&out, domain);
        }
        (out != text).then_some(out)
    }
}

/// Replaces `text` by its pseudonym unless it is empty or one already.
fn replace(text: &mut String, kind: Kind) {
    if !text.is_empty() && !is_pseudonym(text) {
        *text = pseudonym(kind, text);
    }
}

/// `<prefix>-<8 hex>` (plus `@redacted.invalid` for e-mails, `.invalid` for domains).
fn pseudonym(kind: Kind, text: &str) -> String {
    let email = looks_like_email(text);
    let kind = if email { Kind::Email } else { kind };
    let normalized = match kind {
        Kind::Email | Kind::Domain => text.trim().to_lowercase(),
        _ => text.trim().to_owned(),
    };
    let digest = Sha256::digest(format!("socready-redact-v1\0{normalized}").as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    match kind {
        Kind::Email => format!("user-{hash}@redacted.invalid"),
        Kind::Domain => format!("domain-{hash}.invalid"),
        _ => format!("{}-{hash}", kind.prefix()),
    }
}

/// A value this module produced (so that redacting twice changes nothing).
fn is_pseudonym(text: &str) -> bool {
    let core = text
        .strip_suffix("@redacted.invalid")
        .or_else(|| text.strip_suffix(".invalid"))
        .unwrap_or(text);
    core.split_once('-').is_some_and(|(prefix, hash)| {
        ["name", "text", "user", "phone", "place", "domain", "tag"].contains(&prefix)
            && hash.len() == 8
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

fn is_guid(text: &str) -> bool {
    text.len() == 36 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// The whole (trimmed) text is one e-mail address.
fn looks_like_email(text: &str) -> bool {
    let text = text.trim();
    email_spans(text) == [(0, text.len())]
}

fn local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-".contains(c)
}

fn domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

/// Byte ranges of the `local@domain.tld` addresses inside `text`.
fn email_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (at, _) in text.match_indices('@') {
        let floor = spans.last().map_or(0, |s| s.1);
        if at < floor {
            continue;
        }
        let start = text[floor..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| local_char(c))
            .last()
            .map_or(at, |(i, _)| floor + i);
        let after = &text[at + 1..];
        let len = after.find(|c: char| !domain_char(c)).unwrap_or(after.len());
        let domain = after[..len].trim_end_matches(['.', '-']);
        let tld_ok = domain
            .rsplit('.')
            .next()
            .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
        let local = text[start..at].trim_start_matches('.');
        if !local.is_empty() && domain.contains('.') && tld_ok {
            spans.push((at - local.len(), at + 1 + domain.len()));
        }
    }
    spans
}

/// Replaces every `local@domain.tld` inside `text` with its pseudonym.
fn replace_emails(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in email_spans(text) {
        if is_pseudonym(&text[start..end]) {
            continue;
        }
        out.push_str(&text[copied..start]);
        out.push_str(&pseudonym(Kind::Email, &text[start..end]));
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Replaces whole-label occurrences of `domain` (lower-case ASCII) in `text`.
fn replace_domain(text: &str, domain: &str) -> String {
    let lower = text.to_ascii_lowercase(); // same byte offsets as `text`
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(domain) {
        let start = from + found;
        let end = start + domain.len();
        let before = lower[..start].chars().next_back();
        let after = lower[end..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-'));
        if edge(before) && edge(after) {
            out.push_str(&text[copied..start]);
            out.push_str(&pseudonym(Kind::Domain, domain));
            copied = end;
        }
        from = end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_inside_text_are_replaced() {
        let text = "The client 'Alice.Admin@Contoso.com' (id 1) cannot; ask bob@contoso.co.uk.";
        let out = replace_emails(text);
        assert!(!out.contains("Alice") && !out.contains("bob@"), "{out}");
        assert!(
            out.starts_with("The client 'user-") && out.ends_with("@redacted.invalid."),
            "{out}"
        );
        assert_eq!(
            replace_emails("no address @ here, a@b, x@y.1"),
            "no address @ here, a@b, x@y.1"
        );
    }

    #[test]
    fn emails_are_case_insensitive_and_stable() {
        assert_eq!(
            pseudonym(Kind::Email, "Alice@Contoso.com"),
            pseudonym(Kind::Email, "alice@contoso.com")
        );
        assert_eq!(
            pseudonym(Kind::Name, "alice@contoso.com"),
            pseudonym(Kind::Email, "alice@contoso.com")
        );
        assert_ne!(pseudonym(Kind::Name, "Alice"), pseudonym(Kind::Name, "Bob"));
    }

    #[test]
    fn domains_are_replaced_on_label_edges_only() {
        let out = replace_domain("mail.contoso.com and notcontoso.com", "contoso.com");
        assert!(
            out.starts_with("mail.domain-") && out.ends_with(" and notcontoso.com"),
            "{out}"
        );
    }

    #[test]
    fn pseudonyms_are_recognised() {
        for kind in [Kind::Name, Kind::Text, Kind::Email, Kind::Domain, Kind::Tag] {
            assert!(is_pseudonym(&pseudonym(kind, "Contoso")));
        }
        assert!(!is_pseudonym("name-of-thing") && !is_pseudonym("Contoso"));
    }
}
