//! Path templates: `/Accounts/{Sid}.json` read once into segments of fixed text and
//! parameters. `check` reports the templates that cannot be read; the emitters build routes
//! (server) and URLs (client) from the parsed form, so the two always agree.

/// A path template, split at `/`. `/` alone is one empty segment; the leading `/` is implied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    pub segments: Vec<Segment>,
}

/// What lies between two `/`: fixed text and parameters, never two parameters in a row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Segment {
    pub parts: Vec<PathPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// Fixed text as the definition writes it (`Accounts`, `.json`, `:cancel`).
    Literal(String),
    /// A `{name}` parameter, by its name in the definition.
    Param(String),
}

/// Why a path template cannot be routed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// A `{` with no `}` before the end of its segment.
    Unclosed { segment: String },
    /// A `}` that closes nothing.
    StrayClose { segment: String },
    /// `{}`.
    EmptyName { segment: String },
    /// `{x}{y}`: nothing tells where one value ends and the next begins.
    Adjacent { first: String, second: String },
    /// `/a/{x}/{x}`.
    Duplicate { name: String },
    /// A member of the path's `?…` part that is neither `name=value` nor `name={param}`.
    QueryMember { member: String },
    /// `?a=1&a=2`: one query name given twice.
    QueryName { name: String },
}

impl PathError {
    /// What is wrong, for a message that names the path around it.
    pub fn message(&self, path: &str) -> String {
        match self {
            PathError::Unclosed { segment } => {
                format!("path `{path}` has a `{{` without a closing `}}` in the segment `{segment}`")
            }
            PathError::StrayClose { segment } => {
                format!("path `{path}` has a `}}` without an opening `{{` in the segment `{segment}`")
            }
            PathError::EmptyName { segment } => {
                format!("path `{path}` has a parameter without a name (`{{}}`) in the segment `{segment}`")
            }
            PathError::Adjacent { first, second } => format!(
                "path `{path}` puts `{{{first}}}` right before `{{{second}}}`, so no request can say where one value ends and the other begins"
            ),
            PathError::Duplicate { name } => format!("path `{path}` uses the parameter `{{{name}}}` twice"),
            PathError::QueryMember { member } => format!(
                "path `{path}` has the query member `{member}`, which is neither `name=value` nor `name={{parameter}}`, so no request can be said to carry it"
            ),
            PathError::QueryName { name } => format!("path `{path}` gives the query member `{name}` twice"),
        }
    }

    /// What to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            PathError::Unclosed { .. } | PathError::StrayClose { .. } => {
                "write parameters as `{name}`, each within one segment; a path cannot hold a literal brace"
            }
            PathError::EmptyName { .. } => "name the parameter, e.g. `{id}`, and declare it with `in: path`",
            PathError::Adjacent { .. } => {
                "put fixed text between the two parameters (e.g. `{from}-{to}`), or merge them into one parameter"
            }
            PathError::Duplicate { .. } => "give each parameter of a path its own name",
            PathError::QueryMember { .. } | PathError::QueryName { .. } => {
                "after `?`, write `&`-joined members `name=value` (a fixed value every request carries) or `name={parameter}` (a value from that parameter), each name once; or describe query values as `in: query` parameters"
            }
        }
    }
}

/// Reads a path template. The leading `/` may be missing (`upgrade` warns about that and
/// adds it); a `#…` suffix is not part of it (see [`fragment`]), nor is a `?…` part, whose
/// members must read (see [`query_members`]); everything else that cannot be routed is an
/// error.
pub fn parse(path: &str) -> Result<PathTemplate, PathError> {
    let members = query_members(path)?;
    let path = route_path(path);
    let body = path.strip_prefix('/').unwrap_or(path);
    let segments = body.split('/').map(segment).collect::<Result<Vec<_>, _>>()?;
    let template = PathTemplate { segments };
    let mut seen = std::collections::BTreeSet::new();
    let in_query = members.iter().filter_map(|member| match member.value {
        QueryValue::Param(param) => Some(param),
        QueryValue::Fixed(_) => None,
    });
    for name in template.params().chain(in_query) {
        if !seen.insert(name) {
            return Err(PathError::Duplicate { name: name.to_string() });
        }
    }
    Ok(template)
}

