// Package redact removes credentials from text that reaches a user: server
// messages, transport errors, URLs. It is the one place that knows every
// form a credential takes on the wire (raw, URL-escaped, base64 user:pass
// of HTTP basic, a bearer token) and the shapes that carry one without
// being known in advance (URL user info, scp-like user:pass@host:path,
// Authorization headers echoed by a server). It also strips terminal
// escape sequences and control characters, so a hostile server cannot
// rewrite what the user sees.
package redact

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Mask replaces a credential.
const Mask = "***"

// minSecret is the shortest secret replaced: replacing a one- or
// two-letter password would garble every message and protect nothing.
const minSecret = 3

// Redactor knows a set of secrets. The zero value knows none and still
// redacts the shapes above.
type Redactor struct {
	secrets []string
}

// New returns a Redactor that knows secrets (empty ones are ignored).
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add adds secrets, in every form they travel in.
func (r *Redactor) Add(secrets ...string) {
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		r.secrets = append(r.secrets, s, url.QueryEscape(s), url.PathEscape(s),
			base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)))
	}
	r.sort()
}

// AddBasic adds HTTP basic credentials: the password, and the base64 of
// user:pass that the Authorization header carries.
func (r *Redactor) AddBasic(user, pass string) {
	r.Add(pass)
	if user != "" || pass != "" {
		r.secrets = append(r.secrets, base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
		r.sort()
	}
}

// sort puts longer secrets first, so that a secret containing another is
// replaced whole.
func (r *Redactor) sort() {
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

var (
	// authHeaderRE is an echoed Authorization (or Proxy-Authorization)
	// header, or a bare "Basic xxx"/"Bearer xxx" credential.
	authHeaderRE = regexp.MustCompile(`(?i)((?:proxy-)?authorization\s*[:=]\s*)?\b(basic|bearer|token)\s+[A-Za-z0-9+/=._~-]{6,}`)
	// userinfoRE is the password in a URL's user info, greedy up to the
	// last @ of the authority so that an unescaped @ in a password leaks
	// no tail. A user name alone is kept (a token given as the user name
	// is a known secret, replaced before).
	userinfoRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^/\s?#@:]*:)[^/\s?#]*@`)
	// scpRE is an scp-like address with a password: user:pass@host:path
	// (not scheme://, whose "//" no password starts with).
	scpRE = regexp.MustCompile(`(^|[\s"'(])([^\s@/:"'(]+:)[^\s@"'/][^\s@"']*@([^\s:@/"']+:)`)
	// queryTokenRE are query parameters that carry tokens.
	queryTokenRE = regexp.MustCompile(`(?i)([?&](?:access_token|private_token|token|password|passwd|key|sig|signature|x-amz-signature|x-amz-credential)=)[^&\s#"']+`)
	// escapeRE is a terminal escape sequence: CSI, OSC (to BEL or ST), or
	// any other ESC-introduced pair.
	escapeRE = regexp.MustCompile("\x1b\\[[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|\x1b[@-_]?|\u009b[0-?]*[ -/]*[@-~]")
)

// String returns s without the known secrets, credential shapes and
// terminal control sequences.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, secret := range r.secrets {
			if secret != "" {
				s = strings.ReplaceAll(s, secret, Mask)
			}
		}
	}
	s = authHeaderRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := authHeaderRE.FindStringSubmatch(m)
		return sub[1] + sub[2] + " " + Mask
	})
	s = userinfoRE.ReplaceAllString(s, "${1}"+Mask+"@")
	s = scpRE.ReplaceAllString(s, "${1}${2}"+Mask+"@${3}")
	s = queryTokenRE.ReplaceAllString(s, "${1}"+Mask)
	return Printable(s)
}

// Printable strips terminal escape sequences and control characters other
// than newline and tab.
func Printable(s string) string {
	s = escapeRE.ReplaceAllString(s, "")
	return strings.Map(func(c rune) rune {
		if c == '\n' || c == '\t' {
			return c
		}
		if unicode.IsControl(c) || c == '\u2028' || c == '\u2029' || unicode.Is(unicode.Bidi_Control, c) {
			return -1
		}
		return c
	}, s)
}

// URL renders a URL without user info, query or fragment.
func URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return c.String()
}

// Text redacts s with no known secrets: the shapes only.
func Text(s string) string { return (*Redactor)(nil).String(s) }
