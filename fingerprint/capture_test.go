package fingerprint_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lucid/fingerprint"
	"lucid/internal/testtool"
	"lucid/internal/testwait"
)

// TestCapturedClientHellos fingerprints real ClientHellos from curl and
// openssl s_client, captured on loopback by a listener that reads the first
// flight and hangs up, and checks every value against the independent byte
// walker (and, where it can, against tshark).
func TestCapturedClientHellos(t *testing.T) {
	for _, tc := range []struct {
		name, tool string
		args       func(addr, port string) []string
		prefix     string // what the JA4 must start with, as far as the command line decides it
	}{
		{"curl IP", "curl", func(addr, _ string) []string {
			return []string{"-sk", "https://" + addr + "/"}
		}, "t13i"},
		{"curl SNI http1.1", "curl", func(_, port string) []string {
			return []string{"-sk", "--http1.1",
				"--resolve", "example.test:" + port + ":127.0.0.1", "https://example.test:" + port + "/"}
		}, "t13d"},
		{"openssl s_client", "openssl", func(addr, _ string) []string {
			return []string{"s_client", "-connect", addr}
		}, "t13"},
		{"openssl s_client TLS 1.2 ALPN", "openssl", func(addr, _ string) []string {
			return []string{"s_client", "-connect", addr, "-tls1_2", "-servername", "example.test", "-alpn", "http/1.1,h2"}
		}, "t12d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireTool(t, tc.tool)
			records, body := capture(t, tc.tool, tc.args)
			ch := parse(t, body)
			fp, raw := fingerprint.JA4(ch, 't')
			raw3, hash3 := fingerprint.JA3(ch)
			t.Logf("JA3 %s\n  %s\nJA4 %s\n  %s", hash3, raw3, fp, raw)
			if !strings.HasPrefix(fp, tc.prefix) {
				t.Errorf("JA4 %s, want prefix %s", fp, tc.prefix)
			}
			if strings.Contains(tc.name, "ALPN") && fp[8:10] != "h1" {
				t.Errorf("JA4 %s: ALPN http/1.1 first should give h1", fp)
			}
			checkIndependent(t, body)
			t.Run("tshark", func(t *testing.T) { compareTshark(t, records, raw3, hash3, fp, raw) })
		})
	}
}

// requireTool skips the test when name is not installed, except under
// CI=true, where a missing tool must not hide a regression.
func requireTool(t *testing.T, name string) {
	t.Helper()
	testtool.Path(t, name, name, "the check on its real ClientHello")
}

// capture runs tool against a loopback listener and returns the TLS records
// it sent first (as read off the socket) and the ClientHello body in them.
// The listener hangs up once it has the ClientHello, which ends the tool;
// nothing else bounds the tool but the test's deadline, since starting it
// can take long on a busy machine.
func capture(t *testing.T, tool string, args func(addr, port string) []string) (records, body []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		records, body []byte
		from          net.Addr
		err           error
	}
	got := make(chan result, 1)
	deadline := testwait.Deadline(t)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- result{err: err}
			return
		}
		defer conn.Close()
		conn.SetDeadline(deadline)
		r, b, err := readClientHello(conn)
		got <- result{r, b, conn.RemoteAddr(), err}
	}()

	_, port, _ := net.SplitHostPort(ln.Addr().String())
	cmd := exec.CommandContext(testwait.Context(t), tool, args(ln.Addr().String(), port)...)
	// The listener hangs up after the ClientHello, so the client fails;
	// its output matters only if nothing arrived.
	out, runErr := cmd.CombinedOutput()
	var res result
	select {
	case res = <-got:
	default:
		// If the tool connected before it exited, its connection is ahead
		// of this one in the listener's queue; if this one is accepted
		// first, the tool never connected.
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			defer c.Close()
			c.(*net.TCPConn).CloseWrite()
			res = testwait.Recv(t, got, "the listener to read "+tool+"'s connection")
			if res.from != nil && res.from.String() == c.LocalAddr().String() {
				t.Fatalf("%s never connected (%v):\n%s", tool, runErr, out)
			}
		} else {
			res = testwait.Recv(t, got, "the listener to read "+tool+"'s connection")
		}
	}
	if res.err != nil {
		t.Fatalf("reading %s's ClientHello: %v\n%s output (%v):\n%s", tool, res.err, tool, runErr, out)
	}
	return res.records, res.body
}

// readClientHello reads handshake records until they hold one whole
// ClientHello, returning the records and the ClientHello body.
func readClientHello(r io.Reader) (records, body []byte, err error) {
	var hs []byte
	for len(records) < 1<<20 {
		hdr := make([]byte, 5)
		if _, err := io.ReadFull(r, hdr); err != nil {
			return nil, nil, err
		}
		if hdr[0] != 22 {
			return nil, nil, fmt.Errorf("record type %d, want handshake(22)", hdr[0])
		}
		frag := make([]byte, binary.BigEndian.Uint16(hdr[3:]))
		if _, err := io.ReadFull(r, frag); err != nil {
			return nil, nil, err
		}
		records = append(append(records, hdr...), frag...)
		hs = append(hs, frag...)
		if len(hs) >= 4 {
			if hs[0] != 1 {
				return nil, nil, fmt.Errorf("handshake type %d, want client_hello(1)", hs[0])
			}
			n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
			if len(hs) >= 4+n {
				return records, hs[4 : 4+n], nil
			}
		}
	}
	return nil, nil, errors.New("no complete ClientHello in the first MiB")
}