/// The path a request goes to: the template without its `?…` part and `#…` suffix.
pub fn route_path(path: &str) -> &str {
    let path = path.split_once('#').map_or(path, |(path, _)| path);
    path.split_once('?').map_or(path, |(path, _)| path)
}

/// A member of a path's `?…` part (`/templeton/v1/jobs?op=LISTAFTERID`,
/// `/export?filename={filename}`): real definitions write fixed query values there that
/// pick the operation, and query values filled from a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryMember<'a> {
    /// The name on the wire.
    pub name: &'a str,
    pub value: QueryValue<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryValue<'a> {
    /// `op=LISTAFTERID`: every request carries it; it selects the operation.
    Fixed(&'a str),
    /// `filename={filename}`: the value of the parameter named in braces.
    Param(&'a str),
}

/// The members of the path's `?…` part (before any `#…` suffix), in order; none when it
/// has no `?`. Empty members (`a=1&&b=2`, a trailing `&`) say nothing and are passed over.
pub fn query_members(path: &str) -> Result<Vec<QueryMember<'_>>, PathError> {
    let path = path.split_once('#').map_or(path, |(path, _)| path);
    let Some((_, query)) = path.split_once('?') else {
        return Ok(Vec::new());
    };
    let mut members: Vec<QueryMember<'_>> = Vec::new();
    for member in query.split('&').filter(|member| !member.is_empty()) {
        let unreadable = || PathError::QueryMember {
            member: member.to_string(),
        };
        let (name, value) = member.split_once('=').ok_or_else(unreadable)?;
        let braces = |text: &str| text.contains(['{', '}', '?']);
        if name.is_empty() || value.is_empty() || braces(name) {
            return Err(unreadable());
        }
        let value = match value.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
            Some(param) if !param.is_empty() && !braces(param) => QueryValue::Param(param),
            _ if braces(value) => return Err(unreadable()),
            _ => QueryValue::Fixed(value),
        };
        if members.iter().any(|m| m.name == name) {
            return Err(PathError::QueryName { name: name.to_string() });
        }
        members.push(QueryMember { name, value });
    }
    Ok(members)
}

/// The `#…` suffix some definitions give a path to hold several operations on one URL
/// (`/files/{file_id}#add_shared_link`, `/#Action=DescribeTags`). A client never sends a
/// URL's fragment, so the operation's requests go to the path before it.
pub fn fragment(path: &str) -> Option<&str> {
    path.split_once('#').map(|(_, fragment)| fragment)
}

/// The `name=value` items of a fragment (`X-Amz-Target=Svc.GetItem`,
/// `Operation=CancelJob&Action=CancelJob`): values a request carries in a header or the
/// query, which tell apart operations on one method and path. Items without `=` name a
/// parameter, not a value, and tell nothing apart.
pub fn fragment_values(fragment: &str) -> Vec<(&str, &str)> {
    fragment
        .split('&')
        .filter_map(|item| item.split_once('='))
        .filter(|(name, value)| !name.is_empty() && !value.is_empty())
        .collect()
}

