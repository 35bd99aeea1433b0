package pki

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxCommonName is ub-common-name from RFC 5280 Appendix A: a longer
// commonName does not fit the X.520 upper bound and strict parsers refuse it.
const maxCommonName = 64

// serverNames holds the subject alternative names of a server certificate.
type serverNames struct {
	dns []string
	ips []net.IP
}

// all returns the names in the order given, as text, for the index.
func (n serverNames) all() []string {
	out := slices.Clone(n.dns)
	for _, ip := range n.ips {
		out = append(out, ip.String())
	}
	return out
}

// parseServerNames checks every name a server certificate is asked to
// carry: each must be a host name (optionally with a leftmost "*." wildcard)
// or an IP address. Names are lower-cased and duplicates dropped, since
// DNS names compare case-insensitively (RFC 4343) and a duplicate SAN only
// wastes bytes.
func parseServerNames(names []string) (serverNames, error) {
	var out serverNames
	seen := map[string]bool{}
	for _, raw := range names {
		s := strings.TrimSpace(raw)
		if s == "" {
			return serverNames{}, fmt.Errorf("an empty name is not a host name or IP address")
		}
		if ip, ok, err := parseIP(s); ok {
			if err != nil {
				return serverNames{}, err
			}
			if !seen[ip.String()] {
				seen[ip.String()] = true
				out.ips = append(out.ips, ip)
			}
			continue
		}
		h, err := normalizeHost(s, true)
		if err != nil {
			return serverNames{}, err
		}
		if !seen[h] {
			seen[h] = true
			out.dns = append(out.dns, h)
		}
	}
	if len(out.dns)+len(out.ips) == 0 {
		return serverNames{}, fmt.Errorf("a server certificate needs at least one host name or IP address")
	}
	return out, nil
}

// parseIP recognizes an IP address, also in [brackets] as in URLs. ok says
// whether s is meant as an IP at all; err then says what is wrong with it.
func parseIP(s string) (ip net.IP, ok bool, err error) {
	t := s
	if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
		t = t[1 : len(t)-1]
	}
	a, perr := netip.ParseAddr(t)
	if perr != nil {
		return nil, false, nil
	}
	if a.Zone() != "" {
		// A zone (fe80::1%eth0) names an interface on one machine; a
		// certificate's iPAddress has no room for it (RFC 5280 §4.2.1.6).
		return nil, true, fmt.Errorf("%q is not usable in a certificate: an IP address with a zone (%%%s) is local to one machine", s, a.Zone())
	}
	return net.IP(a.Unmap().AsSlice()), true, nil
}

// normalizeHost lower-cases a host name, drops one trailing dot (the DNS
// root, which a dNSName must not carry) and checks the preferred name
// syntax of RFC 1034 §3.5 as relaxed by RFC 1123 §2.1 (labels may start
// with a digit). A leftmost "*" label is allowed when wildcard is set.
func normalizeHost(s string, wildcard bool) (string, error) {
	h := strings.ToLower(strings.TrimSuffix(s, "."))
	bad := func(why string) error {
		return fmt.Errorf("%q is not a host name or IP address: %s", s, why)
	}
	if h == "" {
		return "", bad("it is empty")
	}
	if len(h) > 253 {
		return "", bad("it is longer than 253 characters")
	}
	labels := strings.Split(h, ".")
	for i, l := range labels {
		switch {
		case l == "*" && i == 0 && wildcard:
			if len(labels) < 2 {
				return "", bad("a wildcard needs a domain after it, as in *.example.com")
			}
			continue
		case strings.Contains(l, "*"):
			if wildcard {
				return "", bad("a wildcard may only be a whole leftmost label, as in *.example.com")
			}
			return "", bad("a wildcard is not allowed here")
		case l == "":
			return "", bad("it has an empty label")
		case len(l) > 63:
			return "", bad(fmt.Sprintf("label %q is longer than 63 characters", l))
		case l[0] == '-' || l[len(l)-1] == '-':
			return "", bad(fmt.Sprintf("label %q starts or ends with a hyphen", l))
		}
		for _, r := range l {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
				continue
			}
			if r > unicode.MaxASCII {
				return "", bad("it has non-ASCII characters; write an internationalized name in its xn-- (punycode) form")
			}
			return "", bad(fmt.Sprintf("it has the character %q; host names hold only letters, digits, hyphens and dots", r))
		}
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		// RFC 3696 §2: a top-level domain is never all-numeric, and
		// "1.2.3.400" looks like a mistyped IP address, not a name.
		return "", bad("its last label is all digits, so it is neither a valid IP address nor a host name")
	}
	return h, nil
}

