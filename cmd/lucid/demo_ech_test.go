package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"lucid/internal/record"
)

// stepOneBytes returns what the wiretap relayed from the client before the
// server's first record: the ClientHello of step 1, as it crossed the wire.
func stepOneBytes(t *testing.T, s *story) []byte {
	t.Helper()
	var out []byte
	for _, r := range s.recs {
		if !r.fromClient {
			break
		}
		out = append(out, r.raw...)
	}
	if len(out) == 0 || out[0] != record.TypeHandshake {
		t.Fatalf("the capture does not start with the client's handshake record")
	}
	return out
}

// With --ech the bytes the wiretap relayed in step 1 hold the public name
// and not the site's; without it they hold the site's. Both directions of
// the whole ECH capture are free of the site's name too: the certificate
// that names it is encrypted in TLS 1.3.
func TestDemoECHHidesTheName(t *testing.T) {
	for _, m := range demoModes {
		if m.name != "ech" && m.name != "tls13" {
			continue
		}
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s, _ := storyFor(t, m)
			hello := stepOneBytes(t, s)
			real, public := bytes.Contains(hello, []byte(demoHost)), bytes.Contains(hello, []byte(demoPublicName))
			if m.opts.ECH {
				if real {
					t.Errorf("the ClientHello the wiretap relayed holds %q", demoHost)
				}
				if !public {
					t.Errorf("the ClientHello the wiretap relayed lacks the public name %q", demoPublicName)
				}
				for _, r := range s.recs {
					if bytes.Contains(r.raw, []byte(demoHost)) {
						t.Errorf("record %d holds %q", r.n, demoHost)
					}
				}
				if !s.cs.ECHAccepted || s.ech.serverInner != demoHost || s.dec.hello.ServerName != demoHost {
					t.Errorf("accepted %v, the server saw %q, the demo read %q in the inner hello; want %q",
						s.cs.ECHAccepted, s.ech.serverInner, s.dec.hello.ServerName, demoHost)
				}
				return
			}
			if !real {
				t.Errorf("without --ech the ClientHello the wiretap relayed lacks %q", demoHost)
			}
			if public {
				t.Errorf("without --ech the ClientHello names %q", demoPublicName)
			}
		})
	}
}

// The recorded ECH story says the same, and its narration and JSON put the
// public name in step 1's server name and the real one only where the
// server's events and the demo's opening of the inner hello report it.
func TestDemoECHRecorded(t *testing.T) {
	s := readStory(t, filepath.Join(goldenDir, "ech.story.json"))
	if bytes.Contains(stepOneBytes(t, s), []byte(demoHost)) {
		t.Fatalf("the recorded ClientHello holds %q", demoHost)
	}
	v := s.echView()
	if v == nil || v.grease || v.publicName != demoPublicName || v.innerName != demoHost || !v.accepted {
		t.Fatalf("step 1's ECH view is %+v", v)
	}
	if got := s.pathHello().ServerName; got != demoPublicName {
		t.Errorf("step 1 shows the server name %q, want the public name", got)
	}
	objs := map[string]any{}
	for _, l := range strings.Split(strings.TrimSpace(render(t, s, "json", false)), "\n") {
		if strings.HasPrefix(l, `{"step":"1"`) {
			objs["1"] = l
		}
	}
	line, _ := objs["1"].(string)
	for _, want := range []string{`"server_name":"` + demoPublicName + `"`, `"inner_server_name":"` + demoHost + `"`,
		`"server_saw_server_name":"` + demoHost + `"`, `"grease":false`, `"accepted":true`} {
		if !strings.Contains(line, want) {
			t.Errorf("step 1's JSON lacks %s:\n%s", want, line)
		}
	}
	for lang, want := range map[string]string{"en": "RFC 9849", "zh": "RFC 9849"} {
		if out := render(t, s, lang, false); !strings.Contains(out, want) || !strings.Contains(out, "GREASE") {
			t.Errorf("%s: the narration lacks %q or GREASE", lang, want)
		}
	}
}

// Without the server's key the capture cannot be followed: the key log's
// secrets belong to the inner hello's transcript, which is what the demo
// opens the outer hello to find.
func TestDemoECHNeedsTheKey(t *testing.T) {
	s := readStory(t, filepath.Join(goldenDir, "ech.story.json"))
	d := decodeCapture(s.recs, s.keyLog, nil)
	if d.verifyProblems() == nil {
		t.Fatal("the ECH capture decoded without the server's ECH key")
	}
	if len(d.ech) == 0 || d.ech[0].inner != nil {
		t.Fatal("the outer hello was not found, or opened without a key")
	}
}

func TestDemoECHFlags(t *testing.T) {
	for _, args := range [][]string{{"--ech", "--tls", "1.2"}, {"--ech", "--kx", "rsa"}} {
		var stdout, stderr bytes.Buffer
		if code := demoMain(args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "--ech") {
			t.Errorf("lucid demo %q: exit %d, stderr %q; want a usage error naming --ech", args, code, stderr.String())
		}
	}
}

// The demo opens whatever outer hello the capture holds: a mangled one
// gives a problem, never a panic.
func FuzzDemoOpenECH(f *testing.F) {
	s := readStory(f, filepath.Join(goldenDir, "ech.story.json"))
	f.Add(s.recs[0].raw)
	f.Add(s.recs[0].raw[:len(s.recs[0].raw)/2])
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) < record.HeaderLen || len(raw) > record.HeaderLen+record.MaxCiphertext13 {
			return
		}
		o, err := newECHOpener(s.ech.key)
		if err != nil {
			t.Fatal(err)
		}
		d := &decoded{records: map[int]*decodedRecord{}}
		r := &tapRecord{n: 1, fromClient: true, typ: raw[0], raw: raw}
		out := d.openRecord(o, r)
		if len(d.ech) == 1 && d.ech[0].inner != nil {
			if len(out) > record.HeaderLen+record.MaxPlaintext {
				t.Fatalf("an inner hello record of %d bytes", len(out))
			}
		} else if !bytes.Equal(out, raw) {
			t.Fatal("a record that was not opened came back changed")
		}
	})
}