// tsharkFields are the tshark fields compared, in a fixed order.
var tsharkFields = []string{"tls.handshake.ja3_full", "tls.handshake.ja3", "tls.handshake.ja4", "tls.handshake.ja4_r"}

var tsharkProbe struct {
	once    sync.Once
	missing string          // why tshark cannot be used at all
	has     map[string]bool // which of tsharkFields it knows
}

// probeTshark finds tshark and which fingerprint fields it supports.
func probeTshark() {
	p := &tsharkProbe
	p.has = map[string]bool{}
	if _, err := exec.LookPath("tshark"); err != nil {
		p.missing = "tshark is not installed (apt-get install tshark)"
		return
	}
	out, err := exec.Command("tshark", "-G", "fields").Output()
	if err != nil {
		p.missing = fmt.Sprintf("tshark -G fields failed: %v", err)
		return
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) > 2 && cols[0] == "F" {
			for _, f := range tsharkFields {
				if cols[2] == f {
					p.has[f] = true
				}
			}
		}
	}
}

// compareTshark writes records into a pcap, has tshark fingerprint it, and
// compares each field tshark supports with ours.
func compareTshark(t *testing.T, records []byte, ja3Raw, ja3Hash, ja4, ja4Raw string) {
	tsharkProbe.once.Do(probeTshark)
	if tsharkProbe.missing != "" {
		t.Skip(tsharkProbe.missing + "; skipping the tshark cross-check")
	}
	var fields []string
	for _, f := range tsharkFields {
		if tsharkProbe.has[f] {
			fields = append(fields, f)
		} else {
			t.Logf("this tshark has no %s field; that cross-check is skipped", f)
		}
	}
	if len(fields) == 0 {
		t.Skip("this tshark has no JA3 or JA4 fields; skipping the tshark cross-check")
	}
	pkt, err := pcapOf(records)
	if err != nil {
		t.Skipf("cannot put this ClientHello in one packet: %v", err)
	}
	path := filepath.Join(t.TempDir(), "clienthello.pcap")
	if err := os.WriteFile(path, pkt, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-r", path, "-n", "-d", "tcp.port==443,tls", "-Y", "tls.handshake.type == 1", "-T", "fields", "-E", "separator=/t"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err := exec.Command("tshark", args...).Output()
	if err != nil {
		t.Fatalf("tshark %s: %v", strings.Join(args, " "), err)
	}
	got := strings.Split(strings.TrimRight(string(out), "\n"), "\t")
	if len(got) != len(fields) {
		t.Fatalf("tshark printed %q for %d fields", out, len(fields))
	}
	ours := map[string]string{
		"tls.handshake.ja3_full": ja3Raw, "tls.handshake.ja3": ja3Hash,
		"tls.handshake.ja4": ja4, "tls.handshake.ja4_r": ja4Raw,
	}
	for i, f := range fields {
		if got[i] != ours[f] {
			t.Errorf("%s: tshark %q, ours %q", f, got[i], ours[f])
		} else {
			t.Logf("%s agrees with tshark", f)
		}
	}
}

// pcapOf returns a pcap file (LINKTYPE_RAW: bare IPv4) holding one TCP
// segment from 127.0.0.1:50000 to 127.0.0.1:443 carrying payload.
func pcapOf(payload []byte) ([]byte, error) {
	const ipLen, tcpLen = 20, 20
	total := ipLen + tcpLen + len(payload)
	if total > 0xffff {
		return nil, fmt.Errorf("%d bytes do not fit one IPv4 packet", total)
	}
	ip := []byte{
		0x45, 0, byte(total >> 8), byte(total), // version/IHL, TOS, total length
		0, 1, 0x40, 0, // ID, don't fragment
		64, 6, 0, 0, // TTL, TCP, checksum (below)
		127, 0, 0, 1, 127, 0, 0, 1,
	}
	var sum uint32
	for i := 0; i < ipLen; i += 2 {
		sum += uint32(ip[i])<<8 | uint32(ip[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	tcp := []byte{
		0xc3, 0x50, 0x01, 0xbb, // ports 50000 → 443
		0, 0, 0, 1, 0, 0, 0, 1, // seq, ack
		5 << 4, 0x18, 0xff, 0xff, // header length, PSH|ACK, window
		0, 0, 0, 0, // checksum (unchecked by tshark by default), urgent
	}
	var b bytes.Buffer
	le := binary.LittleEndian
	for _, v := range []uint32{0xa1b2c3d4, 4<<16 | 2, 0, 0, 1 << 18, 101} {
		binary.Write(&b, le, v) // magic, version 2.4, zone, sigfigs, snaplen, LINKTYPE_RAW
	}
	for _, v := range []uint32{uint32(time.Now().Unix()), 0, uint32(total), uint32(total)} {
		binary.Write(&b, le, v)
	}
	b.Write(ip)
	b.Write(tcp)
	b.Write(payload)
	return b.Bytes(), nil
}
