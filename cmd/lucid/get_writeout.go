package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"lucid/pki"
)

// writeOutVars are the -w variables lucid get knows, as curl names them.
var writeOutVars = map[string]bool{
	"http_code": true, "response_code": true, "http_version": true,
	"time_connect": true, "time_appconnect": true, "time_starttransfer": true, "time_total": true,
	"ssl_verify_result": true, "size_download": true, "url_effective": true,
	"num_redirects": true, "content_type": true, "remote_ip": true, "remote_port": true,
}

// writeOutPart is a piece of a -w format: literal text, or a variable.
type writeOutPart struct {
	text     string
	variable string
}

// parseWriteOut reads a -w format: %{name} variables, "%%" for a percent
// sign, and the escapes \n, \r, \t and \\, as curl does. "@FILE" reads the
// format from FILE ("@-" is not supported: stdin may carry -d @-).
func parseWriteOut(format string) ([]writeOutPart, error) {
	if name, ok := strings.CutPrefix(format, "@"); ok {
		data, err := readCapped(name, 1<<20)
		if err != nil {
			return nil, fmt.Errorf("-w @%s: %w", name, err)
		}
		format = string(data)
	}
	var parts []writeOutPart
	var lit strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case c == '%' && strings.HasPrefix(format[i:], "%%"):
			lit.WriteByte('%')
			i++
		case c == '%' && strings.HasPrefix(format[i:], "%{"):
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("-w: %q has a %%{ without its }", format)
			}
			name := format[i+2 : i+end]
			if !writeOutVars[name] {
				return nil, fmt.Errorf("-w: unknown variable %%{%s}; lucid get knows %s", name, writeOutNames())
			}
			if lit.Len() > 0 {
				parts = append(parts, writeOutPart{text: lit.String()})
				lit.Reset()
			}
			parts = append(parts, writeOutPart{variable: name})
			i += end
		case c == '\\' && i+1 < len(format):
			switch format[i+1] {
			case 'n':
				lit.WriteByte('\n')
			case 'r':
				lit.WriteByte('\r')
			case 't':
				lit.WriteByte('\t')
			case '\\':
				lit.WriteByte('\\')
			default:
				lit.WriteString(format[i : i+2])
			}
			i++
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, writeOutPart{text: lit.String()})
	}
	return parts, nil
}

func writeOutNames() string {
	names := make([]string, 0, len(writeOutVars))
	for n := range writeOutVars {
		names = append(names, "%{"+n+"}")
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

// transferFacts are what -w reports about one run of lucid get. Times are
// from the start of the run; a phase that never happened stays zero, as
// in curl. The transport's goroutines fill them (a dial can outlive a
// request that timed out), hence the lock.
type transferFacts struct {
	mu                         sync.Mutex
	start                      time.Time
	connect, appConnect, first time.Duration
	total                      time.Duration
	status                     int
	proto                      string // "1.1" or "2"
	contentType                string
	size                       int64
	url                        string
	redirects                  int
	remoteIP, remotePort       string
	// verify is the verification result in OpenSSL's X509_V_ERR numbering,
	// which is what curl's %{ssl_verify_result} prints; -1 when no
	// certificate was seen.
	verify int
}

// update changes the facts under their lock.
func (f *transferFacts) update(fn func(*transferFacts)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// writeOut renders the -w format.
func writeOut(w io.Writer, parts []writeOutPart, f *transferFacts) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	secs := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 6, 64) }
	for _, p := range parts {
		if p.variable == "" {
			b.WriteString(p.text)
			continue
		}
		switch p.variable {
		case "http_code", "response_code":
			fmt.Fprintf(&b, "%03d", f.status)
		case "http_version":
			if f.proto == "" {
				b.WriteString("0")
			} else {
				b.WriteString(f.proto)
			}
		case "time_connect":
			b.WriteString(secs(f.connect))
		case "time_appconnect":
			b.WriteString(secs(f.appConnect))
		case "time_starttransfer":
			b.WriteString(secs(f.first))
		case "time_total":
			b.WriteString(secs(f.total))
		case "ssl_verify_result":
			v := f.verify
			if v < 0 {
				v = 0
			}
			b.WriteString(strconv.Itoa(v))
		case "size_download":
			b.WriteString(strconv.FormatInt(f.size, 10))
		case "url_effective":
			b.WriteString(f.url)
		case "num_redirects":
			b.WriteString(strconv.Itoa(f.redirects))
		case "content_type":
			b.WriteString(f.contentType)
		case "remote_ip":
			b.WriteString(f.remoteIP)
		case "remote_port":
			b.WriteString(f.remotePort)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// verifyResultCode maps a verification failure to OpenSSL's X509_V_ERR
// number, so that scripts written for curl's %{ssl_verify_result} keep
// working: 0 is success.
func verifyResultCode(err error) int {
	if err == nil {
		return 0
	}
	var ve *pki.VerifyError
	if !errors.As(err, &ve) {
		return 1 // X509_V_ERR_UNSPECIFIED
	}
	switch ve.Reason {
	case pki.Expired:
		return 10 // X509_V_ERR_CERT_HAS_EXPIRED
	case pki.NotYetValid:
		return 9 // X509_V_ERR_CERT_NOT_YET_VALID
	case pki.HostnameMismatch:
		return 62 // X509_V_ERR_HOSTNAME_MISMATCH
	case pki.UnknownAuthority:
		return 20 // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
	case pki.SelfSigned:
		return 18 // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
	case pki.BadSignature:
		return 7 // X509_V_ERR_CERT_SIGNATURE_FAILURE
	case pki.WrongUsage:
		return 26 // X509_V_ERR_INVALID_PURPOSE
	case pki.ChainTooLong:
		return 22 // X509_V_ERR_CERT_CHAIN_TOO_LONG
	case pki.Revoked:
		return 23 // X509_V_ERR_CERT_REVOKED
	}
	return 1
}