fn segment(text: &str) -> Result<Segment, PathError> {
    let error_segment = || text.to_string();
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let open = rest.find('{');
        let close = rest.find('}');
        match (open, close) {
            (None, None) => {
                parts.push(PathPart::Literal(rest.to_string()));
                break;
            }
            (None, Some(_)) => {
                return Err(PathError::StrayClose {
                    segment: error_segment(),
                });
            }
            (Some(open), Some(close)) if close < open => {
                return Err(PathError::StrayClose {
                    segment: error_segment(),
                });
            }
            (Some(_), None) => {
                return Err(PathError::Unclosed {
                    segment: error_segment(),
                });
            }
            (Some(open), Some(close)) => {
                let name = &rest[open + 1..close];
                if name.contains('{') {
                    return Err(PathError::Unclosed {
                        segment: error_segment(),
                    });
                }
                if name.is_empty() {
                    return Err(PathError::EmptyName {
                        segment: error_segment(),
                    });
                }
                if open > 0 {
                    parts.push(PathPart::Literal(rest[..open].to_string()));
                }
                if let Some(PathPart::Param(first)) = parts.last() {
                    return Err(PathError::Adjacent {
                        first: first.clone(),
                        second: name.to_string(),
                    });
                }
                parts.push(PathPart::Param(name.to_string()));
                rest = &rest[close + 1..];
            }
        }
    }
    Ok(Segment { parts })
}

impl PathTemplate {
    /// The parameter names, in the order the path shows them.
    pub fn params(&self) -> impl Iterator<Item = &str> {
        self.segments
            .iter()
            .flat_map(|s| &s.parts)
            .filter_map(|part| match part {
                PathPart::Param(name) => Some(name.as_str()),
                PathPart::Literal(_) => None,
            })
    }

    /// The same template under a fixed base path (`/_matrix/federation/v1`).
    pub fn under(&self, base_path: &str) -> PathTemplate {
        let base = base_path
            .strip_prefix('/')
            .into_iter()
            .flat_map(|b| b.split('/'))
            .map(|text| Segment {
                parts: vec![PathPart::Literal(text.to_string())],
            });
        PathTemplate {
            segments: base.chain(self.segments.iter().cloned()).collect(),
        }
    }

    /// The template with its parameters' names left out (`/a/{}/b`): by OpenAPI's rules,
    /// two paths with the same shape are the same path.
    pub fn shape(&self) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            out.push('/');
            for part in &segment.parts {
                match part {
                    PathPart::Literal(text) => out.push_str(text),
                    PathPart::Param(_) => out.push_str("{}"),
                }
            }
        }
        out
    }

    /// How much fixed text the template has: where several templates fit one request, the
    /// one with the most fixed text is the most specific and is served.
    pub fn literal_len(&self) -> usize {
        self.segments
            .iter()
            .flat_map(|s| &s.parts)
            .map(|part| match part {
                PathPart::Literal(text) => text.len(),
                PathPart::Param(_) => 0,
            })
            .sum()
    }
}

impl Segment {
    /// The segment's text when it holds no parameter.
    pub fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                PathPart::Literal(text) => out.push_str(text),
                PathPart::Param(_) => return None,
            }
        }
        Some(out)
    }

    /// A single `{name}` filling the segment.
    pub fn is_whole_param(&self) -> bool {
        matches!(self.parts.as_slice(), [PathPart::Param(_)])
    }
}