// MatchesHost reports whether cert is valid for host, a DNS name or an IP
// address (also in [brackets]), by the one rule Lucid uses both to verify
// a peer's chain (VerifyOptions.DNSName) and to choose the certificate a
// server presents for a client's server_name: RFC 6125 §6.4 as crypto/x509
// applies it. Only subject alternative names count, never the common
// name; DNS names compare without regard to ASCII case and to one
// trailing dot; a "*" matches exactly one whole leftmost label; an IP
// address matches only IP address SANs.
func MatchesHost(cert *x509.Certificate, host string) bool {
	if cert == nil || host == "" {
		return false
	}
	// Most hosts are plain lower-case names that the certificate lists as
	// they are. For those crypto/x509 can only agree, and deciding here
	// spares every handshake the allocations of its general path.
	if plainHostName(host) && slices.Contains(cert.DNSNames, host) {
		return true
	}
	return cert.VerifyHostname(host) == nil
}

// plainHostName reports whether s is a host name in its plainest form:
// non-empty labels of lower-case letters, digits and hyphens, none
// starting with a hyphen, separated by single dots, the last label not
// all digits (so that s cannot be an IP address).
func plainHostName(s string) bool {
	start, digits := 0, true
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if i == start || s[start] == '-' {
				return false
			}
			if i == len(s) {
				return !digits
			}
			start, digits = i+1, true
			continue
		}
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z' || c == '-':
			digits = false
		default:
			return false
		}
	}
	return false
}

// clientNames holds the identity of a client certificate: the common name,
// and an email address when the common name is one.
type clientNames struct {
	cn    string
	email string
}

// parseClientName checks the name a client certificate is issued to. It
// goes into the subject's common name, so it must fit there: printable,
// at most 64 characters. When it is an email address it also becomes an
// rfc822Name SAN, which is where RFC 5280 §4.2.1.6 wants email addresses
// and where servers that authenticate users by address look.
func parseClientName(name string) (clientNames, error) {
	s := strings.TrimSpace(name)
	switch {
	case s == "":
		return clientNames{}, fmt.Errorf("a client certificate needs a name")
	case !utf8.ValidString(s):
		return clientNames{}, fmt.Errorf("client name %q is not valid UTF-8", s)
	case utf8.RuneCountInString(s) > maxCommonName:
		return clientNames{}, fmt.Errorf("client name %q is longer than the %d characters a common name may hold", s, maxCommonName)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return clientNames{}, fmt.Errorf("client name %q has the unprintable character %U", s, r)
		}
	}
	out := clientNames{cn: s}
	if e, ok := emailAddress(s); ok {
		out.email = e
	}
	return out, nil
}

// emailAddress recognizes local@domain with an RFC 5321 dot-atom local
// part and a host name domain (lower-cased; the local part keeps its
// case, which RFC 5321 §2.4 says belongs to the receiving host).
func emailAddress(s string) (string, bool) {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", false
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 || strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "", false
	}
	for _, r := range local {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r) {
			continue
		}
		return "", false
	}
	d, err := normalizeHost(domain, false)
	if err != nil || !strings.Contains(d, ".") {
		return "", false
	}
	return local + "@" + d, true
}

// Constraints are the name constraints of a CA certificate (RFC 5280
// §4.2.1.10): what names the certificates below it may carry. An empty
// permitted list of a type permits every name of that type.
type Constraints struct {
	// PermittedDNS and ExcludedDNS are DNS domains: "example.com" covers
	// itself and its subdomains, ".example.com" only the subdomains.
	PermittedDNS, ExcludedDNS []string
	// PermittedIPs and ExcludedIPs are IP ranges.
	PermittedIPs, ExcludedIPs []*net.IPNet
	// PermittedEmail and ExcludedEmail are rfc822Name constraints; Lucid
	// never creates them but carries a parent's down to intermediates.
	PermittedEmail, ExcludedEmail []string
	// PermittedURI and ExcludedURI are URI host constraints, likewise
	// only carried down.
	PermittedURI, ExcludedURI []string
}

// constraintsOf reads a certificate's name constraints.
func constraintsOf(c *x509.Certificate) Constraints {
	return Constraints{
		PermittedDNS:   c.PermittedDNSDomains,
		ExcludedDNS:    c.ExcludedDNSDomains,
		PermittedIPs:   c.PermittedIPRanges,
		ExcludedIPs:    c.ExcludedIPRanges,
		PermittedEmail: c.PermittedEmailAddresses,
		ExcludedEmail:  c.ExcludedEmailAddresses,
		PermittedURI:   c.PermittedURIDomains,
		ExcludedURI:    c.ExcludedURIDomains,
	}
}

// empty reports whether there are no constraints at all.
func (c Constraints) empty() bool {
	return len(c.PermittedDNS)+len(c.ExcludedDNS)+len(c.PermittedIPs)+len(c.ExcludedIPs)+
		len(c.PermittedEmail)+len(c.ExcludedEmail)+len(c.PermittedURI)+len(c.ExcludedURI) == 0
}

