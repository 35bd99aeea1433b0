package conn_test

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/record"
	"lucid/internal/version"
)

// The fuzz input is a capture and its key log, so that a seed decrypts in
// every fuzzing process, not only in the one that recorded it: the key log
// as NSS text, the capture as segments of a direction byte (1 for the
// client), a two-byte length and the bytes.

func encodeCapture(capture []segment) []byte {
	var out []byte
	for _, s := range capture {
		dir := byte(0)
		if s.fromClient {
			dir = 1
		}
		for b := s.b; len(b) > 0; {
			n := min(len(b), 0xffff)
			out = append(out, dir)
			out = binary.BigEndian.AppendUint16(out, uint16(n))
			out = append(out, b[:n]...)
			b = b[n:]
		}
	}
	return out
}

func decodeCapture(b []byte) []segment {
	var out []segment
	for len(b) >= 3 {
		n := min(int(binary.BigEndian.Uint16(b[1:3])), len(b)-3)
		out = append(out, segment{fromClient: b[0]&1 == 1, b: b[3 : 3+n]})
		b = b[3+n:]
	}
	return out
}

func (k *keyLog) text() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var sb strings.Builder
	for key, secret := range k.secrets {
		label, random := key[:len(key)-32], key[len(key)-32:]
		fmt.Fprintf(&sb, "%s %x %x\n", label, random, secret)
	}
	return sb.String()
}

// parseKeyLog reads NSS key log text; lines it cannot read are skipped.
func parseKeyLog(text string) *keyLog {
	k := &keyLog{}
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		random, err1 := hex.DecodeString(f[1])
		secret, err2 := hex.DecodeString(f[2])
		if err1 == nil && err2 == nil && len(random) == 32 {
			k.add(f[0], random, secret)
		}
	}
	return k
}

// summary is what a decoder made of a capture, comparable across runs.
type summary struct {
	Types    []uint8
	Payloads [][]byte
	Messages [][]byte
	Errors   []string
	FeedErr  [2]string
}

func decodeSummary(log *keyLog, capture []segment, piece int) summary {
	var s summary
	d := conn.NewDecoder(log.lookup)
	for _, seg := range capture {
		for b := seg.b; len(b) > 0; {
			n := min(piece, len(b))
			recs, err := d.Feed(seg.fromClient, b[:n])
			b = b[n:]
			for _, r := range recs {
				s.Types = append(s.Types, r.Type)
				s.Payloads = append(s.Payloads, r.Payload)
				if r.Err != nil {
					s.Errors = append(s.Errors, r.Err.Error())
				}
				for _, m := range r.Messages {
					s.Messages = append(s.Messages, m.Raw)
				}
			}
			if err != nil {
				i := 0
				if seg.fromClient {
					i = 1
				}
				s.FeedErr[i] = err.Error()
				break
			}
		}
	}
	return s
}

// FuzzDecoder feeds arbitrary captures and key logs to a decoder: it must
// never panic, must fail only with ErrNoKey or an alert, must not read a
// record larger than the record layer allows, and must decode the same
// capture to the same records whatever pieces it arrives in.
func FuzzDecoder(f *testing.F) {
	for _, v := range []uint16{version.TLS13, version.TLS12} {
		c := converseWith(f, v, 10)
		f.Add(c.log.text(), encodeCapture(c.capture), uint8(0))
		f.Add("", encodeCapture(c.capture), uint8(3))
	}
	c := converseWith(f, version.TLS12, 10, 0xc023)
	f.Add(c.log.text(), encodeCapture(c.capture), uint8(6))
	f.Add("", encodeCapture([]segment{{true, []byte("GET / HTTP/1.1\r\n\r\n")}}), uint8(1))
	f.Add("", encodeCapture([]segment{{false, rawRecord(record.TypeHandshake, []byte{2, 0, 0, 0})}}), uint8(0))
	f.Fuzz(func(t *testing.T, keyLogText string, captured []byte, piece uint8) {
		log := parseKeyLog(keyLogText)
		capture := decodeCapture(captured)
		d := conn.NewDecoder(log.lookup)
		for _, seg := range capture {
			recs, err := d.Feed(seg.fromClient, seg.b)
			var ae *alert.Error
			if err != nil && !errors.As(err, &ae) {
				t.Fatalf("Feed failed without an alert: %v", err)
			}
			for _, r := range recs {
				if r.Err != nil && !errors.Is(r.Err, conn.ErrNoKey) && !errors.As(r.Err, &ae) {
					t.Fatalf("record error without an alert: %v", r.Err)
				}
				if r.Header.Length > record.MaxCiphertext || len(r.Payload) > record.MaxPlaintext+1 {
					t.Fatalf("a record of %d bytes with %d of payload", r.Header.Length, len(r.Payload))
				}
			}
		}
		whole := decodeSummary(log, capture, 1<<20)
		pieces := decodeSummary(log, capture, int(piece)%64+1)
		if !reflect.DeepEqual(whole, pieces) {
			t.Fatalf("decoding in pieces of %d differs from decoding whole", int(piece)%64+1)
		}
	})
}