/// Fixed path text as it travels on the wire: the client escapes what a URL cannot carry as
/// it stands (controls, space, `"#<>?`{}\`, non-ASCII), so the server must match that form.
/// The set is the client runtime's `LITERAL_ESCAPED`.
pub fn wire_literal(text: &str) -> String {
    const ESCAPED: &[u8] = b" \"#<>?`{}\\";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_control() || !byte.is_ascii() || ESCAPED.contains(&byte) {
            out.push_str(&format!("%{byte:02X}"));
        } else {
            out.push(char::from(byte));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(text: &str) -> PathPart {
        PathPart::Literal(text.to_string())
    }

    fn param(name: &str) -> PathPart {
        PathPart::Param(name.to_string())
    }

    #[test]
    fn text_around_parameters_is_kept_per_segment() {
        let template = parse("/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json").unwrap();
        assert_eq!(template.segments.len(), 5);
        assert_eq!(template.segments[4].parts, vec![param("Sid"), lit(".json")]);
        assert_eq!(
            parse("/bytes/{from}-{to}").unwrap().segments[1].parts,
            vec![param("from"), lit("-"), param("to")]
        );
        assert_eq!(
            parse("/v1/{name}:cancel").unwrap().segments[1].parts,
            vec![param("name"), lit(":cancel")]
        );
        assert_eq!(template.params().collect::<Vec<_>>(), ["AccountSid", "Sid"]);
        assert_eq!(template.shape(), "/2010-04-01/Accounts/{}/Calls/{}.json");
    }

    #[test]
    fn the_root_is_one_empty_segment_and_a_base_path_adds_literal_segments() {
        let root = parse("/").unwrap();
        assert_eq!(root.segments, vec![Segment::default()]);
        assert_eq!(root.under("/v1").shape(), "/v1/");
        assert_eq!(parse("/a/{x}").unwrap().under("").shape(), "/a/{}");
    }

    #[test]
    fn unroutable_templates_are_refused() {
        assert_eq!(
            parse("/a/{x}{y}"),
            Err(PathError::Adjacent {
                first: "x".into(),
                second: "y".into()
            })
        );
        assert_eq!(parse("/a/{}"), Err(PathError::EmptyName { segment: "{}".into() }));
        assert_eq!(parse("/a/{x}/{x}"), Err(PathError::Duplicate { name: "x".into() }));
        assert_eq!(parse("/a/{x"), Err(PathError::Unclosed { segment: "{x".into() }));
        assert_eq!(
            parse("/a/{x{y}"),
            Err(PathError::Unclosed {
                segment: "{x{y}".into()
            })
        );
        assert_eq!(parse("/a/x}"), Err(PathError::StrayClose { segment: "x}".into() }));
        for member in ["b", "b=", "=1", "b={}", "b=x{y}", "b={y}z", "{b}=1"] {
            assert_eq!(
                parse(&format!("/a?{member}")),
                Err(PathError::QueryMember { member: member.into() })
            );
        }
        assert_eq!(parse("/a?b=1&b=2"), Err(PathError::QueryName { name: "b".into() }));
        assert_eq!(parse("/a/{x}?b={x}"), Err(PathError::Duplicate { name: "x".into() }));
    }

    #[test]
    fn a_query_part_holds_fixed_values_and_parameters() {
        let path = "/users/{userid}/pic?key={APIKEY}&size=large&#Action=X";
        assert_eq!(parse(path).unwrap().shape(), "/users/{}/pic");
        assert_eq!(route_path(path), "/users/{userid}/pic");
        assert_eq!(
            query_members(path).unwrap(),
            [
                QueryMember {
                    name: "key",
                    value: QueryValue::Param("APIKEY")
                },
                QueryMember {
                    name: "size",
                    value: QueryValue::Fixed("large")
                },
            ]
        );
        assert!(query_members("/a#b?c").unwrap().is_empty());
    }

    #[test]
    fn fragment_values_are_the_items_with_a_value() {
        assert_eq!(
            fragment_values("X-Amz-Target=DynamoDB_20120810.GetItem"),
            [("X-Amz-Target", "DynamoDB_20120810.GetItem")]
        );
        assert_eq!(
            fragment_values("Operation=CancelJob&Action=CancelJob"),
            [("Operation", "CancelJob"), ("Action", "CancelJob")]
        );
        assert_eq!(
            fragment_values("scope=membership&app-instance-user-arn"),
            [("scope", "membership")]
        );
        assert!(fragment_values("add_shared_link").is_empty());
        assert!(fragment_values("=x&y=").is_empty());
    }

    #[test]
    fn wire_literals_escape_what_a_url_cannot_carry() {
        assert_eq!(wire_literal("Spécial:Export"), "Sp%C3%A9cial:Export");
        assert_eq!(wire_literal("a b@c*d"), "a%20b@c*d");
    }
}
