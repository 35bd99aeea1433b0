package conn_test

import (
	"bytes"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/version"
)

// drainInto feeds c everything in *src and reads the application data out
// with ProcessInto(b) and ReadApp, as tls.Conn's Read does. It reports the
// data and how much of it arrived straight in b.
func drainInto(t *testing.T, c *conn.Core, src *[]byte, size int) (data []byte, direct int, err error) {
	t.Helper()
	b := make([]byte, size)
	for {
		if n := c.ReadApp(b); n > 0 {
			data = append(data, b[:n]...)
			continue
		}
		n, done, err := c.ProcessInto(b)
		if err != nil {
			return data, direct, err
		}
		if n > 0 {
			data = append(data, b[:n]...)
			direct += n
			continue
		}
		if done {
			continue
		}
		if len(*src) == 0 {
			return data, direct, nil
		}
		k := copy(c.InputSpace(), *src)
		c.Received(k)
		*src = (*src)[k:]
	}
}

// A record whose body fits the caller's buffer is opened into it; one
// that does not is read as before; either way the data is what was sent,
// in order, and a KeyUpdate among the records is still acted on.
func TestProcessIntoDeliversEveryByte(t *testing.T) {
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []int{10, 1000, 64 << 10} {
				p := newPair(t, tc.v)
				p.mustRun()
				var sent []byte
				for i, n := range []int{1, 100, 16384, 40000, 3} {
					msg := bytes.Repeat([]byte{byte(i + 1)}, n)
					p.write(p.client, msg)
					sent = append(sent, msg...)
					if tc.v == version.TLS13 && i == 2 {
						if err := p.client.UpdateKeys(true); err != nil {
							t.Fatal(err)
						}
					}
				}
				p.collect()
				got, direct, err := drainInto(t, p.server, &p.toServer, size)
				if err != nil {
					t.Fatalf("buffer of %d: %v", size, err)
				}
				if !bytes.Equal(got, sent) {
					t.Fatalf("buffer of %d: read %d bytes, want the %d sent, in order", size, len(got), len(sent))
				}
				// Records of 16 KiB fit only the largest buffer; a
				// buffer of 10 bytes takes none.
				switch {
				case size == 64<<10 && direct != len(sent):
					t.Errorf("buffer of %d: %d of %d bytes opened into it, want all", size, direct, len(sent))
				case size == 10 && direct != 0:
					t.Errorf("buffer of 10: %d bytes opened into it, want none", direct)
				}
				if tc.v == version.TLS13 {
					// The server answers the requested update; the
					// client must be able to read under its new key.
					p.write(p.server, []byte("after"))
					p.collect()
					back, _, err := drainInto(t, p.client, &p.toClient, size)
					if err != nil || string(back) != "after" {
						t.Fatalf("buffer of %d: after the KeyUpdate the client read %q, %v", size, back, err)
					}
				}
			}
		})
	}
}

// A record that fails authentication while opened into the caller's
// buffer is bad_record_mac, and none of it is reported as data.
func TestProcessIntoRefusesTamperedRecord(t *testing.T) {
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, tc.v)
			p.mustRun()
			p.write(p.client, []byte("tamper with this record"))
			p.collect()
			p.toServer[len(p.toServer)-1] ^= 1
			got, direct, err := drainInto(t, p.server, &p.toServer, 64<<10)
			if alert.Of(err) != alert.BadRecordMAC {
				t.Fatalf("got %v, want bad_record_mac", err)
			}
			if len(got) != 0 || direct != 0 {
				t.Fatalf("a tampered record yielded %d bytes of data", len(got))
			}
		})
	}
}
