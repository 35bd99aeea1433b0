package tls

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"
)

// Client returns a client-side TLS connection over conn. config must set
// ServerName or InsecureSkipVerify.
func Client(conn net.Conn, config *Config) *Conn { return newConn(conn, config, true) }

// Server returns a server-side TLS connection over conn. config must carry
// a certificate.
func Server(conn net.Conn, config *Config) *Conn { return newConn(conn, config, false) }

// Dial connects to addr and runs a client handshake.
func Dial(network, addr string, config *Config) (*Conn, error) {
	return DialWithDialer(new(net.Dialer), network, addr, config)
}

// DialWithDialer connects with dialer and runs a client handshake; the
// dialer's Timeout and Deadline bound the handshake too.
func DialWithDialer(dialer *net.Dialer, network, addr string, config *Config) (*Conn, error) {
	// One deadline covers connecting and the handshake: the earlier of
	// the dialer's Timeout from now and its absolute Deadline.
	deadline := dialer.Deadline
	if t := dialer.Timeout; t != 0 && (deadline.IsZero() || time.Now().Add(t).Before(deadline)) {
		deadline = time.Now().Add(t)
	}
	ctx := context.Background()
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	return dial(ctx, dialer, network, addr, config)
}

// Dialer dials TLS connections, like crypto/tls's Dialer.
type Dialer struct {
	NetDialer *net.Dialer
	Config    *Config
}

// DialContext connects and runs a client handshake bounded by ctx.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	nd := d.NetDialer
	if nd == nil {
		nd = new(net.Dialer)
	}
	return dial(ctx, nd, network, addr, d.Config)
}

// Dial is DialContext with a background context.
func (d *Dialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

func dial(ctx context.Context, nd *net.Dialer, network, addr string, config *Config) (*Conn, error) {
	raw, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if config == nil {
		config = &Config{}
	}
	if config.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		config = config.Clone()
		config.ServerName = strings.Trim(host, "[]")
	}
	c := Client(raw, config)
	if err := c.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return c, nil
}

// tlsListener hands out server-side *Conn values for the connections its
// inner listener accepts; each handshake runs on the Conn's first use.
type tlsListener struct {
	net.Listener
	config *Config
}

// Accept returns the next connection as a *Conn.
func (tl *tlsListener) Accept() (net.Conn, error) {
	raw, err := tl.Listener.Accept()
	if err == nil {
		return Server(raw, tl.config), nil
	}
	return nil, err
}

// NewListener wraps inner so that Accept returns *Conn server connections
// configured by config.
func NewListener(inner net.Listener, config *Config) net.Listener {
	return &tlsListener{Listener: inner, config: config}
}

// Listen listens on laddr and returns a TLS listener. config must carry a
// certificate.
func Listen(network, laddr string, config *Config) (net.Listener, error) {
	if config == nil || (len(config.Certificates) == 0 && config.GetCertificate == nil) {
		return nil, errors.New("tls: Listen needs Config.Certificates or Config.GetCertificate")
	}
	l, err := net.Listen(network, laddr)
	if err != nil {
		return nil, err
	}
	return NewListener(l, config), nil
}