// apply writes the constraints into a certificate template, marked
// critical because RFC 5280 §4.2.1.10 says conforming CAs MUST.
func (c Constraints) apply(t *x509.Certificate) {
	if c.empty() {
		return
	}
	t.PermittedDNSDomainsCritical = true
	// Each kind of name: what is permitted, then what is excluded.
	t.PermittedDNSDomains, t.ExcludedDNSDomains = c.PermittedDNS, c.ExcludedDNS
	t.PermittedIPRanges, t.ExcludedIPRanges = c.PermittedIPs, c.ExcludedIPs
	t.PermittedEmailAddresses, t.ExcludedEmailAddresses = c.PermittedEmail, c.ExcludedEmail
	t.PermittedURIDomains, t.ExcludedURIDomains = c.PermittedURI, c.ExcludedURI
}

// parseConstraintList splits command-line constraints into DNS domains
// ("example.com" for it and its subdomains, ".example.com" for the
// subdomains only) and IP ranges in CIDR notation.
func parseConstraintList(list []string) (dns []string, ips []*net.IPNet, err error) {
	for _, raw := range list {
		s := strings.TrimSpace(raw)
		if s == "" {
			return nil, nil, fmt.Errorf("an empty name constraint")
		}
		if strings.Contains(s, "/") {
			p, perr := netip.ParsePrefix(s)
			if perr != nil {
				return nil, nil, fmt.Errorf("name constraint %q is not an IP range in CIDR notation such as 10.0.0.0/8", s)
			}
			if p.Masked() != p {
				return nil, nil, fmt.Errorf("name constraint %q has bits set past the prefix length; did you mean %s?", s, p.Masked())
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits())
			bits := p.Addr().BitLen()
			ips = append(ips, &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), bits)})
			continue
		}
		if _, ok, _ := parseIP(s); ok {
			return nil, nil, fmt.Errorf("name constraint %q is a single address; write it as a range, such as %s/32 or /128", s, s)
		}
		dot := strings.HasPrefix(s, ".")
		h, herr := normalizeHost(strings.TrimPrefix(s, "."), false)
		if herr != nil {
			return nil, nil, fmt.Errorf("name constraint %q is neither a DNS domain nor an IP range: %v", s, herr)
		}
		if dot {
			h = "." + h
		}
		dns = append(dns, h)
	}
	return dns, ips, nil
}

// dnsWithin reports whether a host name falls under a DNS constraint,
// with the matching rule of RFC 5280 §4.2.1.10 as crypto/x509 applies it:
// "example.com" covers itself and its subdomains, ".example.com" only the
// subdomains. A wildcard name is treated as the names it stands for.
func dnsWithin(name, constraint string) bool {
	name = strings.ToLower(name)
	constraint = strings.ToLower(constraint)
	if strings.HasPrefix(constraint, ".") {
		return strings.HasSuffix(name, constraint)
	}
	return name == constraint || strings.HasSuffix(name, "."+constraint)
}

// wildcardReaches reports whether a wildcard name ("*.example.com") could
// stand for a name under an excluded constraint one label below it
// ("secret.example.com"). crypto/x509 refuses such a certificate, since
// the wildcard would certify the excluded name.
func wildcardReaches(name, constraint string) bool {
	rest, ok := strings.CutPrefix(strings.ToLower(name), "*.")
	if !ok {
		return false
	}
	label, ok := strings.CutSuffix(strings.TrimPrefix(strings.ToLower(constraint), "."), "."+rest)
	return ok && label != "" && !strings.Contains(label, ".")
}

// constraintWithin reports whether DNS constraint c is at least as narrow
// as p: every name c allows, p allows too.
func constraintWithin(c, p string) bool {
	cBase := strings.TrimPrefix(c, ".")
	if strings.HasPrefix(p, ".") {
		return c == p || strings.HasSuffix(cBase, p)
	}
	return cBase == p || strings.HasSuffix(cBase, "."+p)
}

// netWithin reports whether range c lies inside range p.
func netWithin(c, p *net.IPNet) bool {
	cOnes, cBits := c.Mask.Size()
	pOnes, pBits := p.Mask.Size()
	return cBits == pBits && cOnes >= pOnes && p.Contains(c.IP)
}

// ipIn reports whether ip lies in the range; an IPv4 address never matches
// an IPv6 range or the reverse, as in crypto/x509.
func ipIn(ip net.IP, n *net.IPNet) bool {
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	return len(ip) == len(n.IP) && n.Contains(ip)
}

