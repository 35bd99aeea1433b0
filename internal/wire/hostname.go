package wire

import (
	"errors"
	"fmt"
	"net/netip"
)

// MaxHostNameLen is the longest server_name HostName Lucid accepts or
// sends. The wire format allows 2^16-1 bytes (RFC 6066 §3), but a HostName
// is a DNS host name, and DNS caps a name at 255 octets (RFC 1035 §2.3.4);
// OpenSSL and BoringSSL enforce the same bound. Anything longer could name
// no server, and would only make whatever keeps the name (logs, session
// state) grow with what a peer chooses to send.
const MaxHostNameLen = 255

// maxIPLiteralLen bounds the text of an IP address (an IPv6 address with
// an embedded IPv4 and a zone is the longest) before it is parsed.
const maxIPLiteralLen = 64

// maxLabelLen is the longest DNS label (RFC 1035 §2.3.4).
const maxLabelLen = 63

// CheckHostName reports why name cannot be a server_name HostName, or nil
// if it can. RFC 6066 §3 makes a HostName a fully qualified DNS host name
// in ASCII without a trailing dot (internationalized names as A-labels,
// RFC 5890), and forbids literal IPv4 and IPv6 addresses. So: at most
// MaxHostNameLen bytes of dot-separated labels, each 1 to 63 letters,
// digits and hyphens, not starting or ending with a hyphen (RFC 5890
// §2.3.1 "LDH label", after RFC 1123 §2.1), and not an IP address. One
// departure: underscores are allowed in labels, because real host names
// carry them (RFC 2181 §11 lets DNS names hold any octet), browsers send
// them, and other stacks accept them; nothing else outside LDH is.
//
// The error does not repeat the name: it may be whatever a peer sent.
func CheckHostName(name string) error { return checkHostName(name) }

// checkHostName is CheckHostName for the parser too, which can then judge
// the bytes it received before copying them into a string.
func checkHostName[T string | []byte](name T) error {
	switch {
	case len(name) == 0:
		return errors.New("host name is empty")
	case len(name) > MaxHostNameLen:
		return fmt.Errorf("host name is %d bytes, longer than the %d a DNS name can be", len(name), MaxHostNameLen)
	case name[len(name)-1] == '.':
		return errors.New("host name ends with a dot, which RFC 6066 §3 leaves out")
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '.' {
			c := name[i]
			if !isLetterDigit(c) && c != '-' && c != '_' {
				return fmt.Errorf("host name has byte %#02x at offset %d; only letters, digits, hyphens, underscores and dots are allowed", c, i)
			}
			continue
		}
		label := name[start:i]
		switch {
		case len(label) == 0:
			return fmt.Errorf("host name has an empty label at offset %d", start)
		case len(label) > maxLabelLen:
			return fmt.Errorf("host name has a label of %d bytes at offset %d; at most %d are allowed", len(label), start, maxLabelLen)
		case label[0] == '-' || label[len(label)-1] == '-':
			return fmt.Errorf("host name has a label at offset %d that starts or ends with a hyphen", start)
		}
		start = i + 1
	}
	// Only dotted IPv4 can get this far: IPv6 needs colons. A name with a
	// byte other than a digit or a dot is none, and is not converted to
	// a string to be parsed.
	if digitsAndDots(name) {
		if _, err := netip.ParseAddr(string(name)); err == nil {
			return errors.New("host name is an IP address literal, which RFC 6066 §3 does not permit")
		}
	}
	return nil
}

// digitsAndDots reports whether name holds nothing but digits and dots,
// as dotted IPv4 does.
func digitsAndDots[T ~string | ~[]byte](name T) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func isLetterDigit(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
