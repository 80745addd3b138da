//! The HTML pages a member sees at the sandbox plan: login, consent, errors. Plain HTML with
//! inline styles, no scripts and no third-party assets.

use crate::scopes;

/// Escapes text for HTML element content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{title} · Folio Sandbox Health Plan</title>
<style>
body{{font-family:system-ui,"DejaVu Sans",sans-serif;background:#f3f5f7;color:#1d2733;margin:0}}
header{{background:#3b2f72;color:#fff;padding:14px 24px;font-weight:600;font-size:18px}}
header small{{display:block;font-weight:400;font-size:13px;opacity:.85}}
main{{max-width:560px;margin:28px auto;background:#fff;border:1px solid #d6dbe1;border-radius:10px;padding:24px 28px}}
h1{{font-size:21px;margin:0 0 12px}} label{{display:block;margin:12px 0 4px;font-weight:600}}
input[type=text],input[type=password]{{width:100%;padding:8px;font-size:15px;border:1px solid #9aa5b1;border-radius:6px;box-sizing:border-box}}
button{{font-size:15px;padding:9px 18px;border-radius:6px;border:1px solid #3b2f72;background:#3b2f72;color:#fff;cursor:pointer;margin-top:16px}}
button.secondary{{background:#fff;color:#3b2f72;margin-left:8px}}
.note{{background:#eef0fb;border-radius:6px;padding:10px 12px;font-size:14px}} .error{{color:#a4262c;font-weight:600}}
ul.scopes{{list-style:none;padding:0}} ul.scopes li{{margin:6px 0}} code{{font-size:12px;color:#59636e}}
fieldset{{border:1px solid #d6dbe1;border-radius:6px;margin-top:14px}}
</style></head>
<body><header>Folio Sandbox Health Plan<small>A demo plan with synthetic members. No real health data.</small></header>
<main>{body}</main></body></html>"#
    )
}

/// The member login page.
pub fn login(request_id: &str, app_name: &str, error: Option<&str>, members: &[String]) -> String {
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, esc(e)))
        .unwrap_or_default();
    let hint = members
        .iter()
        .map(|m| format!("<code>{}</code>", esc(m)))
        .collect::<Vec<_>>()
        .join(", ");
    layout(
        "Sign in",
        &format!(
            r#"<h1>Sign in to your health plan</h1>
<p><b>{app}</b> is asking to read your plan records. Sign in with your plan account first.</p>
{error}
<form method="post" action="login">
<input type="hidden" name="request" value="{req}">
<label for="username">Member login</label><input id="username" name="username" type="text" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p class="note">Sandbox members: {hint}. The password for all of them is <code>demo</code>.</p>"#,
            app = esc(app_name),
            req = esc(request_id),
        ),
    )
}

/// The consent page: the app, the member, each requested scope (untickable) and the PDex
/// sensitive-data choice.
pub fn consent(
    request_id: &str,
    app_name: &str,
    member_name: &str,
    requested: &[String],
) -> String {
    let items: String = requested
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                r#"<li><input type="checkbox" id="s{i}" name="scope" value="{v}" checked> <label style="display:inline;font-weight:400" for="s{i}">{d} <code>{v}</code></label></li>"#,
                v = esc(s),
                d = esc(&scopes::describe(s)),
            )
        })
        .collect();
    layout(
        "Share your records",
        &format!(
            r#"<h1>Share your records with {app}?</h1>
<p>Signed in as <b>{member}</b>. {app} will be able to:</p>
<form method="post" action="consent">
<input type="hidden" name="request" value="{req}">
<ul class="scopes">{items}</ul>
<fieldset><legend>Sensitive information</legend>
<p style="margin:4px 0 8px">Some records are specially protected: behavioral health, substance use treatment, HIV and sexual health. You choose whether {app} may receive them.</p>
<label style="font-weight:400"><input type="radio" name="sensitive" value="share"> Share sensitive records too</label>
<label style="font-weight:400"><input type="radio" name="sensitive" value="withhold" checked> Withhold sensitive records</label>
</fieldset>
<button type="submit" name="decision" value="allow">Allow</button><button class="secondary" type="submit" name="decision" value="deny">Deny</button>
</form>"#,
            app = esc(app_name),
            member = esc(member_name),
            req = esc(request_id),
        ),
    )
}

/// An error page for requests that cannot be sent back to the app (unknown app or redirect).
pub fn error(title: &str, detail: &str) -> String {
    layout(
        title,
        &format!(
            r#"<h1>{}</h1><p class="error" role="alert">{}</p>"#,
            esc(title),
            esc(detail)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_shown_is_escaped() {
        let page = consent(
            "r\"1",
            "<script>x</script>",
            "Ana & Leo",
            &["patient/*.read".into()],
        );
        assert!(!page.contains("<script>x"));
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(page.contains("Ana &amp; Leo"));
        assert!(page.contains(r#"value="r&quot;1""#));
        assert!(page.contains("All of your records"));
    }
}