// emailWithin applies an rfc822Name constraint (RFC 5280 §4.2.1.10): a full
// address matches exactly, "example.com" matches addresses at that host,
// ".example.com" addresses at its subdomains.
func emailWithin(addr, constraint string) bool {
	at := strings.LastIndexByte(addr, '@')
	host := strings.ToLower(addr[at+1:])
	if strings.Contains(constraint, "@") {
		return strings.EqualFold(addr, constraint)
	}
	c := strings.ToLower(constraint)
	if strings.HasPrefix(c, ".") {
		return strings.HasSuffix(host, c)
	}
	return host == c
}

// checkNames refuses names a CA certificate's constraints forbid, so the
// CA never signs a certificate that verifiers would reject. who names the
// constraining certificate in the message.
func (c Constraints) checkNames(who string, dns []string, ips []net.IP, emails []string) error {
	for _, d := range dns {
		if len(c.PermittedDNS) > 0 && !slices.ContainsFunc(c.PermittedDNS, func(p string) bool { return dnsWithin(d, p) }) {
			return fmt.Errorf("%s may only certify DNS names under %s, and %q is not one", who, strings.Join(c.PermittedDNS, ", "), d)
		}
		for _, e := range c.ExcludedDNS {
			if dnsWithin(d, e) {
				return fmt.Errorf("%s excludes DNS names under %s, and %q is one", who, e, d)
			}
			if wildcardReaches(d, e) {
				return fmt.Errorf("%s excludes DNS names under %s, and the wildcard %q would cover %s", who, e, d, strings.TrimPrefix(e, "."))
			}
		}
	}
	for _, ip := range ips {
		if len(c.PermittedIPs) > 0 && !slices.ContainsFunc(c.PermittedIPs, func(n *net.IPNet) bool { return ipIn(ip, n) }) {
			return fmt.Errorf("%s may only certify IP addresses in %s, and %s is not one", who, netList(c.PermittedIPs), ip)
		}
		for _, n := range c.ExcludedIPs {
			if ipIn(ip, n) {
				return fmt.Errorf("%s excludes IP addresses in %s, and %s is one", who, n, ip)
			}
		}
	}
	for _, e := range emails {
		if len(c.PermittedEmail) > 0 && !slices.ContainsFunc(c.PermittedEmail, func(p string) bool { return emailWithin(e, p) }) {
			return fmt.Errorf("%s may only certify email addresses matching %s, and %q does not", who, strings.Join(c.PermittedEmail, ", "), e)
		}
		for _, x := range c.ExcludedEmail {
			if emailWithin(e, x) {
				return fmt.Errorf("%s excludes email addresses matching %s, and %q does", who, x, e)
			}
		}
	}
	return nil
}

func netList(ns []*net.IPNet) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = n.String()
	}
	return strings.Join(s, ", ")
}

// narrow combines a parent CA's constraints with the ones asked for a new
// intermediate. RFC 5280 path validation intersects permitted subtrees
// and unions excluded ones, so a child can only narrow its parent: asked
// permitted names must lie within the parent's, absent ones are inherited,
// and the parent's exclusions always carry over.
func (c Constraints) narrow(who string, permitDNS, excludeDNS []string, permitIPs, excludeIPs []*net.IPNet) (Constraints, error) {
	out := c
	if len(permitDNS) > 0 {
		for _, d := range permitDNS {
			if len(c.PermittedDNS) > 0 && !slices.ContainsFunc(c.PermittedDNS, func(p string) bool { return constraintWithin(d, p) }) {
				return Constraints{}, fmt.Errorf("%s permits only DNS names under %s, so an intermediate cannot permit %q", who, strings.Join(c.PermittedDNS, ", "), d)
			}
		}
		out.PermittedDNS = permitDNS
	}
	if len(permitIPs) > 0 {
		for _, n := range permitIPs {
			if len(c.PermittedIPs) > 0 && !slices.ContainsFunc(c.PermittedIPs, func(p *net.IPNet) bool { return netWithin(n, p) }) {
				return Constraints{}, fmt.Errorf("%s permits only IP addresses in %s, so an intermediate cannot permit %s", who, netList(c.PermittedIPs), n)
			}
		}
		out.PermittedIPs = permitIPs
	}
	out.ExcludedDNS = slices.Clone(c.ExcludedDNS)
	for _, d := range excludeDNS {
		if !slices.Contains(out.ExcludedDNS, d) {
			out.ExcludedDNS = append(out.ExcludedDNS, d)
		}
	}
	out.ExcludedIPs = slices.Clone(c.ExcludedIPs)
	for _, n := range excludeIPs {
		if !slices.ContainsFunc(out.ExcludedIPs, func(x *net.IPNet) bool { return x.String() == n.String() }) {
			out.ExcludedIPs = append(out.ExcludedIPs, n)
		}
	}
	return out, nil
}
