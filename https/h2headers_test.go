package https_test

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"lucid/https"
	"lucid/tls"
)

// answered sends a GET on stream and reads until its response ends.
func (c *h2Client) answered(stream uint32) error {
	c.get(stream, "/")
	var body bytes.Buffer
	_, err := c.readUntil(stream, &body, func(f http2.Frame) bool {
		return f.Header().StreamID == stream && f.Header().Flags.Has(http2.FlagDataEndStream)
	})
	return err
}

// An HTTP/2 client that opens a header block and does not finish it —
// silent after a HEADERS frame without END_HEADERS, trickling
// CONTINUATION frames, or stuck in the middle of a frame — is cut off
// after ReadHeaderTimeout, long before IdleTimeout; a client that sends
// whole header blocks is not, however long it idles between them.
func TestHTTP2HeaderTimeout(t *testing.T) {
	f := getFixture(t)
	const headerTimeout = 300 * time.Millisecond
	var logMu sync.Mutex
	var log bytes.Buffer
	addr := start(t, &https.Server{
		Handler:           describe,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{f.server}},
		ReadHeaderTimeout: headerTimeout,
		IdleTimeout:       time.Hour,
		ErrorLog:          logTo(&logMu, &log),
	})
	roots := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"}

	// A client that keeps up opens its connection first, so that a
	// deadline left over from its header block would expire first.
	good := dialH2(t, addr, roots)
	if err := good.answered(1); err != nil {
		t.Fatalf("a whole request: %v", err)
	}

	// A block that never ends: the request's own fields, then a field
	// whose value is sent a byte at a time.
	block := headerBlock("/")
	var trickle bytes.Buffer
	hpack.NewEncoder(&trickle).WriteField(hpack.HeaderField{Name: "x-trickle", Value: strings.Repeat("a", 4000)})

	for _, tc := range []struct {
		name string
		send func(*h2Client) error
	}{
		{"silent after HEADERS", func(c *h2Client) error {
			return c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block, EndStream: true})
		}},
		{"trickling CONTINUATION", func(c *h2Client) error {
			if err := c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block, EndStream: true}); err != nil {
				return err
			}
			// The pace only shows that frames arriving in time do not
			// extend the block's deadline; nothing waits on it.
			go func() {
				tick := time.NewTicker(headerTimeout / 4)
				defer tick.Stop()
				for _, b := range trickle.Bytes() {
					<-tick.C
					if c.fr.WriteContinuation(1, false, []byte{b}) != nil {
						return
					}
				}
			}()
			return nil
		}},
		{"inside a HEADERS frame", func(c *h2Client) error {
			// The frame header announces more payload than follows.
			hdr := []byte{0, 0, byte(len(block) + 10), byte(http2.FrameHeaders),
				byte(http2.FlagHeadersEndStream | http2.FlagHeadersEndHeaders), 0, 0, 0, 1}
			_, err := c.tc.Write(append(hdr, block...))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialH2(t, addr, roots)
			c.tc.SetDeadline(time.Now().Add(30 * time.Second))
			var body bytes.Buffer
			if _, err := c.readUntil(0, &body, func(f http2.Frame) bool {
				s, ok := f.(*http2.SettingsFrame)
				return ok && !s.IsAck()
			}); err != nil {
				t.Fatalf("reading the server's SETTINGS: %v", err)
			}
			if err := tc.send(c); err != nil {
				t.Fatal(err)
			}
			_, err := c.readUntil(1, &body, func(f http2.Frame) bool {
				_, ok := f.(*http2.HeadersFrame)
				return ok
			})
			var ne net.Error
			switch {
			case err == nil:
				t.Fatal("the server answered an unfinished header block")
			case errors.As(err, &ne) && ne.Timeout():
				t.Fatalf("the server kept the connection open for 30s (header timeout %v): %v", headerTimeout, err)
			}
		})
	}

	if err := good.answered(3); err != nil {
		t.Errorf("a client that sent whole header blocks was cut off: %v", err)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if n := strings.Count(log.String(), "left an HTTP/2 header block unfinished"); n != 3 {
		t.Errorf("%d header timeouts logged, want 3; log:\n%s", n, log.String())
	}
}
